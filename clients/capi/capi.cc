// The C API (plansync.h): each function checks its C arguments, calls the C++
// API (core/device_store.h, sync/replicator.h) and turns the absl::Status into
// a plansync_error. Nothing else lives here.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "clients/capi/capi_internal.h"
#include "core/device_store.h"
#include "core/district.h"
#include "core/errors.h"
#include "core/plan_in_effect.h"
#include "core/reports/evidence.h"
#include "core/reports/report.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/student_history.h"
#include "core/teacher_day.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/json_util.h"
#include "plansync/plansync.h"
#include "sync/connect.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

// The handle behind the opaque plansync_observer.
struct plansync_observer {
  plansync::DeviceStore* store;
  uint64_t handle;
};

namespace plansync::capi {

namespace {

// Copies `text` into `out` (`size` bytes), cut at a UTF-8 character
// boundary if it does not fit, and NUL-terminates it.
void CopyMessage(absl::string_view text, char* out, size_t size) {
  size_t n = std::min(text.size(), size - 1);
  if (n < text.size()) {
    // Back off continuation bytes (10xxxxxx) so no character is split.
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  }
  if (n > 0) std::memcpy(out, text.data(), n);  // data() may be null if empty
  out[n] = '\0';
}

}  // namespace

// Fills `error` (if not NULL) from `status`; returns the status code.
int Fill(const absl::Status& status, plansync_error* error) {
  const int code = static_cast<int>(status.code());
  if (error != nullptr) {
    error->code = code;
    error->reason = static_cast<int>(ReasonOf(status));
    CopyMessage(status.message(), error->message, sizeof(error->message));
  }
  return code;
}

absl::Status NullArgument(absl::string_view name) {
  return absl::InvalidArgumentError(absl::StrCat(name, " is NULL"));
}

absl::StatusOr<DeviceStore*> StoreOf(plansync_store* handle) {
  if (handle == nullptr || handle->store == nullptr) {
    return NullArgument("the store handle");
  }
  return handle->store.get();
}

absl::StatusOr<std::unique_ptr<sync::GrpcTransport>> ConnectTransport(
    const plansync_sync_options& options) {
  const auto given = [](const char* text) {
    return text != nullptr && *text != '\0';
  };
  if (!given(options.server)) {
    return absl::InvalidArgumentError(
        "the sync options name no server (HOST:PORT)");
  }
  if (given(options.token) == given(options.token_file)) {
    return absl::InvalidArgumentError(
        "the sync options need exactly one of token and token_file");
  }
  std::string token;
  if (given(options.token)) {
    RETURN_IF_ERROR(sync::CheckToken(options.token));
    token = options.token;
  } else {
    ASSIGN_OR_RETURN(token, sync::ReadTokenFile(options.token_file));
  }
  ASSIGN_OR_RETURN(
      auto channel,
      sync::OpenChannel(options.server,
                        given(options.ca_file) ? options.ca_file : ""));
  sync::TransportOptions transport_options;
  transport_options.token = std::move(token);
  return std::make_unique<sync::GrpcTransport>(channel,
                                               std::move(transport_options));
}

plansync_sync_counts CountsOf(const sync::SyncReport& report) {
  plansync_sync_counts counts{};
  counts.pushed = report.accepted;
  counts.rejected = report.rejected;
  counts.pulled = report.pulled;
  counts.held = report.held;
  counts.clock_ahead = report.clock_ahead ? 1 : 0;
  return counts;
}

namespace {

// The calling thread's open write transaction on `handle`, or null.
WriteTransaction* OwnTransaction(plansync_store* handle) {
  std::lock_guard<std::mutex> lock(handle->txn_mu);
  if (handle->txn.has_value() &&
      handle->txn_thread == std::this_thread::get_id()) {
    return &*handle->txn;
  }
  return nullptr;
}

// Runs `body` as one unit of the calling thread's open transaction (undone
// alone if it fails), or in a transaction of its own.
absl::Status RunWrite(plansync_store* handle, DeviceStore* store,
                      absl::FunctionRef<absl::Status(WriteTransaction&)> body) {
  if (WriteTransaction* open = OwnTransaction(handle)) {
    return store->Atomically(*open, [&] { return body(*open); });
  }
  return store->Write(body);
}

// The calling thread's open transaction, taken from the handle.
absl::StatusOr<WriteTransaction> TakeTransaction(plansync_store* handle) {
  std::lock_guard<std::mutex> lock(handle->txn_mu);
  if (!handle->txn.has_value() ||
      handle->txn_thread != std::this_thread::get_id()) {
    return absl::FailedPreconditionError(
        "this thread has no write transaction open on the store "
        "(plansync_begin_write begins one)");
  }
  WriteTransaction txn(std::move(*handle->txn));
  handle->txn.reset();
  handle->txn_thread = std::thread::id();
  return txn;
}

// The id of a record message (field 1 of every record, records.proto).
std::string IdOf(const google::protobuf::Message& record) {
  return record.GetReflection()->GetString(
      record, record.GetDescriptor()->FindFieldByNumber(1));
}

}  // namespace

// The record type named `name` (full or short name).
absl::StatusOr<const RecordType*> TypeNamed(const char* name) {
  if (name == nullptr) return NullArgument("the record type");
  if (const RecordType* type = Schema::Get().Find(name)) return type;
  std::vector<std::string> names;
  for (const auto& type : Schema::Get().types()) {
    names.push_back(type->short_name);
  }
  return ReasonError(
      v1::UNKNOWN_RECORD_TYPE,
      absl::StrCat("\"", name, "\" is not a plansync record type; the types: ",
                   absl::StrJoin(names, ", ")));
}

// A message of `type` parsed from `size` bytes at `data`. Bytes holding a
// field number the type does not have are refused, not silently dropped.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Parse(
    const RecordType& type, const void* data, size_t size) {
  if (data == nullptr && size > 0) return NullArgument("the message bytes");
  if (size > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a ", type.short_name, " message of ", size, " bytes is too large"));
  }
  std::unique_ptr<google::protobuf::Message> message = NewRecordMessage(type);
  if (size > 0 && !message->ParseFromArray(data, static_cast<int>(size))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the ", size, " bytes given are not a serialized ", type.full_name,
        " message (protobuf wire format, text fields in UTF-8)"));
  }
  const google::protobuf::UnknownFieldSet& unknown =
      message->GetReflection()->GetUnknownFields(*message);
  if (!unknown.empty()) {
    return ReasonError(
        v1::UNKNOWN_FIELD,
        absl::StrCat(type.full_name, " has no field number ",
                     unknown.field(0).number(),
                     "; the message was made from another version of "
                     "records.proto"));
  }
  return message;
}

