// Convergence through the real server logic and the real replicator: five
// devices and a server, over a transport that drops, duplicates, replays and
// cuts calls, with partitions and skewed device clocks (one beyond the drift
// bound). After the network heals, every device holds the same record and
// nothing any device wrote is lost or refused.
//
// 10,000 seeded schedules in the normal suite (20 shards of 500) call the
// handlers directly; 2 more shards of 100 go through the gRPC service on an
// in-process channel (slower per schedule);
// PLANSYNC_SCHEDULES sets the number per shard for a long run, PLANSYNC_SEED
// replays one schedule, and a failing schedule prints its replay command.
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/grpc_service.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"
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

struct Device {
  std::unique_ptr<FakeClock> clock;
  std::unique_ptr<DeviceStore> store;
  std::unique_ptr<sync::SyncTransport> inner;  // direct or gRPC
  std::unique_ptr<testing::FaultTransport> faulty;
  std::unique_ptr<sync::Replicator> replicator;
};

// Checks that every device converged; "" if so.
std::string CheckConverged(std::vector<Device>& devices) {
  const uint64_t expected = *devices[0].store->ContentHash();
  for (int d = 0; d < kDevices; ++d) {
    DeviceStore& store = *devices[d].store;
    if (*store.PendingCount() != 0) {
      return absl::StrCat("device ", d, " still has ", *store.PendingCount(),
                          " pending changes");
    }
    if (!store.RejectedChanges()->empty()) {
      return absl::StrCat("device ", d, ": a change was refused: ",
                          store.RejectedChanges()->front().reject_message);
    }
    if (*store.ContentHash() != expected) {
      return absl::StrCat("device ", d, " diverged from device 0");
    }
  }
  return "";
}

// Runs one schedule; returns a description of the divergence, or "".
std::string RunSchedule(uint64_t seed, bool over_grpc) {
  std::mt19937_64 rng(seed);
  FakeClock server_clock(testing::kStartMillis);
  server::SqliteServerStoreOptions store_options;
  store_options.path = ":memory:";
  auto server_store = server::OpenSqliteServerStore(store_options);
  if (!server_store.ok()) return server_store.status().ToString();
  server::ServerLimits limits;
  limits.max_changes_per_push = 1 + static_cast<uint32_t>(rng() % 8);
  limits.pull_page_changes = 2 + static_cast<uint32_t>(rng() % 6);
  server::SyncHandlers handlers(server_store->get(), &server_clock, limits,
                                seed);
  server::DevAuthenticator authenticator;
  server::GrpcSyncService service(&handlers, &authenticator);
  std::unique_ptr<grpc::Server> grpc_server;
  std::shared_ptr<grpc::Channel> channel;
  if (over_grpc) {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service);
    grpc_server = builder.BuildAndStart();
    channel = grpc_server->InProcessChannel(grpc::ChannelArguments());
  }

  sync::ReplicatorOptions options;
  options.retry.max_attempts = 3;
  options.sleep = [](absl::Duration) {};
  std::vector<Device> devices(kDevices);
  for (int d = 0; d < kDevices; ++d) {
    Device& device = devices[d];
    // Skew of up to two minutes either way; device 4 runs seven minutes
    // fast in some schedules, beyond the server's five-minute bound.
    int64_t skew = static_cast<int64_t>(rng() % 240000) - 120000;
    if (d == 4 && rng() % 2 == 0) skew = 7 * 60 * 1000;
    device.clock = std::make_unique<FakeClock>(testing::kStartMillis + skew);
    DeviceStoreOptions store_opts;
    store_opts.path = ":memory:";
    store_opts.principal_id = absl::StrCat("user-", d);
    store_opts.clock = device.clock.get();
    store_opts.seed = seed * 31 + d;
    auto store = DeviceStore::Open(store_opts);
    if (!store.ok()) return store.status().ToString();
    device.store = std::move(*store);
    if (over_grpc) {
      sync::TransportOptions transport_options;
      transport_options.principal_id = store_opts.principal_id;
      device.inner =
          std::make_unique<sync::GrpcTransport>(channel, transport_options);
    } else {
      device.inner = std::make_unique<testing::DirectTransport>(
          &handlers, store_opts.principal_id);
    }
    device.faulty = std::make_unique<testing::FaultTransport>(
        device.inner.get(), testing::Faults{}, seed * 17 + d);
    options.seed = seed * 13 + d + 1;
    device.replicator = std::make_unique<sync::Replicator>(
        device.store.get(), device.faulty.get(), options);
  }

  // Device 0 (the case manager) records the plan; everyone syncs cleanly.
  auto ids = testing::CreateOneOfEach(*devices[0].store);
  for (Device& device : devices) {
    auto report = device.replicator->SyncOnce();
    if (!report.ok())
      return absl::StrCat("setup sync: ", report.status().ToString());
  }

  const testing::Faults faults{0.1, 0.1, 0.1, 0.1, 0.2};
  for (Device& device : devices) device.faulty->set_faults(faults);
  const int steps = 10 + static_cast<int>(rng() % 30);
  for (int step = 0; step < steps; ++step) {
    Device& device = devices[rng() % kDevices];
    switch (rng() % 5) {
      case 0:
      case 1: {
        absl::Status status =
            testing::RandomWrites(*device.store, *device.clock, rng, ids);
        if (!status.ok()) return absl::StrCat("write: ", status.ToString());
        break;
      }
      case 2:
      case 3:
        device.replicator->SyncOnce().IgnoreError();  // faults may fail it
        break;
      case 4:
        device.faulty->set_partitioned(rng() % 2 == 0);
        break;
    }
    const int64_t tick = static_cast<int64_t>(rng() % 2000);
    server_clock.Advance(tick);
    for (Device& d : devices) d.clock->Advance(tick);
  }

  // The network heals and time passes beyond the fast device's lead.
  server_clock.Advance(10 * 60 * 1000);
  for (Device& device : devices) {
    device.clock->Advance(10 * 60 * 1000);
    device.faulty->set_faults(testing::Faults{});
    device.faulty->set_partitioned(false);
  }
  for (int round = 0; round < 2; ++round) {
    for (Device& device : devices) {
      auto report = device.replicator->SyncOnce();
      if (!report.ok())
        return absl::StrCat("final sync: ", report.status().ToString());
    }
  }

  const std::string divergence = CheckConverged(devices);
  devices.clear();  // replicators and transports before the server
  if (grpc_server != nullptr) grpc_server->Shutdown();
  return divergence;
}

class ConvergenceTest : public ::testing::TestWithParam<int> {};

TEST_P(ConvergenceTest, DevicesConvergeThroughFaultsPartitionsAndSkew) {
  const int shard = GetParam();
  const bool over_grpc = shard >= kShards;
  const uint64_t per_shard =
      over_grpc ? kSchedulesPerGrpcShard : kSchedulesPerShard;
  const uint64_t first = 1 + static_cast<uint64_t>(shard) * kSchedulesPerShard;
  for (uint64_t seed : testing::PropertySeeds(first, per_shard)) {
    const std::string divergence = RunSchedule(seed, over_grpc);
    ASSERT_EQ(divergence, "") << testing::ReplayHint(
        "convergence_test", absl::StrCat("*DevicesConverge*/", shard).c_str(),
        seed);
    if (std::getenv("PLANSYNC_SEED") != nullptr) return;  // one replay
  }
}

INSTANTIATE_TEST_SUITE_P(Shards, ConvergenceTest,
                         ::testing::Range(0, kShards + kGrpcShards));

}  // namespace
}  // namespace plansync
