// What the C API's source files share (clients/capi/): the handle behind
// plansync_store, turning statuses into plansync_errors, and reading the
// structs callers fill in. Not installed.
#ifndef PLANSYNC_CLIENTS_CAPI_CAPI_INTERNAL_H_
#define PLANSYNC_CLIENTS_CAPI_CAPI_INTERNAL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/device_store.h"
#include "core/schema.h"
#include "google/protobuf/message.h"
#include "plansync/plansync.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

// The handle behind the opaque plansync_store. Members are destroyed in
// reverse order: an open transaction rolls back before the store closes.
struct plansync_store {
  std::unique_ptr<plansync::DeviceStore> store;
  std::mutex sync_mu;  // one plansync_sync at a time on this handle
  // The open write transaction (plansync_begin_write) and its thread.
  std::mutex txn_mu;
  std::optional<plansync::WriteTransaction> txn;
  std::thread::id txn_thread;
  // Whether a plansync_replicator runs on this handle (at most one does).
  std::atomic<bool> replicating{false};
};

namespace plansync::capi {

// Fills `error` (if not NULL) from `status`; returns the status code.
int Fill(const absl::Status& status, plansync_error* error);

// Runs `body` (returning an absl::Status) with every C++ exception caught:
// nothing but a plansync_error crosses the C boundary.
template <typename Body>
int Guard(plansync_error* error, Body&& body) {
  try {
    return Fill(body(), error);
  } catch (const std::bad_alloc&) {
    return Fill(absl::ResourceExhaustedError("out of memory"), error);
  } catch (const std::exception& e) {
    return Fill(absl::InternalError(absl::StrCat("internal error: ", e.what())),
                error);
  } catch (...) {
    return Fill(absl::InternalError("internal error: unknown exception"),
                error);
  }
}

// INVALID_ARGUMENT saying `name` is NULL.
absl::Status NullArgument(absl::string_view name);

// The device store behind `handle`; INVALID_ARGUMENT for a NULL handle.
absl::StatusOr<DeviceStore*> StoreOf(plansync_store* handle);

// The fields of a caller-filled struct that its struct_size covers, the
// others zero (see "ABI" in plansync.h). INVALID_ARGUMENT if the size is
// below `first_version_size` (the struct's size in its first version).
template <typename Struct>
absl::StatusOr<Struct> Covered(const Struct* given, size_t first_version_size,
                               absl::string_view name) {
  if (given == nullptr) return NullArgument(name);
  if (given->struct_size < first_version_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the struct_size of ", name, " is ", given->struct_size,
        "; set it to sizeof the struct (the PLANSYNC_..._INIT macro does)"));
  }
  Struct out{};
  std::memcpy(&out, given, std::min(given->struct_size, sizeof(Struct)));
  out.struct_size = sizeof(Struct);
  return out;
}

// The size of each caller-filled struct in its first version: its end at
// the last field it had then. Fixed for good.
constexpr size_t kStoreOptionsV1 =
    offsetof(plansync_store_options, durability) + sizeof(int);
constexpr size_t kSyncOptionsV1 =
    offsetof(plansync_sync_options, progress_context) + sizeof(void*);
constexpr size_t kReportRequestV1 =
    offsetof(plansync_report_request, rules_size) + sizeof(size_t);

// The record type named `name` (full or short name); reason
// UNKNOWN_RECORD_TYPE, listing the types, if there is none.
absl::StatusOr<const RecordType*> TypeNamed(const char* name);

// A message of `type` parsed from `size` bytes at `data`. Bytes holding a
// field number the type does not have are refused (reason UNKNOWN_FIELD).
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Parse(
    const RecordType& type, const void* data, size_t size);

// Copies for the caller to free with plansync_free: of `bytes`, and of
// `text` with a NUL after it.
absl::StatusOr<uint8_t*> CopyOut(absl::string_view bytes);
absl::StatusOr<char*> CopyString(absl::string_view text);

// A transport to the server `options` name, with its token: INVALID_ARGUMENT
// for no server, none or both of token and token_file, or a malformed token;
// NOT_FOUND for an unreadable token or CA file.
absl::StatusOr<std::unique_ptr<sync::GrpcTransport>> ConnectTransport(
    const plansync_sync_options& options);

// The counts of `report`, as plansync_sync returns them.
plansync_sync_counts CountsOf(const sync::SyncReport& report);

}  // namespace plansync::capi

#endif  // PLANSYNC_CLIENTS_CAPI_CAPI_INTERNAL_H_