// A malloc'd copy of `bytes` for the caller to free with plansync_free.
absl::StatusOr<uint8_t*> CopyOut(absl::string_view bytes) {
  void* out = std::malloc(bytes.empty() ? 1 : bytes.size());
  if (out == nullptr) return absl::ResourceExhaustedError("out of memory");
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return static_cast<uint8_t*>(out);
}

// A malloc'd NUL-terminated copy of `text`.
absl::StatusOr<char*> CopyString(absl::string_view text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) return absl::ResourceExhaustedError("out of memory");
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

namespace {

// For the view calls: NULL out-parameters are refused; the others start
// empty.
absl::Status ClearViewOut(uint8_t** view, size_t* size) {
  if (view == nullptr || size == nullptr) {
    return NullArgument("the view out-parameter");
  }
  *view = nullptr;
  *size = 0;
  return absl::OkStatus();
}

// `day` as given, or the district's today if it is NULL or "".
absl::StatusOr<std::string> DayOrToday(DeviceStore& store, const char* day) {
  if (day != nullptr && *day != '\0') return std::string(day);
  return DistrictToday(store);
}

// `message` serialized into a buffer for the caller.
absl::Status ViewOut(const google::protobuf::Message& message, uint8_t** view,
                     size_t* size) {
  const std::string bytes = message.SerializeAsString();
  ASSIGN_OR_RETURN(*view, CopyOut(bytes));
  *size = bytes.size();
  return absl::OkStatus();
}

// Create and Append: parse, write in one transaction, return the id.
absl::Status AddRecord(plansync_store* handle, const char* type_name,
                       const void* data, size_t size, bool log, char** id) {
  if (id != nullptr) *id = nullptr;
  ASSIGN_OR_RETURN(DeviceStore * store, StoreOf(handle));
  ASSIGN_OR_RETURN(const RecordType* type, TypeNamed(type_name));
  ASSIGN_OR_RETURN(auto record, Parse(*type, data, size));
  std::string new_id;
  RETURN_IF_ERROR(
      RunWrite(handle, store, [&](WriteTransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(new_id, log ? store->Append(txn, *record)
                                     : store->Create(txn, *record));
        return absl::OkStatus();
      }));
  if (id != nullptr) {
    // The record is stored; only the copy of its id can still fail.
    ASSIGN_OR_RETURN(*id, CopyString(new_id));
  }
  return absl::OkStatus();
}

sync::ProgressCallback ProgressAdapter(const plansync_sync_options& options) {
  if (options.progress == nullptr) return {};
  return [&options](const sync::SyncProgress& progress) {
    int phase = PLANSYNC_SYNC_CONNECT;
    int64_t done = 0, total = 0;
    switch (progress.phase) {
      case sync::SyncProgress::Phase::kHello:
        break;
      case sync::SyncProgress::Phase::kPush:
        phase = PLANSYNC_SYNC_PUSH;
        done = progress.pushed;
        total = progress.push_total;
        break;
      case sync::SyncProgress::Phase::kPull:
      case sync::SyncProgress::Phase::kIndex:
        phase = PLANSYNC_SYNC_PULL;
        done = progress.pulled;
        total = -1;
        break;
      case sync::SyncProgress::Phase::kDone:
        phase = PLANSYNC_SYNC_DONE;
        done = total = progress.pushed + progress.pulled;
        break;
    }
    options.progress(options.progress_context, phase, done, total);
  };
}

absl::Status Sync(plansync_store* handle,
                  const plansync_sync_options* given_options,
                  plansync_sync_counts* counts) {
  if (counts != nullptr) *counts = plansync_sync_counts{};
  ASSIGN_OR_RETURN(DeviceStore * store, StoreOf(handle));
  ASSIGN_OR_RETURN(const plansync_sync_options covered,
                   Covered(given_options, kSyncOptionsV1, "the sync options"));
  const plansync_sync_options* options = &covered;
  if (OwnTransaction(handle) != nullptr) {
    return absl::FailedPreconditionError(
        "this thread has a write transaction open; commit or roll it back "
        "before syncing");
  }
  sync::SyncDirection direction = sync::SyncDirection::kBoth;
  switch (options->direction) {
    case PLANSYNC_SYNC_BOTH:
      break;
    case PLANSYNC_SYNC_PUSH_ONLY:
      direction = sync::SyncDirection::kPushOnly;
      break;
    case PLANSYNC_SYNC_PULL_ONLY:
      direction = sync::SyncDirection::kPullOnly;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown sync direction ", options->direction,
          "; PLANSYNC_SYNC_BOTH (0), PLANSYNC_SYNC_PUSH_ONLY (1) or "
          "PLANSYNC_SYNC_PULL_ONLY (2)"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<sync::GrpcTransport> transport,
                   ConnectTransport(*options));
  std::lock_guard<std::mutex> lock(handle->sync_mu);
  sync::Replicator replicator(store, transport.get());
  ASSIGN_OR_RETURN(sync::SyncReport report,
                   replicator.SyncOnce(ProgressAdapter(*options), direction));
  if (counts != nullptr) *counts = CountsOf(report);
  return absl::OkStatus();
}

// `message` in `format` (PLANSYNC_REPORT_PROTO or PLANSYNC_REPORT_JSON, as
// validated by the caller) into *out and *size; `what` names it in errors.
absl::Status Encode(const google::protobuf::Message& message, int format,
                    absl::string_view what, uint8_t** out, size_t* size) {
  std::string bytes;
  if (format == PLANSYNC_REPORT_PROTO) {
    if (!message.SerializeToString(&bytes)) {
      return absl::InternalError(
          absl::StrCat(what, " could not be serialized"));
    }
    ASSIGN_OR_RETURN(*out, CopyOut(bytes));
  } else {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    const auto status =
        google::protobuf::util::MessageToJsonString(message, &bytes, options);
    if (!status.ok()) {
      return absl::InternalError(absl::StrCat(
          what, " could not be written as JSON: ", status.ToString()));
    }
    ASSIGN_OR_RETURN(char* json, CopyString(bytes));
    *out = reinterpret_cast<uint8_t*>(json);
  }
  *size = bytes.size();
  return absl::OkStatus();
}

// The parts of a plansync_report_request both the report and the evidence
// packet read: its days (today resolved) and its rule book.
struct Window {
  std::string today, from, to, student_id;
  std::optional<v1::RuleBook> rules;
};

absl::StatusOr<Window> WindowOf(DeviceStore& store,
                                const plansync_report_request& request) {
  const auto text = [](const char* value) {
    return value == nullptr ? std::string() : std::string(value);
  };
  Window window;
  ASSIGN_OR_RETURN(window.today, DayOrToday(store, request.today));
  window.from = text(request.from);
  window.to = text(request.to);
  window.student_id = text(request.student_id);
  if (request.rules != nullptr) {
    v1::RuleBook& rules = window.rules.emplace();
    if (request.rules_size > static_cast<size_t>(INT_MAX) ||
        !rules.ParseFromArray(request.rules,
                              static_cast<int>(request.rules_size))) {
      return absl::InvalidArgumentError(
          "the rules are not a serialized plansync.v1.RuleBook");
    }
  }
  return window;
}

absl::Status CheckOutput(int format, uint8_t** out, size_t* size,
                         absl::string_view what) {
  if (out == nullptr || size == nullptr) {
    return NullArgument(absl::StrCat("the ", what, " out-parameter"));
  }
  *out = nullptr;
  *size = 0;
  if (format != PLANSYNC_REPORT_PROTO && format != PLANSYNC_REPORT_JSON) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown ", what, " format ", format));
  }
  return absl::OkStatus();
}

