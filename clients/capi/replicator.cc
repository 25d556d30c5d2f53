// The C API's background replicator (plansync_replicator_* in plansync.h):
// the core's Replicator in background mode over one gRPC transport, its
// statuses turned into plansync_replicator_status.
#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/capi/capi_internal.h"
#include "core/status_macros.h"
#include "plansync/plansync.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

// The handle behind the opaque plansync_replicator. The replicator goes
// before the transport it uses.
struct plansync_replicator {
  plansync_store* store = nullptr;
  plansync_replicator_callback callback = nullptr;
  void* context = nullptr;
  std::unique_ptr<plansync::sync::GrpcTransport> transport;
  std::unique_ptr<plansync::sync::Replicator> replicator;
};

namespace plansync::capi {
namespace {

using State = sync::ReplicatorStatus::State;

int StateCode(State state) {
  switch (state) {
    case State::kStopped:
      return PLANSYNC_REPLICATOR_STOPPED;
    case State::kConnecting:
      return PLANSYNC_REPLICATOR_CONNECTING;
    case State::kIdle:
      return PLANSYNC_REPLICATOR_IDLE;
    case State::kBusy:
      return PLANSYNC_REPLICATOR_BUSY;
    case State::kOffline:
      return PLANSYNC_REPLICATOR_OFFLINE;
    case State::kError:
      return PLANSYNC_REPLICATOR_ERROR;
  }
  return PLANSYNC_REPLICATOR_ERROR;
}

// Hands `status` to the app's callback as a plansync_replicator_status.
void Deliver(const plansync_replicator& handle,
             const sync::ReplicatorStatus& status) {
  if (handle.callback == nullptr) return;
  plansync_replicator_status out{};
  out.state = StateCode(status.state);
  out.syncs = status.syncs;
  plansync_error error{};
  switch (status.state) {
    case State::kBusy:
      if (status.progress.phase == sync::SyncProgress::Phase::kPush) {
        out.phase = PLANSYNC_SYNC_PUSH;
        out.done = status.progress.pushed;
        out.total = status.progress.push_total;
      } else {
        out.phase = PLANSYNC_SYNC_PULL;
        out.done = status.progress.pulled;
        out.total = -1;
      }
      break;
    case State::kIdle:
      out.counts = CountsOf(status.last_sync);
      break;
    case State::kOffline:
    case State::kError:
      Fill(status.error, &error);
      out.error = &error;
      out.retry_in_ms = absl::ToInt64Milliseconds(status.retry_in);
      break;
    default:
      break;
  }
  handle.callback(handle.context, &out);
}

absl::Status Start(plansync_store* store_handle,
                   const plansync_sync_options* given_options,
                   plansync_replicator_callback callback, void* context,
                   plansync_replicator** out) {
  if (out == nullptr) return NullArgument("the replicator out-parameter");
  *out = nullptr;
  ASSIGN_OR_RETURN(DeviceStore * store, StoreOf(store_handle));
  ASSIGN_OR_RETURN(const plansync_sync_options options,
                   Covered(given_options, kSyncOptionsV1, "the sync options"));
  if (options.direction != PLANSYNC_SYNC_BOTH) {
    return absl::InvalidArgumentError(
        "a replicator syncs both ways; set the options' direction to "
        "PLANSYNC_SYNC_BOTH (plansync_sync pushes or pulls alone)");
  }
  if (options.progress != nullptr) {
    return absl::InvalidArgumentError(
        "a replicator reports progress through its status callback; leave "
        "the options' progress NULL");
  }
  auto handle = std::make_unique<plansync_replicator>();
  handle->store = store_handle;
  handle->callback = callback;
  handle->context = context;
  ASSIGN_OR_RETURN(handle->transport, ConnectTransport(options));
  if (store_handle->replicating.exchange(true)) {
    return absl::FailedPreconditionError(
        "a replicator already runs on this store; stop it first");
  }
  sync::ReplicatorOptions replicator_options;
  replicator_options.sync_lock = &store_handle->sync_mu;
  handle->replicator = std::make_unique<sync::Replicator>(
      store, handle->transport.get(), replicator_options);
  plansync_replicator* raw = handle.get();
  handle->replicator->Start(
      handle->transport.get(),
      [raw](const sync::ReplicatorStatus& status) { Deliver(*raw, status); });
  *out = handle.release();
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::capi

extern "C" {

int plansync_replicator_start(plansync_store* store,
                              const plansync_sync_options* options,
                              plansync_replicator_callback callback,
                              void* context, plansync_replicator** replicator,
                              plansync_error* error) {
  return plansync::capi::Guard(error, [&] {
    return plansync::capi::Start(store, options, callback, context, replicator);
  });
}

void plansync_replicator_stop(plansync_replicator* replicator) {
  if (replicator == nullptr) return;
  try {
    replicator->replicator->Stop();
    replicator->store->replicating = false;
  } catch (...) {
    // Stop does not throw; nothing may cross the C boundary regardless.
  }
  delete replicator;
}

}  // extern "C"
