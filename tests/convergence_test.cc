// Convergence through the real server logic and the real replicator: five
// devices and a server, over a transport that drops, duplicates, replays and
// cuts calls, with partitions and skewed device clocks (one beyond the drift
// bound). After the network heals, every device holds the same record and
// nothing any device wrote is lost or refused.
//
// A world (a server and five device stores, in memory) is set up once: device
// 0 (the case manager) records one record of each type and everyone syncs
// cleanly. It then lives through kSchedulesPerWorld consecutive seeds, each a
// schedule: device clocks are set afresh (so they also jump back, as a
// device's does when its time is corrected), random writes, syncs and
// partitions run over the faulty network, the network heals, and every
// device must hold what device 0 holds. Devices carry their history from one
// schedule to the next, as real ones do; opening stores once per world
// instead of once per schedule makes a schedule several times cheaper.
//
// A check after a schedule compares each device's mirror of its records with
// device 0's: the mirror is kept from the store's change notices (each
// committed write and applied pull names the records it changed, which the
// check then reads), so a check reads what the schedule changed rather than
// every record. The last schedule of a world (and a replayed seed) also
// compares the stores' full content hashes, which would catch a record
// changed without a notice, and a notice missed (an observer's bug) fails
// the mirror check itself.
//
// 10,000 seeded schedules in the normal suite (20 shards of 500) call the
// handlers directly; 2 more shards of 100 go through the gRPC service on an
// in-process channel, and 1 of 100 calls the handlers over the PostgreSQL
// server store (a new database a world, on the tests' PostgreSQL).
// PLANSYNC_SCHEDULES sets the number per shard for a long run (rounded up to
// whole worlds); PLANSYNC_SEED=S replays seed S, running its world from its
// first seed through S; a failing schedule prints its replay command.
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "core/schema.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/grpc_service.h"
#include "server/postgres_server_store.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"
#include "tests/pg_test_util.h"
#include "tests/property.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

constexpr int kDevices = 5;
constexpr int kShards = 20;
constexpr int kSchedulesPerShard = 500;
constexpr int kGrpcShards = 2;
constexpr int kSchedulesPerGrpcShard = 100;
// The last shard's server store is PostgreSQL (a new database per world).
constexpr int kPgShards = 1;
constexpr int kSchedulesPerPgShard = 100;
constexpr uint64_t kSchedulesPerWorld = 50;
constexpr int64_t kTenMinutes = 10 * 60 * 1000;

// The first seed of the world that seed `seed` (1-based) runs in.
uint64_t WorldStart(uint64_t seed) {
  return seed - (seed - 1) % kSchedulesPerWorld;
}

struct Device {
  std::unique_ptr<FakeClock> clock;
  std::unique_ptr<DeviceStore> store;
  std::unique_ptr<sync::SyncTransport> inner;  // direct or gRPC
  std::unique_ptr<testing::FaultTransport> faulty;
  std::unique_ptr<sync::Replicator> replicator;
  // The records the store holds, serialized, by (type, id); `changed` lists
  // those its change notices named since the mirror was last brought up to
  // date. `evicted` if a notice dropped buckets whole.
  std::map<std::pair<std::string, std::string>, std::string> mirror;
  std::set<std::pair<std::string, std::string>> changed;
  bool evicted = false;

  // Reads the records named since the last call into `mirror`; "" or what
  // failed.
  std::string UpdateMirror() {
    for (const auto& key : changed) {
      const RecordType* type = Schema::Get().FindCanonical(key.first);
      if (type == nullptr) return absl::StrCat("unknown type ", key.first);
      auto record = NewRecordMessage(*type);
      const absl::Status status = store->Get(key.second, record.get());
      if (absl::IsNotFound(status)) {
        mirror.erase(key);
      } else if (!status.ok()) {
        return status.ToString();
      } else {
        mirror[key] = record->SerializeAsString();  // no map fields: stable
      }
    }
    changed.clear();
    return "";
  }
};

// A server and five devices, in memory, through a run of schedules.
class World {
 public:
  // `pg_uri`: the server store is that PostgreSQL database; empty: SQLite in
  // memory.
  World(uint64_t world_seed, bool over_grpc, std::string pg_uri = "")
      : seed_(world_seed), over_grpc_(over_grpc), pg_uri_(std::move(pg_uri)) {}
  ~World() {
    devices_.clear();  // replicators and transports before the server
    if (grpc_server_ != nullptr) grpc_server_->Shutdown();
  }