absl::Status Report(plansync_store* handle,
                    const plansync_report_request* given_request, int format,
                    uint8_t** out, size_t* size) {
  RETURN_IF_ERROR(CheckOutput(format, out, size, "report"));
  ASSIGN_OR_RETURN(DeviceStore * store, StoreOf(handle));
  ASSIGN_OR_RETURN(
      const plansync_report_request covered,
      Covered(given_request, kReportRequestV1, "the report request"));
  ASSIGN_OR_RETURN(const Window window, WindowOf(*store, covered));
  ReportRequest report_request;
  report_request.today = window.today;
  report_request.from = window.from;
  report_request.to = window.to;
  report_request.student_id = window.student_id;
  if (window.rules.has_value()) report_request.rules = &*window.rules;
  ASSIGN_OR_RETURN(v1::Report report, BuildReport(*store, report_request));
  return Encode(report, format, "the report", out, size);
}

absl::Status Evidence(plansync_store* handle,
                      const plansync_report_request* given_request, int format,
                      uint8_t** out, size_t* size) {
  RETURN_IF_ERROR(CheckOutput(format, out, size, "evidence packet"));
  ASSIGN_OR_RETURN(DeviceStore * store, StoreOf(handle));
  ASSIGN_OR_RETURN(
      const plansync_report_request covered,
      Covered(given_request, kReportRequestV1, "the evidence request"));
  ASSIGN_OR_RETURN(const Window window, WindowOf(*store, covered));
  if (window.student_id.empty()) {
    return absl::InvalidArgumentError(
        "an evidence packet is one student's: set student_id");
  }
  EvidenceRequest request;
  request.student_id = window.student_id;
  request.today = window.today;
  request.to = window.to.empty() ? window.today : window.to;
  request.from =
      window.from.empty() ? SchoolYearStartOf(request.to) : window.from;
  if (window.rules.has_value()) request.rules = &*window.rules;
  ASSIGN_OR_RETURN(v1::EvidencePacket packet,
                   BuildEvidencePacket(*store, request));
  return Encode(packet, format, "the evidence packet", out, size);
}

}  // namespace
}  // namespace plansync::capi

