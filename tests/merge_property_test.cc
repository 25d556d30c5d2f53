// Merging is commutative, associative and idempotent: a set of changes
// delivered in any order, in any batches, any number of times, gives the same
// state. Checked on the pure rules (10,000 seeded schedules) and on real
// device stores exchanging their outboxes.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "core/merge.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/property.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

// --- Pure rules ---------------------------------------------------------

struct RegisterWrite {
  int record = 0, field = 0;
  Hlc hlc = 0;
  std::string replica;
  int value = 0;
};

struct Model {
  struct Cell {
    int value;
    Hlc hlc;
    std::string replica;
  };
  std::map<std::pair<int, int>, Cell> registers;
  std::map<std::string, v1::Comment> log;

  void Apply(const RegisterWrite& w) {
    auto it = registers.find({w.record, w.field});
    std::optional<Stamp> stored;
    if (it != registers.end())
      stored = Stamp{it->second.hlc, it->second.replica};
    if (MergeRegister(stored, Stamp{w.hlc, w.replica}) ==
        RegisterMerge::kTakeIncoming) {
      registers[{w.record, w.field}] = Cell{w.value, w.hlc, w.replica};
    }
  }
  void Apply(const v1::Comment& entry) {
    auto it = log.find(entry.id());
    if (MergeLogEntry(it == log.end() ? nullptr : &it->second, entry) ==
        LogMerge::kInsert) {
      log[entry.id()] = entry;
    }
  }
  bool operator==(const Model& other) const {
    if (log.size() != other.log.size()) return false;
    for (const auto& [id, entry] : log) {
      auto it = other.log.find(id);
      if (it == other.log.end() ||
          it->second.SerializeAsString() != entry.SerializeAsString()) {
        return false;
      }
    }
    if (registers.size() != other.registers.size()) return false;
    for (const auto& [key, cell] : registers) {
      auto it = other.registers.find(key);
      if (it == other.registers.end() || it->second.value != cell.value ||
          it->second.hlc != cell.hlc || it->second.replica != cell.replica) {
        return false;
      }
    }
    return true;
  }
};

// A change for the pure model: a register write or a log entry.
struct PureChange {
  bool is_log = false;
  RegisterWrite write;
  v1::Comment entry;
};

std::vector<PureChange> RandomChanges(std::mt19937_64& rng) {
  std::vector<PureChange> changes;
  const int replicas = 5;
  std::vector<Hlc> clocks(replicas);
  for (int r = 0; r < replicas; ++r) {
    clocks[r] =
        HlcPack(1788868800000 + static_cast<int64_t>(rng() % 120000), 0);
  }
  const int count = 5 + static_cast<int>(rng() % 40);
  for (int i = 0; i < count; ++i) {
    const int r = static_cast<int>(rng() % replicas);
    // Replicas' clocks collide on purpose (ties broken by replica id).
    clocks[r] += rng() % 3 == 0 ? 0 : 1 + rng() % 5;
    PureChange change;
    if (rng() % 3 == 0) {
      change.is_log = true;
      change.entry.set_id(absl::StrCat("entry-", r, "-", i));
      change.entry.set_text(absl::StrCat("comment ", rng() % 1000));
      change.entry.set_author_id(absl::StrCat("user-", r));
    } else {
      change.write = RegisterWrite{
          static_cast<int>(rng() % 3), static_cast<int>(rng() % 3), clocks[r],
          absl::StrCat("replica-", r), static_cast<int>(rng() % 100)};
      clocks[r] += 1;  // one replica never reuses a stamp for two writes
    }
    changes.push_back(std::move(change));
  }
  return changes;
}

Model ApplyAll(const std::vector<PureChange>& changes) {
  Model model;
  for (const PureChange& c : changes) {
    if (c.is_log) {
      model.Apply(c.entry);
    } else {
      model.Apply(c.write);
    }
  }
  return model;
}