  // Opens the stores; "" or what failed.
  std::string Open() {
    std::mt19937_64 rng(seed_);
    absl::StatusOr<std::unique_ptr<server::ServerStore>> server_store;
    if (pg_uri_.empty()) {
      server::SqliteServerStoreOptions store_options;
      store_options.path = ":memory:";
      server_store = server::OpenSqliteServerStore(store_options);
    } else {
      server::PostgresServerStoreOptions store_options;
      store_options.conninfo = pg_uri_;
      store_options.pool_size = 4;
      server_store = server::OpenPostgresServerStore(store_options);
    }
    if (!server_store.ok()) return server_store.status().ToString();
    server_store_ = std::move(*server_store);
    server::ServerLimits limits;
    limits.max_changes_per_push = 1 + static_cast<uint32_t>(rng() % 8);
    limits.pull_page_changes = 2 + static_cast<uint32_t>(rng() % 6);
    handlers_ = std::make_unique<server::SyncHandlers>(
        server_store_.get(), &server_clock_, limits, seed_);
    service_ = std::make_unique<server::GrpcSyncService>(handlers_.get(),
                                                         &authenticator_);
    std::shared_ptr<grpc::Channel> channel;
    if (over_grpc_) {
      grpc::ServerBuilder builder;
      builder.RegisterService(service_.get());
      grpc_server_ = builder.BuildAndStart();
      channel = grpc_server_->InProcessChannel(grpc::ChannelArguments());
    }
    sync::ReplicatorOptions options;
    options.retry.max_attempts = 3;
    options.sleep = [](absl::Duration) {};
    devices_.resize(kDevices);
    for (int d = 0; d < kDevices; ++d) {
      Device& device = devices_[d];
      device.clock = std::make_unique<FakeClock>(testing::kStartMillis);
      DeviceStoreOptions store_opts;
      store_opts.path = ":memory:";
      store_opts.principal_id = absl::StrCat("user-", d);
      store_opts.clock = device.clock.get();
      store_opts.seed = seed_ * 31 + d;
      auto store = DeviceStore::Open(store_opts);
      if (!store.ok()) return store.status().ToString();
      device.store = std::move(*store);
      device.store->AddObserver([&device](const ChangeNotice& notice) {
        for (const ChangedRecord& record : notice.records) {
          device.changed.emplace(record.type, record.id);
        }
        if (!notice.evicted_buckets.empty()) device.evicted = true;
      });
      if (over_grpc_) {
        sync::TransportOptions transport_options;
        transport_options.principal_id = store_opts.principal_id;
        device.inner =
            std::make_unique<sync::GrpcTransport>(channel, transport_options);
      } else {
        device.inner = std::make_unique<testing::DirectTransport>(
            handlers_.get(), store_opts.principal_id);
      }
      device.faulty = std::make_unique<testing::FaultTransport>(
          device.inner.get(), testing::Faults{}, seed_ * 17 + d);
      options.seed = seed_ * 13 + d + 1;
      device.replicator = std::make_unique<sync::Replicator>(
          device.store.get(), device.faulty.get(), options);
    }
    // Device 0 (the case manager) records the plan; everyone syncs cleanly.
    ids_ = testing::CreateOneOfEach(*devices_[0].store);
    for (Device& device : devices_) {
      auto report = device.replicator->SyncOnce();
      if (!report.ok())
        return absl::StrCat("setup sync: ", report.status().ToString());
    }
    return "";
  }