using plansync::DeviceStore;
using plansync::RecordType;
using plansync::WriteTransaction;
using plansync::capi::Guard;
using plansync::capi::NullArgument;
using plansync::capi::Parse;
using plansync::capi::StoreOf;
using plansync::capi::TypeNamed;

extern "C" {

const char* plansync_version(void) { return PLANSYNC_VERSION; }

const char* plansync_code_name(int code) {
  // absl's names, made once; absl::StatusCodeToString returns a new string.
  static const std::vector<std::string>* const names = [] {
    auto* names = new std::vector<std::string>();
    for (int i = 0; i <= static_cast<int>(absl::StatusCode::kUnauthenticated);
         ++i) {
      names->push_back(
          absl::StatusCodeToString(static_cast<absl::StatusCode>(i)));
    }
    return names;
  }();
  if (code < 0 || static_cast<size_t>(code) >= names->size()) return "";
  return (*names)[code].c_str();
}

const char* plansync_reason_name(int reason) {
  const google::protobuf::EnumValueDescriptor* value =
      plansync::v1::Reason_descriptor()->FindValueByNumber(reason);
  return value == nullptr ? "" : value->name().c_str();
}

void plansync_free(void* buffer) { std::free(buffer); }

int plansync_store_open(const char* path, const char* principal_id,
                        plansync_store** store, plansync_error* error) {
  plansync_store_options options = PLANSYNC_STORE_OPTIONS_INIT;
  options.principal_id = principal_id;
  return plansync_store_open_with_options(path, &options, store, error);
}

int plansync_store_open_with_options(const char* path,
                                     const plansync_store_options* given,
                                     plansync_store** store,
                                     plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (store == nullptr) return NullArgument("the store out-parameter");
    *store = nullptr;
    if (path == nullptr) return NullArgument("the path");
    if (*path == '\0') return absl::InvalidArgumentError("the path is empty");
    ASSIGN_OR_RETURN(
        const plansync_store_options covered,
        plansync::capi::Covered(given, plansync::capi::kStoreOptionsV1,
                                "the store options"));
    if (covered.durability != PLANSYNC_DURABILITY_FULL &&
        covered.durability != PLANSYNC_DURABILITY_NORMAL) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown durability ", covered.durability,
                       "; PLANSYNC_DURABILITY_FULL (0) or "
                       "PLANSYNC_DURABILITY_NORMAL (1)"));
    }
    plansync::DeviceStoreOptions options;
    options.path = path;
    if (covered.principal_id != nullptr) {
      options.principal_id = covered.principal_id;
    }
    options.durable = covered.durability == PLANSYNC_DURABILITY_FULL;
    options.check_roles = true;
    ASSIGN_OR_RETURN(std::unique_ptr<DeviceStore> opened,
                     DeviceStore::Open(options));
    auto handle = std::make_unique<plansync_store>();
    handle->store = std::move(opened);
    *store = handle.release();
    return absl::OkStatus();
  });
}