TEST(MergeProperty, AnyOrderAnyGroupingAnyRepetitionGivesOneState) {
  for (uint64_t seed : testing::PropertySeeds(1, 10000)) {
    std::mt19937_64 rng(seed);
    const std::vector<PureChange> changes = RandomChanges(rng);
    const Model reference = ApplyAll(changes);

    // Commutativity and idempotence: shuffled, with duplicates.
    std::vector<PureChange> delivered = changes;
    for (size_t i = 0, n = rng() % 10; i < n; ++i) {
      delivered.push_back(changes[rng() % changes.size()]);
    }
    std::shuffle(delivered.begin(), delivered.end(), rng);
    const Model shuffled = ApplyAll(delivered);

    // Associativity: merge two partial states, each built from a part of the
    // changes, by replaying one's changes onto the other.
    const size_t cut = rng() % (changes.size() + 1);
    std::vector<PureChange> left(changes.begin(), changes.begin() + cut);
    std::vector<PureChange> right(changes.begin() + cut, changes.end());
    std::vector<PureChange> right_then_left = right;
    right_then_left.insert(right_then_left.end(), left.begin(), left.end());
    const Model grouped = ApplyAll(right_then_left);

    ASSERT_TRUE(shuffled == reference) << testing::ReplayHint(
        "merge_property_test", "MergeProperty.AnyOrder*", seed);
    ASSERT_TRUE(grouped == reference) << testing::ReplayHint(
        "merge_property_test", "MergeProperty.AnyOrder*", seed);
  }
}

// --- Real device stores -------------------------------------------------

// Delivers `changes` to `store` shuffled, with duplicates, in random batches.
void Deliver(DeviceStore& store, std::vector<v1::Change> changes,
             std::mt19937_64& rng) {
  for (size_t i = 0, n = rng() % 5; i < n && !changes.empty(); ++i) {
    changes.push_back(changes[rng() % changes.size()]);
  }
  std::shuffle(changes.begin(), changes.end(), rng);
  size_t at = 0;
  while (at < changes.size()) {
    const size_t batch = std::min(changes.size() - at, 1 + rng() % 8);
    auto results =
        store.ApplyRemote(absl::MakeConstSpan(changes).subspan(at, batch));
    ASSERT_TRUE(results.ok()) << results.status();
    for (const RemoteResult& result : *results) {
      ASSERT_NE(result.outcome, RemoteOutcome::kRejected) << result.error;
    }
    at += batch;
  }
}

std::vector<v1::Change> Outbox(DeviceStore& store) {
  std::vector<v1::Change> changes;
  absl::StatusOr<std::vector<OutboxEntry>> pending =
      store.PendingChanges(100000);
  EXPECT_TRUE(pending.ok()) << pending.status();
  if (!pending.ok()) return changes;
  for (OutboxEntry& entry : *pending)
    changes.push_back(std::move(entry.change));
  return changes;
}

TEST(MergeProperty, DeviceStoresExchangingChangesConverge) {
  for (uint64_t seed : testing::PropertySeeds(1, 150)) {
    SCOPED_TRACE(testing::ReplayHint("merge_property_test",
                                     "MergeProperty.DeviceStores*", seed));
    std::mt19937_64 rng(seed);
    constexpr int kDevices = 5;
    std::vector<std::unique_ptr<FakeClock>> clocks;
    std::vector<std::unique_ptr<DeviceStore>> stores;
    for (int d = 0; d < kDevices; ++d) {
      // Device clocks skewed by up to two minutes either way.
      clocks.push_back(std::make_unique<FakeClock>(
          testing::kStartMillis + static_cast<int64_t>(rng() % 240000) -
          120000));
      stores.push_back(testing::OpenStore(":memory:", absl::StrCat("user-", d),
                                          clocks.back().get(), seed * 10 + d));
    }
    // Device 0 makes the shared records; everyone receives them.
    auto ids = testing::CreateOneOfEach(*stores[0]);
    std::vector<v1::Change> all = Outbox(*stores[0]);
    for (int d = 1; d < kDevices; ++d) Deliver(*stores[d], all, rng);

    // Two rounds of offline writes with a partial exchange in between, then
    // everyone receives everything.
    for (int round = 0; round < 2; ++round) {
      for (int d = 0; d < kDevices; ++d) {
        ASSERT_OK(testing::RandomWrites(*stores[d], *clocks[d], rng, ids));
      }
      all.clear();
      for (auto& store : stores) {
        for (auto& change : Outbox(*store)) all.push_back(change);
      }
      if (round == 0) {
        for (auto& store : stores) {
          std::vector<v1::Change> some;
          for (auto& change : all) {
            if (rng() % 2) some.push_back(change);
          }
          Deliver(*store, some, rng);
        }
      }
    }
    for (auto& store : stores) Deliver(*store, all, rng);

    const uint64_t expected = *stores[0]->ContentHash();
    for (int d = 1; d < kDevices; ++d) {
      ASSERT_EQ(*stores[d]->ContentHash(), expected) << "device " << d;
    }
  }
}

}  // namespace
}  // namespace plansync
