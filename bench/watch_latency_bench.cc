// Live latency (a target in BENCHMARKS.md): a write on device A,
// visible on device B, with every device online in background mode.
//
//   watch_latency_bench [--quick]
//
// Setup: a gRPC server in this process on 127.0.0.1 (GrpcSyncService over
// SyncHandlers over a SQLite server store, durable = true; DevAuthenticator),
// and 100 devices, each a DeviceStore on its own file (durable, as by
// default), a GrpcTransport on its own channel and TCP connection, and a
// Replicator in background mode (Replicator::Start with that transport, so
// the server's Watch stream pokes it; background_interval one hour, so only
// Notify and Watch make it sync). Device 0 writes a Student, a Plan and five
// Accommodations; every device pulls them before sampling starts.
//
// A sample: a random device A appends one ImplementationConfirmation (one
// committed WriteTransaction) and calls Replicator::Notify; the clock starts
// at the Notify. Another random device B's store is polled (DeviceStore::Get
// of the new entry, every 0.2 ms) until the entry is there. Then the
// benchmark waits until every device has it, and pauses 20-50 ms, so samples
// do not overlap. 5 warm-up samples, then 200 (50 with --quick).
//
// Metrics (nearest-rank percentiles over the samples):
//   watch_latency_p50_ms, watch_latency_p99_ms  Notify on A -> visible on B
// Also printed: when A's outbox was acknowledged (A's push done), and when
// the last of the 100 devices had the entry.
//
// This is one write at a time, each fanned out to 100 devices; it is not the
// target's load of 1,000 devices writing one change per second each.
//
// Files live in a scratch directory under $TMPDIR, removed at the end. An
// entry not visible on B within 10 s fails the benchmark.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/caseload.h"
#include "bench/harness.h"
#include "bench/loopback_server.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"
#include "sync/grpc_transport.h"
#include "sync/replicator.h"