  // Runs schedule `seed`; "" or a description of what went wrong. With
  // `full_check` the stores' whole content is compared too.
  std::string RunSchedule(uint64_t seed, bool full_check) {
    std::mt19937_64 rng(seed);
    // Each device's clock is set afresh from the server's: up to two minutes
    // either way, and device 4 seven minutes fast (beyond the server's
    // five-minute bound) in some schedules. Clocks thus also jump back
    // between schedules, as a device's does when its time is corrected.
    for (int d = 0; d < kDevices; ++d) {
      int64_t skew = static_cast<int64_t>(rng() % 240000) - 120000;
      if (d == 4 && rng() % 2 == 0) skew = 7 * 60 * 1000;
      devices_[d].clock->Set(server_clock_.NowMillis() + skew);
    }

    const testing::Faults faults{0.1, 0.1, 0.1, 0.1, 0.2};
    for (Device& device : devices_) device.faulty->set_faults(faults);
    const int steps = 10 + static_cast<int>(rng() % 30);
    for (int step = 0; step < steps; ++step) {
      const size_t d = rng() % kDevices;
      Device& device = devices_[d];
      const uint64_t action = rng() % 11;
      if (action < 4) {
        absl::Status status =
            testing::RandomWrites(*device.store, *device.clock, rng, ids_);
        if (!status.ok()) return absl::StrCat("write: ", status.ToString());
      } else if (action < 8) {
        device.replicator->SyncOnce().IgnoreError();  // faults may fail it
      } else if (action < 10) {
        device.faulty->set_partitioned(rng() % 2 == 0);
      } else {
        const std::string refused = Squat(
            device, devices_[(d + 1 + rng() % (kDevices - 1)) % kDevices]);
        if (!refused.empty()) return refused;
      }
      const int64_t tick = static_cast<int64_t>(rng() % 2000);
      server_clock_.Advance(tick);
      for (Device& d : devices_) d.clock->Advance(tick);
    }

    // The network heals and time passes beyond the fast device's lead.
    server_clock_.Advance(kTenMinutes);
    for (Device& device : devices_) {
      device.clock->Advance(kTenMinutes);
      device.faulty->set_faults(testing::Faults{});
      device.faulty->set_partitioned(false);
    }
    // Everyone pushes, then everyone pulls: the server then holds every
    // change (and the conflicts it recorded), and every device all of them.
    for (sync::SyncDirection direction :
         {sync::SyncDirection::kPushOnly, sync::SyncDirection::kPullOnly}) {
      for (Device& device : devices_) {
        auto report = device.replicator->SyncOnce({}, direction);
        if (!report.ok())
          return absl::StrCat("final sync: ", report.status().ToString());
      }
    }
    return CheckConverged(full_check);
  }

  // `squatter` pushes one of its pending changes under the replica id of
  // `owner` with the sequence number of the owner's oldest pending change.
  // "" if the server refuses it as another user's replica (or there was
  // nothing to forge); the owner's own change must still land later.
  std::string Squat(Device& squatter, Device& owner) {
    auto mine = squatter.store->PendingChanges(1);
    auto theirs = owner.store->PendingChanges(1);
    if (!mine.ok() || !theirs.ok() || mine->empty() || theirs->empty()) {
      return "";
    }
    v1::PushRequest request;
    v1::Change* forged = request.add_changes();
    *forged = mine->front().change;
    forged->set_replica_id(owner.store->replica_id());
    forged->set_replica_seq(theirs->front().seq);
    auto response = squatter.inner->Push(request);
    if (!response.ok()) {
      return absl::StatusCode::kPermissionDenied == response.status().code()
                 ? ""
                 : absl::StrCat("squat: ", response.status().ToString());
    }
    if (response->results_size() != 1 ||
        response->results(0).status() != v1::ChangeResult::REJECTED ||
        response->results(0).reason() != v1::REPLICA_NOT_OWNED) {
      return absl::StrCat(
          "a change under another user's replica id was not "
          "refused: ",
          response->ShortDebugString());
    }
    return "";
  }

