// Fan-out of "bucket B changed" across the plansync-server processes that
// share one PostgreSQL store. A process announces the buckets its commits
// changed: they are gathered and sent as one NOTIFY about every 50 ms on a
// connection of the fan-out's own (never inside a push transaction, where
// NOTIFY would take a database-wide lock at commit and serialize every
// writer). Each process LISTENs on one more connection, reads the heads of
// the buckets it hears of and hands them on. Notifications are lost while a
// connection is down, so after it reconnects, and every few seconds anyway,
// the heads of the buckets the process's streams watch are read again. A
// poke is only a hint: devices always pull by cursor.
#ifndef PLANSYNC_SERVER_POSTGRES_FANOUT_H_
#define PLANSYNC_SERVER_POSTGRES_FANOUT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/server_store.h"

namespace plansync::server {

class PostgresFanout {
 public:
  struct Options {
    std::string conninfo;
    absl::Duration notify_every = absl::Milliseconds(50);
    absl::Duration resync_every = absl::Seconds(3);
  };
  // Starts the notifier and listener threads. `on_heads` gets the buckets
  // other processes changed (and any the resync finds ahead), with their
  // heads, only ever higher than what it got before for a bucket; `watched`
  // says which buckets the process's streams watch. Both are called on the
  // listener thread.
  PostgresFanout(Options options, ServerStore::HeadsCallback on_heads,
                 ServerStore::WatchedBuckets watched);
  ~PostgresFanout();  // stops both threads

  // Buckets this process's commits changed (already published locally).
  void Announce(const absl::flat_hash_map<std::string, int64_t>& heads);

 private:
  void NotifyLoop();
  void ListenLoop();
  // Hands on the buckets of `heads` that are ahead of what was handed on.
  void HandOn(const absl::flat_hash_map<std::string, int64_t>& heads);

  const Options options_;
  const ServerStore::HeadsCallback on_heads_;
  const ServerStore::WatchedBuckets watched_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<std::string> pending_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> known_ ABSL_GUARDED_BY(mu_);
  std::thread notifier_;
  std::thread listener_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_POSTGRES_FANOUT_H_
