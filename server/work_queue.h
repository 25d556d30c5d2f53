// A fixed pool of threads running queued tasks in order of arrival.
#ifndef PLANSYNC_SERVER_WORK_QUEUE_H_
#define PLANSYNC_SERVER_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace plansync::server {

// Thread-safe.
class WorkQueue {
 public:
  explicit WorkQueue(int threads);
  // Runs the tasks already queued, then joins the threads.
  ~WorkQueue();

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `task`; never blocks on the tasks.
  void Schedule(std::function<void()> task);

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_WORK_QUEUE_H_