  // "" if every device holds exactly what device 0 holds, with nothing
  // pending or refused: their mirrors agree and, with `full_check` (or after
  // an eviction), so do their content hashes.
  std::string CheckConverged(bool full_check) {
    for (int d = 0; d < kDevices; ++d) {
      Device& device = devices_[d];
      DeviceStore& store = *device.store;
      if (*store.PendingCount() != 0) {
        return absl::StrCat("device ", d, " still has ", *store.PendingCount(),
                            " pending changes");
      }
      if (!store.RejectedChanges()->empty()) {
        return absl::StrCat("device ", d, ": a change was refused: ",
                            store.RejectedChanges()->front().reject_message);
      }
      const std::string failed = device.UpdateMirror();
      if (!failed.empty()) return absl::StrCat("device ", d, ": ", failed);
      full_check = full_check || device.evicted;
      device.evicted = false;
    }
    const auto& expected = devices_[0].mirror;
    for (int d = 1; d < kDevices; ++d) {
      const auto& actual = devices_[d].mirror;
      if (actual == expected) continue;
      for (const auto& [key, content] : expected) {
        auto found = actual.find(key);
        if (found == actual.end() || found->second != content) {
          return absl::StrCat("device ", d, " differs from device 0 in ",
                              key.first, " ", key.second);
        }
      }
      return absl::StrCat("device ", d, " holds records device 0 lacks");
    }
    if (!full_check) return "";
    auto expected_hash = devices_[0].store->ContentHash();
    if (!expected_hash.ok()) return expected_hash.status().ToString();
    for (int d = 1; d < kDevices; ++d) {
      auto actual = devices_[d].store->ContentHash();
      if (!actual.ok()) return actual.status().ToString();
      if (*actual != *expected_hash) {
        return absl::StrCat("device ", d,
                            " diverged from device 0 (content hash)");
      }
    }
    return "";
  }

 private:
  const uint64_t seed_;
  const bool over_grpc_;
  const std::string pg_uri_;
  FakeClock server_clock_{testing::kStartMillis};
  std::unique_ptr<server::ServerStore> server_store_;
  std::unique_ptr<server::SyncHandlers> handlers_;
  server::DevAuthenticator authenticator_;
  std::unique_ptr<server::GrpcSyncService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::vector<Device> devices_;
  std::map<std::string, std::string> ids_;  // one record of each type
};

class ConvergenceTest : public ::testing::TestWithParam<int> {};

// The number of schedules a shard of `default_count` runs (PLANSYNC_SCHEDULES
// overrides it), in whole worlds.
uint64_t SchedulesPerShard(uint64_t default_count) {
  const uint64_t count = testing::PropertySeeds(1, default_count).size();
  return (count + kSchedulesPerWorld - 1) / kSchedulesPerWorld *
         kSchedulesPerWorld;
}

TEST_P(ConvergenceTest, DevicesConvergeThroughFaultsPartitionsAndSkew) {
  const int shard = GetParam();
  const bool over_grpc = shard >= kShards && shard < kShards + kGrpcShards;
  const bool on_pg = shard >= kShards + kGrpcShards;
  std::vector<uint64_t> seeds;
  if (const char* replay = std::getenv("PLANSYNC_SEED")) {
    const uint64_t last = std::strtoull(replay, nullptr, 10);
    for (uint64_t s = WorldStart(last); s <= last; ++s) seeds.push_back(s);
  } else {
    // Shards take disjoint runs of seeds, each starting a world.
    const uint64_t stride = SchedulesPerShard(kSchedulesPerShard);
    const uint64_t count =
        SchedulesPerShard(on_pg       ? kSchedulesPerPgShard
                          : over_grpc ? kSchedulesPerGrpcShard
                                      : kSchedulesPerShard);
    const uint64_t first = 1 + static_cast<uint64_t>(shard) * stride;
    for (uint64_t i = 0; i < count; ++i) seeds.push_back(first + i);
  }
  const std::string filter = absl::StrCat("*DevicesConverge*/", shard);
  std::unique_ptr<World> world;
  for (uint64_t seed : seeds) {
    if (world == nullptr || WorldStart(seed) == seed) {
      world.reset();
      std::string pg_uri;
      if (on_pg) {
        PLANSYNC_PG_DATABASE(uri);
        pg_uri = uri;
      }
      world = std::make_unique<World>(WorldStart(seed), over_grpc, pg_uri);
      ASSERT_EQ(world->Open(), "")
          << testing::ReplayHint("convergence_test", filter.c_str(), seed);
    }
    const bool full_check =
        seed % kSchedulesPerWorld == 0 || seed == seeds.back();
    ASSERT_EQ(world->RunSchedule(seed, full_check), "")
        << testing::ReplayHint("convergence_test", filter.c_str(), seed);
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, ConvergenceTest,
                         ::testing::Range(0,
                                          kShards + kGrpcShards + kPgShards));

}  // namespace
}  // namespace plansync
