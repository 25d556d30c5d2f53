// Counts what each device token holds open at once (Watch streams, running
// pulls) against a limit, so that one principal cannot tie up the server.
#ifndef PLANSYNC_SERVER_TOKEN_SLOTS_H_
#define PLANSYNC_SERVER_TOKEN_SLOTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace plansync::server {

// Thread-safe. Must outlive every Slot it hands out.
class TokenSlots {
 public:
  // One held slot; gives it back when destroyed. Move-only.
  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) = delete;
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    friend class TokenSlots;
    Slot(TokenSlots* owner, std::string token_id)
        : owner_(owner), token_id_(std::move(token_id)) {}
    TokenSlots* owner_;  // null once moved from
    std::string token_id_;
  };

  explicit TokenSlots(uint32_t limit) : limit_(limit) {}

  // A slot for `token_id`, or nullopt if it already holds `limit()`. An
  // empty token id (a call authenticated without a token: the development
  // authenticator of in-process tests) is never limited.
  std::optional<Slot> TryAcquire(absl::string_view token_id);

  uint32_t limit() const { return limit_; }
  // Slots `token_id` holds now (for tests).
  uint32_t HeldBy(absl::string_view token_id) const;

 private:
  void Release(const std::string& token_id);

  const uint32_t limit_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint32_t> held_ ABSL_GUARDED_BY(mu_);
};

}  // namespace plansync::server

#endif  // PLANSYNC_SERVER_TOKEN_SLOTS_H_