void plansync_store_close(plansync_store* store) {
  try {
    delete store;
  } catch (...) {
    // A destructor that throws has nowhere to report to; the handle is gone.
  }
}

const char* plansync_store_principal_id(const plansync_store* store) {
  if (store == nullptr || store->store == nullptr) return "";
  return store->store->principal_id().c_str();
}

const char* plansync_store_replica_id(const plansync_store* store) {
  if (store == nullptr || store->store == nullptr) return "";
  return store->store->replica_id().c_str();
}

int plansync_begin_write(plansync_store* store, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    if (plansync::capi::OwnTransaction(store) != nullptr) {
      return absl::FailedPreconditionError(
          "this thread already has a write transaction open on the store; "
          "commit or roll it back first");
    }
    // Waits while another thread's transaction is open.
    ASSIGN_OR_RETURN(WriteTransaction txn, device->BeginWrite());
    std::lock_guard<std::mutex> lock(store->txn_mu);
    store->txn.emplace(std::move(txn));
    store->txn_thread = std::this_thread::get_id();
    return absl::OkStatus();
  });
}

int plansync_commit(plansync_store* store, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    RETURN_IF_ERROR(StoreOf(store).status());
    ASSIGN_OR_RETURN(WriteTransaction txn,
                     plansync::capi::TakeTransaction(store));
    return txn.Commit();
  });
}

