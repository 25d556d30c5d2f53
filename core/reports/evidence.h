// The evidence packet: one student's record over a window, as a parent takes
// it to a state complaint or an OCR complaint (a v1::EvidencePacket, which
// clients/report renders as one page). It is built from one device's store,
// so it holds exactly what that device's user may read.
//
// What it holds: the plans in effect in the window and what changed between
// them (core/reports/plan_compare.h); every lapse report with its responses;
// the confirmations of the days lapses were reported (a lapse and a
// confirmation that the same accommodation was provided the same day are
// both marked disputed); every service session, and minutes mandated
// against delivered (core/reports/service_fidelity.h); every correction,
// with withdrawn entries kept and marked; the parent's requests with their
// clocks, receipts and answers; notices, meetings and decisions; progress
// reports and their schedule; missed deadlines; the access log. Each entry
// with its id, its author, when the writer's device recorded it, when the
// server accepted it and its place in the student's feed (the device's feed
// receipts), in time order.
#ifndef PLANSYNC_CORE_REPORTS_EVIDENCE_H_
#define PLANSYNC_CORE_REPORTS_EVIDENCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/device_store.h"
#include "plansync/v1/report.pb.h"
#include "plansync/v1/rules.pb.h"

namespace plansync {

struct EvidenceRequest {
  std::string student_id;
  // The window, both ends included, and today ("YYYY-MM-DD").
  std::string from;
  std::string to;
  std::string today;
  // Deadline rules; null means the built-in rule book.
  const v1::RuleBook* rules = nullptr;
};

// Builds the packet from `store`. INVALID_ARGUMENT (MALFORMED_DATE) for a
// malformed day, INVALID_ARGUMENT for a window that ends before it starts;
// NOT_FOUND for a student the device does not hold; the store's errors.
absl::StatusOr<v1::EvidencePacket> BuildEvidencePacket(
    DeviceStore& store, const EvidenceRequest& request);

}  // namespace plansync

#endif  // PLANSYNC_CORE_REPORTS_EVIDENCE_H_
