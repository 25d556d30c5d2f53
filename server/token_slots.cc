#include "server/token_slots.h"

#include <utility>

namespace plansync::server {

TokenSlots::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      token_id_(std::move(other.token_id_)) {}

TokenSlots::Slot::~Slot() {
  if (owner_ != nullptr) owner_->Release(token_id_);
}

std::optional<TokenSlots::Slot> TokenSlots::TryAcquire(
    absl::string_view token_id) {
  if (token_id.empty()) return Slot(nullptr, "");
  absl::MutexLock lock(&mu_);
  uint32_t& held = held_[token_id];
  if (held >= limit_) {
    if (held == 0) held_.erase(token_id);
    return std::nullopt;
  }
  ++held;
  return Slot(this, std::string(token_id));
}

uint32_t TokenSlots::HeldBy(absl::string_view token_id) const {
  absl::MutexLock lock(&mu_);
  auto it = held_.find(token_id);
  return it == held_.end() ? 0 : it->second;
}

void TokenSlots::Release(const std::string& token_id) {
  absl::MutexLock lock(&mu_);
  auto it = held_.find(token_id);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
}

}  // namespace plansync::server