void plansync_rollback(plansync_store* store) {
  if (store == nullptr || store->store == nullptr) return;
  try {
    // The taken transaction rolls back when it goes out of scope.
    plansync::capi::TakeTransaction(store).IgnoreError();
  } catch (...) {
    // Nothing to report to; SQLite rolls back a transaction left open.
  }
}

int plansync_observe(plansync_store* store, plansync_observer_callback callback,
                     void* context, plansync_observer** observer,
                     plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (observer == nullptr) return NullArgument("the observer out-parameter");
    *observer = nullptr;
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    if (callback == nullptr) return NullArgument("the callback");
    auto registration = std::make_unique<plansync_observer>();
    registration->store = device;
    registration->handle = device->AddObserver(
        [callback, context](const plansync::ChangeNotice& notice) {
          std::vector<plansync_changed_record> records;
          records.reserve(notice.records.size());
          for (const plansync::ChangedRecord& record : notice.records) {
            records.push_back(plansync_changed_record{
                record.type.c_str(), record.id.c_str(), record.remote ? 1 : 0});
          }
          std::vector<const char*> evicted;
          for (const std::string& bucket : notice.evicted_buckets) {
            evicted.push_back(bucket.c_str());
          }
          plansync_change_event event{records.data(), records.size(),
                                      evicted.data(), evicted.size()};
          callback(context, &event);
        });
    *observer = registration.release();
    return absl::OkStatus();
  });
}

void plansync_unobserve(plansync_observer* observer) {
  if (observer == nullptr) return;
  try {
    observer->store->RemoveObserver(observer->handle);
  } catch (...) {
    // RemoveObserver does not throw but for a failed lock; nothing to report.
  }
  delete observer;
}

int plansync_create(plansync_store* store, const char* type, const void* record,
                    size_t size, char** id, plansync_error* error) {
  return Guard(error, [&] {
    return plansync::capi::AddRecord(store, type, record, size, /*log=*/false,
                                     id);
  });
}

int plansync_append(plansync_store* store, const char* type, const void* entry,
                    size_t size, char** id, plansync_error* error) {
  return Guard(error, [&] {
    return plansync::capi::AddRecord(store, type, entry, size, /*log=*/true,
                                     id);
  });
}

int plansync_update(plansync_store* store, const char* type, const void* values,
                    size_t size, const char* const* fields, size_t field_count,
                    plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const RecordType* record_type, TypeNamed(type));
    if (fields == nullptr && field_count > 0) {
      return NullArgument("the field names");
    }
    std::vector<absl::string_view> names;
    for (size_t i = 0; i < field_count; ++i) {
      if (fields[i] == nullptr) {
        return NullArgument(absl::StrCat("field name ", i));
      }
      names.push_back(fields[i]);
    }
    ASSIGN_OR_RETURN(auto record, Parse(*record_type, values, size));
    return plansync::capi::RunWrite(store, device, [&](WriteTransaction& txn) {
      return device->Update(txn, *record, names);
    });
  });
}

int plansync_archive(plansync_store* store, const char* type, const char* id,
                     plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const RecordType* record_type, TypeNamed(type));
    if (id == nullptr) return NullArgument("the record id");
    return plansync::capi::RunWrite(store, device, [&](WriteTransaction& txn) {
      return device->Archive(txn, *record_type, id);
    });
  });
}

int plansync_get(plansync_store* store, const char* type, const char* id,
                 uint8_t** record, size_t* size, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (record == nullptr || size == nullptr) {
      return NullArgument("the record out-parameter");
    }
    *record = nullptr;
    *size = 0;
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const RecordType* record_type, TypeNamed(type));
    if (id == nullptr) return NullArgument("the record id");
    auto message = plansync::NewRecordMessage(*record_type);
    RETURN_IF_ERROR(device->Get(id, message.get()));
    const std::string bytes = message->SerializeAsString();
    ASSIGN_OR_RETURN(*record, plansync::capi::CopyOut(bytes));
    *size = bytes.size();
    return absl::OkStatus();
  });
}