namespace plansync::bench {
namespace {

constexpr int kDevices = 100;
constexpr int kWarmup = 5;
constexpr absl::Duration kPoll = absl::Microseconds(200);
constexpr double kTimeoutMs = 10'000;

struct Device {
  std::unique_ptr<DeviceStore> store;
  std::unique_ptr<sync::GrpcTransport> transport;
  std::unique_ptr<sync::Replicator> replicator;
};

bool Has(Device& device, const std::string& id) {
  return device.store->Get<v1::ImplementationConfirmation>(id).ok();
}

// Waits until `done` holds, polling every millisecond; false after
// `timeout`.
template <typename Done>
bool WaitFor(Done done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

struct Sample {
  double visible_ms = 0;  // Notify on A -> entry readable on B
  double acked_ms = 0;    // Notify on A -> A's outbox empty
  double all_ms = 0;      // Notify on A -> entry on every device (coarser)
};

absl::StatusOr<Sample> TakeSample(std::vector<Device>& devices,
                                  const Caseload& caseload,
                                  std::mt19937_64& rng, int64_t n) {
  const size_t a = rng() % devices.size();
  size_t b = rng() % (devices.size() - 1);
  if (b >= a) ++b;
  Device& writer = devices[a];
  Device& reader = devices[b];

  std::string id;
  RETURN_IF_ERROR(writer.store->Write([&](WriteTransaction& txn) {
    v1::ImplementationConfirmation entry = Confirmation(caseload, n);
    ASSIGN_OR_RETURN(id, writer.store->Append(txn, entry));
    return absl::OkStatus();
  }));
  Sample sample;
  bool acked = false, visible = false;
  Timer timer;
  writer.replicator->Notify();
  while (!acked || !visible) {
    if (!visible && Has(reader, id)) {
      visible = true;
      sample.visible_ms = timer.Millis();
    }
    if (!acked) {
      ASSIGN_OR_RETURN(int64_t pending, writer.store->PendingCount());
      if (pending == 0) {
        acked = true;
        sample.acked_ms = timer.Millis();
      }
    }
    if (timer.Millis() > kTimeoutMs) {
      return absl::DeadlineExceededError(absl::StrCat(
          "entry ", id, " of device ", a, (acked ? " was pushed but" : ""),
          " is not on device ", b, " after ", kTimeoutMs / 1000, " s"));
    }
    absl::SleepFor(kPoll);
  }
  // Every device, before the next sample.
  size_t next = 0;
  while (next < devices.size()) {
    if (Has(devices[next], id)) {
      ++next;
      continue;
    }
    if (timer.Millis() > kTimeoutMs) {
      return absl::DeadlineExceededError(
          absl::StrCat("entry ", id, " is not on device ", next, " after ",
                       kTimeoutMs / 1000, " s"));
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  sample.all_ms = timer.Millis();
  return sample;
}

void PrintSpread(absl::string_view what, const std::vector<double>& ms) {
  std::printf(
      "  %-36s p50 %7.2f  p90 %7.2f  p99 %7.2f  max %7.2f  mean %7.2f ms\n",
      std::string(what).c_str(), Percentile(ms, 50), Percentile(ms, 90),
      Percentile(ms, 99), Percentile(ms, 100), Mean(ms));
}

absl::Status Run(const Flags& flags) {
  if (!flags.only.empty()) {
    return absl::InvalidArgumentError(
        "watch_latency_bench has no parts (--only)");
  }
  const int samples = flags.quick ? 50 : 200;
  ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("plansync-bench"));
  std::printf(
      "watch_latency_bench%s: %d devices in background mode, files in %s\n"
      "  %d samples after %d warm-up\n",
      flags.quick ? " --quick" : "", kDevices, dir.path().c_str(), samples,
      kWarmup);
  std::fflush(stdout);

  ASSIGN_OR_RETURN(
      std::unique_ptr<LoopbackServer> server,
      LoopbackServer::Start(dir.File("server.sqlite"), /*durable=*/true));
  Timer setup;
  std::vector<Device> devices(kDevices);
  sync::TransportOptions transport_options;
  transport_options.principal_id = std::string(kBenchPrincipal);
  sync::ReplicatorOptions replicator_options;
  replicator_options.background_interval = absl::Hours(1);
  for (int d = 0; d < kDevices; ++d) {
    Device& device = devices[static_cast<size_t>(d)];
    DeviceStoreOptions options;
    options.path = dir.File(absl::StrCat("device-", d, ".sqlite"));
    options.principal_id = std::string(kBenchPrincipal);
    options.seed = 1000 + static_cast<uint64_t>(d);
    ASSIGN_OR_RETURN(device.store, DeviceStore::Open(options));
    device.transport = std::make_unique<sync::GrpcTransport>(
        ClientChannel(server->address(), /*own_connection=*/true),
        transport_options);
    replicator_options.seed = 77 + static_cast<uint64_t>(d);
    device.replicator = std::make_unique<sync::Replicator>(
        device.store.get(), device.transport.get(), replicator_options);
  }
  ASSIGN_OR_RETURN(Caseload caseload, CreateCaseload(*devices[0].store, 5));
  RETURN_IF_ERROR(devices[0].replicator->SyncOnce().status());
  for (Device& device : devices) {
    device.replicator->Start(device.transport.get());
  }
  const std::string& probe = caseload.accommodation_ids.back();
  const bool ready = WaitFor(
      [&] {
        if (server->handlers().watch_hub().size() < kDevices) return false;
        for (Device& device : devices) {
          if (!device.store->Get<v1::Accommodation>(probe).ok()) return false;
        }
        return true;
      },
      absl::Seconds(60));
  if (!ready) {
    return absl::DeadlineExceededError(absl::StrCat(
        "after 60 s, ", server->handlers().watch_hub().size(), " of ", kDevices,
        " watch streams are open or a device lacks the caseload"));
  }
  std::printf("  setup: %d devices synced and watching in %.1f s\n", kDevices,
              setup.Seconds());
  std::fflush(stdout);

  std::mt19937_64 rng(20261124);
  std::vector<double> visible, acked, all;
  int64_t n = 0;
  for (int i = 0; i < kWarmup + samples; ++i, ++n) {
    ASSIGN_OR_RETURN(Sample sample, TakeSample(devices, caseload, rng, n));
    if (i >= kWarmup) {
      visible.push_back(sample.visible_ms);
      acked.push_back(sample.acked_ms);
      all.push_back(sample.all_ms);
    }
    absl::SleepFor(absl::Milliseconds(20 + static_cast<int64_t>(rng() % 31)));
  }

  int64_t syncs = 0;
  for (Device& device : devices) {
    device.replicator->Stop();
    syncs += device.replicator->background_syncs();
    const absl::Status status = device.replicator->last_background_status();
    if (!status.ok()) {
      std::printf("  a device's last background sync failed: %s\n",
                  status.ToString().c_str());
    }
  }
  std::printf("[latency] %d samples, %lld background syncs in all\n", samples,
              static_cast<long long>(syncs));
  PrintSpread("Notify on A -> A's push acknowledged", acked);
  PrintSpread("Notify on A -> visible on B", visible);
  PrintSpread("Notify on A -> on all 100 devices", all);
  std::printf("results:\n");
  PrintMetric("watch_latency_p50_ms", Percentile(visible, 50), "ms", 2);
  PrintMetric("watch_latency_p99_ms", Percentile(visible, 99), "ms", 2);
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "watch_latency_bench",
                                    plansync::bench::Run);
}
