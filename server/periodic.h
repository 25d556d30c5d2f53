// Runs a task every interval on a thread of its own, until destroyed.
#ifndef PLANSYNC_SERVER_PERIODIC_H_
#define PLANSYNC_SERVER_PERIODIC_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace plansync::server {

class Periodic {
 public:
  // Calls `task` every `interval` (the first time one interval from now).
  Periodic(absl::Duration interval, std::function<void()> task);
  // Waits for a running call of the task to return; no call after.
  ~Periodic();

  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  void Loop();

  const absl::Duration interval_;
  const std::function<void()> task_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_PERIODIC_H_