int plansync_list(plansync_store* store, const char* type, const char* field,
                  const char* value, int include_archived,
                  plansync_record_callback callback, void* context,
                  plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const RecordType* record_type, TypeNamed(type));
    if (callback == nullptr) return NullArgument("the callback");
    const bool filtered = field != nullptr && *field != '\0';
    if (filtered && value == nullptr) return NullArgument("the field's value");
    // Read everything first, so that the callbacks run with no lock held.
    std::vector<std::string> records;
    RETURN_IF_ERROR(device->Scan(
        *record_type, filtered ? field : "", filtered ? value : "",
        include_archived != 0, [&](const google::protobuf::Message& record) {
          records.push_back(record.SerializeAsString());
          return absl::OkStatus();
        }));
    for (const std::string& bytes : records) {
      if (callback(context, reinterpret_cast<const uint8_t*>(bytes.data()),
                   bytes.size()) != 0) {
        break;
      }
    }
    return absl::OkStatus();
  });
}

int plansync_list_page(plansync_store* store, const char* type,
                       const char* field, const char* value,
                       int include_archived, const char* after_id, size_t limit,
                       plansync_record_callback callback, void* context,
                       char** next_after_id, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (next_after_id == nullptr) {
      return NullArgument("the next_after_id out-parameter");
    }
    *next_after_id = nullptr;
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const RecordType* record_type, TypeNamed(type));
    if (callback == nullptr) return NullArgument("the callback");
    const bool filtered = field != nullptr && *field != '\0';
    if (filtered && value == nullptr) return NullArgument("the field's value");
    // Read the page first, so that the callbacks run with no lock held.
    std::vector<std::string> records, ids;
    RETURN_IF_ERROR(device->ScanPage(
        *record_type, filtered ? field : "", filtered ? value : "",
        include_archived != 0, after_id == nullptr ? "" : after_id, limit,
        [&](const google::protobuf::Message& record) {
          records.push_back(record.SerializeAsString());
          ids.push_back(plansync::capi::IdOf(record));
          return absl::OkStatus();
        }));
    size_t passed = 0;
    bool stopped = false;
    for (const std::string& bytes : records) {
      ++passed;
      if (callback(context, reinterpret_cast<const uint8_t*>(bytes.data()),
                   bytes.size()) != 0) {
        stopped = true;
        break;
      }
    }
    // A full page may have more after it; a short or stopped one is the end.
    if (!stopped && limit > 0 && passed == limit) {
      ASSIGN_OR_RETURN(*next_after_id,
                       plansync::capi::CopyString(ids[passed - 1]));
    }
    return absl::OkStatus();
  });
}

int plansync_count(plansync_store* store, const char* type, const char* field,
                   const char* value, int include_archived, int64_t* count,
                   plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (count == nullptr) return NullArgument("the count out-parameter");
    *count = 0;
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const RecordType* record_type, TypeNamed(type));
    const bool filtered = field != nullptr && *field != '\0';
    if (filtered && value == nullptr) return NullArgument("the field's value");
    ASSIGN_OR_RETURN(*count, device->CountWhere(
                                 *record_type, filtered ? field : "",
                                 filtered ? value : "", include_archived != 0));
    return absl::OkStatus();
  });
}

int plansync_plan_in_effect(plansync_store* store, const char* student_id,
                            const char* day, uint8_t** view, size_t* size,
                            plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    RETURN_IF_ERROR(plansync::capi::ClearViewOut(view, size));
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    if (student_id == nullptr) return NullArgument("the student id");
    ASSIGN_OR_RETURN(const std::string on,
                     plansync::capi::DayOrToday(*device, day));
    ASSIGN_OR_RETURN(plansync::v1::PlanInEffect in_effect,
                     plansync::PlanInEffectOn(*device, student_id, on));
    return plansync::capi::ViewOut(in_effect, view, size);
  });
}

