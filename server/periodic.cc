#include "server/periodic.h"

#include <utility>

namespace plansync::server {

Periodic::Periodic(absl::Duration interval, std::function<void()> task)
    : interval_(interval),
      task_(std::move(task)),
      thread_([this] { Loop(); }) {}

Periodic::~Periodic() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void Periodic::Loop() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_)) {
    mu_.Unlock();
    task_();
    mu_.Lock();
  }
}

}  // namespace plansync::server
