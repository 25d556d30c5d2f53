// Keeps open Watch streams in line with the store, which other processes
// (plansync-server admin) also write: every interval it ends the streams of
// revoked tokens and, when grants changed, tells each watching principal its
// readable buckets. One store query per check for tokens, one per watching
// principal when grants changed.
#ifndef PLANSYNC_SERVER_WATCH_SUPERVISOR_H_
#define PLANSYNC_SERVER_WATCH_SUPERVISOR_H_

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/server_store.h"
#include "server/sync_handlers.h"

namespace plansync::server {

class WatchSupervisor {
 public:
  // None owned; all must outlive the supervisor. Checks every `interval`
  // on its own thread until destroyed.
  WatchSupervisor(SyncHandlers* handlers, ServerStore* store,
                  absl::Duration interval);
  ~WatchSupervisor();

  // One check, now (the thread calls this; tests may too).
  absl::Status CheckOnce();

 private:
  void Loop();

  SyncHandlers* const handlers_;
  ServerStore* const store_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex check_mu_;  // one check at a time
  int64_t grants_version_ ABSL_GUARDED_BY(check_mu_) = -1;
  std::string day_ ABSL_GUARDED_BY(check_mu_);
  std::thread thread_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_WATCH_SUPERVISOR_H_