int plansync_teacher_day(plansync_store* store, const char* day,
                         const char* class_or_period, uint8_t** view,
                         size_t* size, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    RETURN_IF_ERROR(plansync::capi::ClearViewOut(view, size));
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const std::string on,
                     plansync::capi::DayOrToday(*device, day));
    ASSIGN_OR_RETURN(
        plansync::v1::TeacherDay teacher_day,
        plansync::TeacherDayOn(
            *device, on, class_or_period == nullptr ? "" : class_or_period));
    return plansync::capi::ViewOut(teacher_day, view, size);
  });
}

int plansync_student_history(plansync_store* store, const char* student_id,
                             const char* from, const char* to, uint8_t** view,
                             size_t* size, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    RETURN_IF_ERROR(plansync::capi::ClearViewOut(view, size));
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    if (student_id == nullptr) return NullArgument("the student id");
    ASSIGN_OR_RETURN(const std::string last,
                     plansync::capi::DayOrToday(*device, to));
    std::string first = from == nullptr ? "" : from;
    if (first.empty()) first = plansync::SchoolYearStartOf(last);
    if (first.empty()) first = last;  // `to` malformed: said below
    ASSIGN_OR_RETURN(
        plansync::v1::StudentHistory history,
        plansync::StudentHistoryOf(*device, student_id, first, last));
    return plansync::capi::ViewOut(history, view, size);
  });
}

int plansync_pending_count(plansync_store* store, int64_t* count,
                           plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (count == nullptr) return NullArgument("the count out-parameter");
    *count = 0;
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(*count, device->PendingCount());
    return absl::OkStatus();
  });
}

int plansync_today(plansync_store* store, char day[11], plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (day == nullptr) return NullArgument("the day buffer");
    day[0] = '\0';
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    ASSIGN_OR_RETURN(const std::string today, plansync::DistrictToday(*device));
    std::memcpy(day, today.c_str(), today.size() + 1);
    return absl::OkStatus();
  });
}

int plansync_rejected_changes(plansync_store* store,
                              plansync_rejected_callback callback,
                              void* context, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(DeviceStore * device, StoreOf(store));
    if (callback == nullptr) return NullArgument("the callback");
    ASSIGN_OR_RETURN(std::vector<plansync::OutboxEntry> rejected,
                     device->RejectedChanges());
    for (const plansync::OutboxEntry& entry : rejected) {
      const plansync::v1::Change& change = entry.change;
      std::string field;
      if (change.has_field_write()) {
        const RecordType* record_type =
            plansync::Schema::Get().Find(change.record_type());
        const plansync::FieldInfo* info =
            record_type == nullptr
                ? nullptr
                : record_type->FieldByNumber(
                      static_cast<int>(change.field_write().field_number()));
        field = info != nullptr
                    ? info->name
                    : absl::StrCat(change.field_write().field_number());
      }
      plansync_rejected_change out{};
      out.seq = entry.seq;
      out.type = change.record_type().c_str();
      out.record_id = change.record_id().c_str();
      out.field = field.c_str();
      out.reason = static_cast<int>(entry.reject_reason);
      out.message = entry.reject_message.c_str();
      if (callback(context, &out) != 0) break;
    }
    return absl::OkStatus();
  });
}

int plansync_sync(plansync_store* store, const plansync_sync_options* options,
                  plansync_sync_counts* counts, plansync_error* error) {
  return Guard(error,
               [&] { return plansync::capi::Sync(store, options, counts); });
}

int plansync_report(plansync_store* store,
                    const plansync_report_request* request, int format,
                    uint8_t** report, size_t* size, plansync_error* error) {
  return Guard(error, [&] {
    return plansync::capi::Report(store, request, format, report, size);
  });
}

int plansync_evidence_packet(plansync_store* store,
                             const plansync_report_request* request, int format,
                             uint8_t** packet, size_t* size,
                             plansync_error* error) {
  return Guard(error, [&] {
    return plansync::capi::Evidence(store, request, format, packet, size);
  });
}

}  // extern "C"
