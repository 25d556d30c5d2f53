// Finding what a command names, in the device's own store: the device
// user's students by role (from their Assignment records), the plan in
// effect, accommodations and services by id or by title, and the names of
// people and students for output. Every miss is an error that says what
// there is instead.
#ifndef PLANSYNC_CLIENTS_CLI_LOOKUP_H_
#define PLANSYNC_CLIENTS_CLI_LOOKUP_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"
#include "core/enum_words.h"
#include "core/permissions.h"
#include "core/reports/caseload.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace plansync::cli {

// True if `assignment` is in force on `day` (not archived; started; not
// ended).
bool InForce(const v1::Assignment& assignment, absl::string_view day);

// The device user's assignments with a role in `roles`, in force on `day`.
absl::StatusOr<std::vector<v1::Assignment>> MyAssignments(
    DeviceStore& store, RoleSet roles, absl::string_view day);

// The roles the device user holds on `student_id` on `day`.
absl::StatusOr<RoleSet> MyRolesOn(DeviceStore& store,
                                  absl::string_view student_id,
                                  absl::string_view day);

// PERMISSION_DENIED unless the device user holds one of `roles` on
// `student` on `day`: "you are not the case manager of Maya Diaz ...".
absl::Status RequireRole(DeviceStore& store, const v1::Student& student,
                         RoleSet roles, absl::string_view day);

// The student named by `text` (an id, or a name: "Maya", "Maya Diaz", any
// case) among those the device user holds one of `roles` on, on `day`. With
// `text` empty: the only such student. Errors say which students there
// are: NOT_FOUND if none matches, INVALID_ARGUMENT if several do.
absl::StatusOr<v1::Student> ResolveStudent(DeviceStore& store,
                                           absl::string_view text,
                                           RoleSet roles,
                                           absl::string_view day);

// The students the device user holds one of `roles` on, on `day`.
absl::StatusOr<std::vector<v1::Student>> MyStudents(DeviceStore& store,
                                                    RoleSet roles,
                                                    absl::string_view day);
// The student named by `text`, as ResolveStudent; with `text` empty, every
// student the user holds one of `roles` on (NOT_FOUND if none).
absl::StatusOr<std::vector<v1::Student>> ResolveStudents(DeviceStore& store,
                                                         absl::string_view text,
                                                         RoleSet roles,
                                                         absl::string_view day);

// "Given Family" (the preferred name in place of the given one).
using reports::StudentName;
// The student `id`'s name, or the id if the device does not hold it.
std::string StudentNameOf(DeviceStore& store, absl::string_view id);
// The display name of directory user `user_id`, or the id if unknown.
std::string UserName(DeviceStore& store, absl::string_view user_id);

// The plan in effect for `student_id` on `day` (an ISO day), by the one
// rule of core/plan_timeline.h; nullopt if none.
absl::StatusOr<std::optional<v1::Plan>> PlanOn(DeviceStore& store,
                                               absl::string_view student_id,
                                               absl::string_view day);
// The same, NOT_FOUND ("Maya Diaz has no plan in effect on ...") if none.
absl::StatusOr<v1::Plan> RequirePlanOn(DeviceStore& store,
                                       const v1::Student& student,
                                       absl::string_view day);
// The days `plan` is in effect by the plan-in-effect rule, for output:
// "from 2026-08-24 to 2026-09-21", "from 2026-09-22 until replaced or
// ended", or "never (a draft, archived, or replaced before its first day)".
absl::StatusOr<std::string> PlanDaysText(DeviceStore& store,
                                         const v1::Plan& plan);
// What the jurisdiction calls a prior written notice: "Notice of Action" in
// US-MO, "prior written notice" elsewhere.
std::string PriorNoticeName(absl::string_view jurisdiction);

// True if a record with these start and end days applies on `day` (empty
// `day`: always).
bool Applies(absl::string_view start, absl::string_view end,
             absl::string_view day);

// The plan's records (not archived) that apply on `day` (every one if `day`
// is empty), by title, service type or area.
absl::StatusOr<std::vector<v1::Accommodation>> AccommodationsOf(
    DeviceStore& store, absl::string_view plan_id, absl::string_view day);
absl::StatusOr<std::vector<v1::Service>> ServicesOf(DeviceStore& store,
                                                    absl::string_view plan_id,
                                                    absl::string_view day);
absl::StatusOr<std::vector<v1::Goal>> GoalsOf(DeviceStore& store,
                                              absl::string_view plan_id);

// The accommodation named by `text` for `student`: an id of one of the
// student's accommodations, or a title (whole or a unique part, any case)
// among those of `plan` that apply on `day`. NOT_FOUND listing the titles
// if none matches; INVALID_ARGUMENT if the text matches several.
absl::StatusOr<v1::Accommodation> FindAccommodation(DeviceStore& store,
                                                    const v1::Student& student,
                                                    const v1::Plan& plan,
                                                    absl::string_view text,
                                                    absl::string_view day);
// The same for services, by id or service type.
absl::StatusOr<v1::Service> FindService(DeviceStore& store,
                                        const v1::Student& student,
                                        const v1::Plan& plan,
                                        absl::string_view text,
                                        absl::string_view day);

// A short label of record `id` of `type` for output: a student's name, "IEP
// version 2" for a plan, else the record's title, service type, area, name
// or description; "" if the device does not hold it or it has none.
std::string RecordLabel(DeviceStore& store, const RecordType& type,
                        absl::string_view id);

// Record `id` of type T, with a message naming `what` ("plan") if the
// device does not hold it.
template <typename T>
absl::StatusOr<T> GetRecord(DeviceStore& store, absl::string_view id,
                            absl::string_view what);

// NOT_FOUND: "there is no `what` `id` on this device (sync first ...)".
absl::Status NotHeld(absl::string_view what, absl::string_view id);

template <typename T>
absl::StatusOr<T> GetRecord(DeviceStore& store, absl::string_view id,
                            absl::string_view what) {
  ASSIGN_OR_RETURN(const std::string full,
                   store.ResolveId(*Schema::Get().For(T::descriptor()), id));
  absl::StatusOr<T> record = store.Get<T>(full);
  if (!record.ok() && absl::IsNotFound(record.status())) {
    return NotHeld(what, id);
  }
  return record;
}

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_LOOKUP_H_
