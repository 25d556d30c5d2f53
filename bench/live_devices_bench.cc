// Live devices (targets in BENCHMARKS.md): a district's devices online at
// once, each writing one change a second, against the real server binary.
//
//   live_devices_bench [--quick] [--only=sqlite|pg|idle]
//
// The district (setup, not timed; through server::Admin, as `plansync-server
// admin` does): S students, each with a guardian and four teachers, each
// user assigned to the student and holding one device token: 5 S devices.
// The first kProbes students are probes: only their guardian writes, so a
// write on one device and its arrival on the others are unambiguous.
//
// Each device is light (no store): its own gRPC channel and TCP connection
// (a local subchannel pool), its own token and replica id (bound by a
// Hello, then a first pull), and a Watch stream held open for the whole run,
// asking for changes inline. An event that carries the changes from the
// device's cursor is applied as a pull page; on any other event for its
// student's bucket the device pulls that bucket from its cursor, as a
// replicator does (PLANSYNC_BENCH_WATCH=poke: pokes alone, every event a
// pull, as before events carried changes); every device but the probes'
// readers pushes one valid
// Comment on its student a second, at its own phase. Pushes and pulls run on
// a pool of worker threads; Watch streams on gRPC's callback API.
//
// Measured over a window after a warm-up:
//   push latency (call to answer), errors (any call that failed or any
//   change not ACCEPTED); for the probe students, write on the guardian's
//   device -> Watch poke on each reader, and -> the entry pulled by each
//   reader (visible); the server processes' CPU time in the window (from
//   /proc) over the pushes in it, and their threads and resident memory at
//   the end of it.
//
// Parts: sqlite (one server process on a SQLite store, durable) and pg
// (three server processes on one PostgreSQL database, a durable cluster from
// scripts/pg-cluster or PLANSYNC_BENCH_PG_URI's; devices spread round robin).
//
// Metrics, full run (S = 200: 1,000 devices, 60 s):
//   live_1000_devices_p99_ms        write -> visible on a reader, p99, SQLite
//   live_1000_devices_poke_p99_ms   write -> poke on a reader, p99, SQLite
//   live_1000_devices_push_p99_ms   push latency p99, SQLite
//   live_1000_devices_errors        failed calls and refused changes, SQLite
//   server_cpu_ms_per_push          server CPU ms per push, SQLite
//   live_1000_devices_server_rss_mb, live_1000_devices_server_threads
//   live_1000_devices_pg_p99_ms, _pg_poke_p99_ms, _pg_push_p99_ms,
//   _pg_errors, _pg_server_rss_mb and _pg_server_threads (the three
//   processes together), server_cpu_ms_per_push_pg (their CPU over all
//   pushes)
//   idle_watch_streams, idle_watch_rss_mb, idle_watch_threads  (part idle:
//   19,000 devices of 3,800 students, each a Watch stream of pokes alone on
//   its own connection to one SQLite server process: the streams open, the
//   server's resident memory and threads once they idle)
//   idle_watch_poke_p99_ms, idle_watch_poke_max_ms  a district
//   administrator's change to the directory, which every stream watches ->
//   each stream's poke
//   (PLANSYNC_BENCH_IDLE=delta: streams that carry changes, each device
//   saying Hello and pulling its student and the directory first; the idle
//   metrics are then named with _deltas)
// With --quick (S = 40: 200 devices, 10 s; 2,000 idle streams, the idle
// metrics named with _2000) the names say 200 instead of
// 1000, and server_cpu_ms_per_push is named server_cpu_ms_per_push_200, so a
// smoke run never passes for a target.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/harness.h"
#include "bench/pg_cluster.h"
#include "bench/server_process.h"
#include "core/clock.h"
#include "core/hlc.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/uuid.h"
#include "grpcpp/grpcpp.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/sync.grpc.pb.h"
#include "server/admin.h"
#include "server/open_store.h"
#include "sync/grpc_transport.h"

namespace plansync::bench {
namespace {

constexpr int kUsersPerStudent = 5;  // a guardian and four teachers
constexpr int kProbes = 10;
constexpr int kWorkers = 32;
constexpr absl::Duration kWarmup = absl::Seconds(5);
constexpr absl::Duration kCallDeadline = absl::Seconds(10);

// --- The district ------------------------------------------------------------

struct DeviceSpec {
  std::string user_id;
  std::string student_id;
  std::string token;
  bool writes = true;  // false: a probe student's reader
};

// Writes the district into `store`; one DeviceSpec per device, the guardian
// of each student first.
absl::StatusOr<std::vector<DeviceSpec>> BuildDistrict(
    server::ServerStore* store, int students) {
  server::Admin admin(store, SystemClock::Get(), /*seed=*/20261206);
  std::vector<DeviceSpec> devices;
  for (int s = 0; s < students; ++s) {
    v1::Student student;
    student.set_given_name(absl::StrCat("Student ", s));
    student.set_family_name("Load");
    student.set_grade("5");
    ASSIGN_OR_RETURN(const std::string student_id, admin.AddStudent(student));
    for (int u = 0; u < kUsersPerStudent; ++u) {
      DeviceSpec device;
      device.student_id = student_id;
      device.writes = s >= kProbes || u == 0;
      ASSIGN_OR_RETURN(
          device.user_id,
          admin.AddUser(
              absl::StrCat(u == 0 ? "Guardian " : "Teacher ", s, "-", u),
              v1::ROLE_UNSPECIFIED));
      v1::Assignment assignment;
      assignment.set_user_id(device.user_id);
      assignment.set_student_id(student_id);
      assignment.set_role(u == 0 ? v1::GUARDIAN : v1::TEACHER);
      if (u > 0) assignment.set_class_or_period(absl::StrCat("Period ", u));
      RETURN_IF_ERROR(admin.Assign(assignment).status());
      ASSIGN_OR_RETURN(server::IssuedToken issued,
                       admin.IssueToken(device.user_id, "load device"));
      device.token = std::move(issued.token);
      devices.push_back(std::move(device));
    }
  }
  return devices;
}

// --- /proc -------------------------------------------------------------------

// CPU seconds (user + system) of process `pid` so far.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(in, line);
  // Fields after the command name, which ends with the last ')'.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A "Key:   value" number of /proc/<pid>/status (VmRSS in kB, Threads).
double ProcessStatus(pid_t pid, const std::string& key) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      return std::stod(line.substr(key.size() + 1));
    }
  }
  return 0;
}

// --- The load ----------------------------------------------------------------

// What every device's calls add up to. Guarded by mu.
struct Samples {
  std::mutex mu;
  bool measuring = false;
  std::vector<double> push_ms, poke_ms, visible_ms;
  int64_t pushes = 0;  // in the window
  int64_t errors = 0;  // in the whole run
  std::string first_error;

  void Error(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    if (errors++ == 0) first_error = what;
  }
};

// The write a probe student's guardian made last, for its readers.
struct Probe {
  std::mutex mu;
  std::string record_id;
  absl::Time written;
};

class Device {
 public:
  Device(const DeviceSpec& spec, const std::string& address, uint64_t seed,
         Probe* probe)
      : spec_(spec),
        bucket_(absl::StrCat("student/", spec.student_id)),
        ids_(SystemClock::Get(), seed),
        replica_id_(ids_.Next()),
        probe_(probe) {
    grpc::ChannelArguments args = sync::DefaultChannelArguments();
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    stub_ = v1::SyncService::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
  }

  const DeviceSpec& spec() const { return spec_; }
  Probe* probe() const { return probe_; }

  void Prepare(grpc::ClientContext* context, bool deadline) const {
    context->AddMetadata("authorization", "Bearer " + spec_.token);
    if (deadline)
      context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
  }

  absl::Status Hello() {
    grpc::ClientContext context;
    Prepare(&context, true);
    v1::HelloRequest request;
    request.set_replica_id(replica_id_);
    request.set_device_hlc(HlcPack(absl::ToUnixMillis(absl::Now()), 0));
    request.set_schema_version(kSchemaVersion);
    v1::HelloResponse response;
    grpc::Status status = stub_->Hello(&context, request, &response);
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Hello failed: ", status.error_message()));
    }
    return absl::OkStatus();
  }

  // Pushes one Comment on the student; its latency in ms, or an error.
  absl::StatusOr<double> Push() {
    v1::PushRequest request;
    v1::Change* change = request.add_changes();
    v1::Comment comment;
    comment.set_id(ids_.Next());
    comment.set_student_id(spec_.student_id);
    comment.set_author_id(spec_.user_id);
    comment.set_about_record_type("plansync.v1.Student");
    comment.set_about_record_id(spec_.student_id);
    comment.set_text("Used the word bank on today's spelling test.");
    const absl::Time now = absl::Now();
    const Hlc hlc = HlcPack(absl::ToUnixMillis(now), counter_++);
    comment.set_recorded_hlc(static_cast<int64_t>(hlc));
    change->set_replica_id(replica_id_);
    change->set_replica_seq(++seq_);
    change->set_record_type("plansync.v1.Comment");
    change->set_record_id(comment.id());
    change->set_bucket(bucket_);
    change->set_author_id(spec_.user_id);
    change->set_hlc(hlc);
    comment.SerializeToString(change->mutable_log_entry());
    if (probe_ != nullptr) {
      std::lock_guard<std::mutex> lock(probe_->mu);
      probe_->record_id = comment.id();
      probe_->written = now;
    }
    grpc::ClientContext context;
    Prepare(&context, true);
    v1::PushResponse response;
    grpc::Status status = stub_->Push(&context, request, &response);
    const double ms = absl::ToDoubleMilliseconds(absl::Now() - now);
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Push failed: ", status.error_message()));
    }
    if (response.results_size() != 1 ||
        response.results(0).status() != v1::ChangeResult::ACCEPTED) {
      return absl::InternalError(absl::StrCat(
          "a change was not accepted: ", response.results_size() == 0
                                             ? std::string("no result")
                                             : response.results(0).message()));
    }
    return ms;
  }

  // Pushes a SchoolHoliday for every school (a change to the directory; the
  // device's user must be a district administrator).
  absl::Status PushHoliday() {
    v1::PushRequest request;
    const std::string id = ids_.Next();
    // A mutable record: one field write for each field set.
    for (const auto& [field, text] :
         {std::pair<int, std::string>{v1::SchoolHoliday::kDayFieldNumber,
                                      "2026-12-24"},
          {v1::SchoolHoliday::kNameFieldNumber, "Winter break"}}) {
      v1::Change* change = request.add_changes();
      change->set_replica_id(replica_id_);
      change->set_replica_seq(++seq_);
      change->set_record_type("plansync.v1.SchoolHoliday");
      change->set_record_id(id);
      change->set_bucket("directory");
      change->set_author_id(spec_.user_id);
      change->set_hlc(HlcPack(absl::ToUnixMillis(absl::Now()), counter_++));
      change->mutable_field_write()->set_field_number(field);
      change->mutable_field_write()->mutable_value()->set_string_value(text);
    }
    grpc::ClientContext context;
    Prepare(&context, true);
    v1::PushResponse response;
    grpc::Status status = stub_->Push(&context, request, &response);
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Push failed: ", status.error_message()));
    }
    for (const v1::ChangeResult& result : response.results()) {
      if (result.status() != v1::ChangeResult::ACCEPTED) {
        return absl::InternalError(
            absl::StrCat("the holiday was not accepted: ", result.message()));
      }
    }
    return absl::OkStatus();
  }

  // Pulls the student's bucket from the cursor; `on_change` for each change.
  // `with_directory`: the directory bucket too (its cursor then goes into
  // the Watch request).
  absl::Status Pull(const std::function<void(const v1::Change&)>& on_change,
                    bool with_directory = false) {
    grpc::ClientContext context;
    Prepare(&context, true);
    v1::PullRequest request;
    request.set_schema_version(kSchemaVersion);
    request.set_replica_id(replica_id_);
    request.set_replica_seq(seq_);
    v1::BucketCursor* cursor = request.add_cursors();
    cursor->set_bucket(bucket_);
    cursor->set_cursor(cursor_);
    if (with_directory) {
      cursor = request.add_cursors();
      cursor->set_bucket("directory");
      cursor->set_cursor(directory_cursor_);
    }
    std::unique_ptr<grpc::ClientReader<v1::PullPage>> reader =
        stub_->Pull(&context, request);
    v1::PullPage page;
    while (reader->Read(&page)) {
      for (const v1::Change& change : page.changes()) on_change(change);
      for (const v1::BucketCursor& next : page.cursors()) {
        if (next.bucket() == bucket_) cursor_ = next.cursor();
        if (next.bucket() == "directory") directory_cursor_ = next.cursor();
      }
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Pull failed: ", status.error_message()));
    }
    return absl::OkStatus();
  }

  // With deltas: applies the changes a Watch event carries if they start at
  // the device's cursor (false otherwise: the device pulls). Called under
  // the owner's lock while no pull runs.
  bool ApplyDelta(const v1::WatchDelta& delta,
                  const std::function<void(const v1::Change&)>& on_change) {
    if (delta.from_cursor() != cursor_) return false;
    for (const v1::Change& change : delta.changes()) on_change(change);
    cursor_ = delta.cursor();
    return true;
  }

  // What the device's Watch stream asks for: with `deltas`, its replica,
  // schema version and cursor, so that events carry the changes.
  v1::WatchRequest WatchRequest(bool deltas) const {
    v1::WatchRequest request;
    if (!deltas) return request;
    request.set_replica_id(replica_id_);
    request.set_schema_version(kSchemaVersion);
    v1::BucketCursor* cursor = request.add_cursors();
    cursor->set_bucket(bucket_);
    cursor->set_cursor(cursor_);
    if (directory_cursor_ != 0) {
      cursor = request.add_cursors();
      cursor->set_bucket("directory");
      cursor->set_cursor(directory_cursor_);
    }
    return request;
  }

  v1::SyncService::Stub* stub() { return stub_.get(); }
  const std::string& bucket() const { return bucket_; }

  // A pull is asked for while one runs: run one more after it (guarded by
  // the owner's lock).
  bool pulling = false;
  bool pull_again = false;
  std::string probe_seen;  // the probe record this reader was poked for

 private:
  const DeviceSpec spec_;
  const std::string bucket_;
  IdGenerator ids_;
  const std::string replica_id_;
  Probe* const probe_;  // this device's student's, if a probe
  std::unique_ptr<v1::SyncService::Stub> stub_;
  uint64_t seq_ = 0;
  uint16_t counter_ = 0;
  int64_t cursor_ = 0;
  int64_t directory_cursor_ = 0;
};

// A fixed pool of threads running queued tasks.
class Workers {
 public:
  explicit Workers(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& thread : threads_) thread.join();
  }
  void Run(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    ready_.notify_one();
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

class Load;

// A device's Watch stream on gRPC's callback API.
class WatchStream final : public grpc::ClientReadReactor<v1::WatchEvent> {
 public:
  WatchStream(Device* device, Load* load, bool deltas);
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;
  void Cancel() { context_.TryCancel(); }
  void AwaitDone() {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
  }

 private:
  Device* const device_;
  Load* const load_;
  grpc::ClientContext context_;
  v1::WatchRequest request_;
  v1::WatchEvent event_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
};

class Load {
 public:
  Load(std::vector<std::unique_ptr<Device>> devices, Samples* samples)
      : devices_(std::move(devices)), samples_(samples), workers_(kWorkers) {}

  // Every device says Hello and opens its Watch stream.
  absl::Status Connect() {
    std::atomic<int> failed{0};
    std::atomic<int> left{static_cast<int>(devices_.size())};
    std::mutex error_mu;
    std::string first_error;
    for (auto& device : devices_) {
      workers_.Run([&, d = device.get()] {
        // As a device would: tries again, a moment apart (setup, not
        // measured; under load a connection attempt fails now and then).
        absl::Status status;
        for (int attempt = 0; attempt < 10; ++attempt) {
          status = d->Hello();
          // The first pull: the device then holds a cursor.
          if (status.ok()) status = d->Pull([](const v1::Change&) {});
          if (status.ok()) break;
          absl::SleepFor(absl::Milliseconds(300));
        }
        if (!status.ok()) {
          std::lock_guard<std::mutex> lock(error_mu);
          if (failed++ == 0) first_error = std::string(status.message());
        }
        --left;
      });
    }
    while (left > 0) absl::SleepFor(absl::Milliseconds(5));
    if (failed > 0) {
      return absl::UnavailableError(absl::StrCat(
          failed.load(),
          " devices could not say Hello; the first: ", first_error));
    }
    for (auto& device : devices_) {
      streams_.push_back(
          std::make_unique<WatchStream>(device.get(), this, deltas_));
    }
    return absl::OkStatus();
  }

  // Each writing device pushes once a second, at its own phase, until
  // `end`.
  void Drive(absl::Time end) {
    using Due = std::pair<absl::Time, size_t>;
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due;
    const absl::Time start = absl::Now();
    for (size_t i = 0; i < devices_.size(); ++i) {
      if (!devices_[i]->spec().writes) continue;
      due.emplace(
          start + absl::Seconds(1) * (static_cast<double>(i % 1000) / 1000.0),
          i);
    }
    while (!due.empty()) {
      auto [when, i] = due.top();
      if (when >= end) break;
      due.pop();
      absl::SleepFor(when - absl::Now());
      Device* device = devices_[i].get();
      ++in_flight_;
      workers_.Run([this, device] {
        absl::StatusOr<double> ms = device->Push();
        if (!ms.ok()) {
          samples_->Error(std::string(ms.status().message()));
        } else {
          std::lock_guard<std::mutex> lock(samples_->mu);
          if (samples_->measuring) {
            samples_->push_ms.push_back(*ms);
            ++samples_->pushes;
          }
        }
        --in_flight_;
      });
      due.emplace(when + absl::Seconds(1), i);
    }
  }

  // Waits for the calls in flight, then closes every Watch stream.
  void Stop() {
    while (in_flight_ > 0) absl::SleepFor(absl::Milliseconds(5));
    for (auto& stream : streams_) stream->Cancel();
    for (auto& stream : streams_) stream->AwaitDone();
    while (in_flight_ > 0) absl::SleepFor(absl::Milliseconds(5));
  }

  // A poke for `device`: a sample if it names a probe write the device was
  // not poked for yet, then the changes the event carries or a pull (one at
  // a time per device).
  void Poked(Device* device, const v1::WatchEvent& event) {
    if (event.bucket() != device->bucket()) return;
    const absl::Time now = absl::Now();
    Probe* reader_of = device->spec().writes ? nullptr : device->probe();
    if (Probe* probe = device->probe();
        probe != nullptr && !device->spec().writes) {
      std::lock_guard<std::mutex> lock(probe->mu);
      if (!probe->record_id.empty() && device->probe_seen != probe->record_id) {
        device->probe_seen = probe->record_id;
        Record(&Samples::poke_ms,
               absl::ToDoubleMilliseconds(now - probe->written));
      }
    }
    {
      std::lock_guard<std::mutex> lock(pull_mu_);
      if (device->pulling) {
        device->pull_again = true;
        return;
      }
      if (event.has_delta() &&
          device->ApplyDelta(event.delta(), [&](const v1::Change& change) {
            Seen(reader_of, change);
          })) {
        return;
      }
      device->pulling = true;
    }
    ++in_flight_;
    workers_.Run([this, device] { PullLoop(device); });
  }

  void StreamEnded(const grpc::Status& status) {
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      samples_->Error(absl::StrCat("Watch ended: ", status.error_message()));
    }
  }

 private:
  void PullLoop(Device* device) {
    for (;;) {
      Probe* probe = device->spec().writes ? nullptr : device->probe();
      absl::Status status =
          device->Pull([&](const v1::Change& change) { Seen(probe, change); });
      if (!status.ok()) samples_->Error(std::string(status.message()));
      std::lock_guard<std::mutex> lock(pull_mu_);
      if (!device->pull_again) {
        device->pulling = false;
        break;
      }
      device->pull_again = false;
    }
    --in_flight_;
  }

  // A change reached a reader of `probe` (null: not a probe's reader).
  void Seen(Probe* probe, const v1::Change& change) {
    if (probe == nullptr) return;
    std::lock_guard<std::mutex> lock(probe->mu);
    if (change.record_id() == probe->record_id) {
      Record(&Samples::visible_ms,
             absl::ToDoubleMilliseconds(absl::Now() - probe->written));
    }
  }

  void Record(std::vector<double> Samples::*series, double ms) {
    std::lock_guard<std::mutex> lock(samples_->mu);
    if (samples_->measuring) (samples_->*series).push_back(ms);
  }

  std::vector<std::unique_ptr<Device>> devices_;
  Samples* const samples_;
  Workers workers_;
  std::vector<std::unique_ptr<WatchStream>> streams_;
  std::mutex pull_mu_;
  std::atomic<int> in_flight_{0};
  // Watch events carry changes (PLANSYNC_BENCH_WATCH=poke: pokes alone).
  const bool deltas_ = [] {
    const char* mode = std::getenv("PLANSYNC_BENCH_WATCH");
    return mode == nullptr || std::string(mode) != "poke";
  }();
};

WatchStream::WatchStream(Device* device, Load* load, bool deltas)
    : device_(device), load_(load), request_(device->WatchRequest(deltas)) {
  device_->Prepare(&context_, /*deadline=*/false);
  device_->stub()->async()->Watch(&context_, &request_, this);
  StartRead(&event_);
  StartCall();
}

void WatchStream::OnReadDone(bool ok) {
  if (!ok) return;  // OnDone follows
  load_->Poked(device_, event_);
  StartRead(&event_);
}

void WatchStream::OnDone(const grpc::Status& status) {
  load_->StreamEnded(status);
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  done_cv_.notify_all();
}

// --- A part ------------------------------------------------------------------

struct PartResult {
  double push_p50_ms = 0, push_p99_ms = 0, poke_p99_ms = 0, visible_p50_ms = 0,
         visible_p99_ms = 0, cpu_ms_per_push = 0, rss_mb = 0, threads = 0;
  int64_t errors = 0;
};

// Runs the load against `servers` (their addresses and pids), devices spread
// round robin over them.
absl::StatusOr<PartResult> RunLoad(
    const std::vector<DeviceSpec>& specs,
    const std::vector<std::unique_ptr<ServerProcess>>& servers,
    absl::Duration window, const char* label) {
  Samples samples;
  std::vector<std::unique_ptr<Probe>> probes;
  std::vector<std::unique_ptr<Device>> devices;
  for (size_t i = 0; i < specs.size(); ++i) {
    const size_t student = i / kUsersPerStudent;
    if (student < kProbes && i % kUsersPerStudent == 0) {
      probes.push_back(std::make_unique<Probe>());
    }
    Probe* probe = student < kProbes ? probes.back().get() : nullptr;
    devices.push_back(std::make_unique<Device>(
        specs[i], servers[i % servers.size()]->address(), 1000 + i, probe));
  }
  Load load(std::move(devices), &samples);
  Timer connect;
  RETURN_IF_ERROR(load.Connect());
  std::printf("[%s] %zu devices connected in %.1f s (Hello, Watch)\n", label,
              specs.size(), connect.Seconds());
  std::fflush(stdout);

  const absl::Time start = absl::Now();
  const absl::Time measure_from = start + kWarmup;
  const absl::Time end = measure_from + window;
  std::thread driver([&] { load.Drive(end); });
  absl::SleepFor(measure_from - absl::Now());
  double cpu_before = 0;
  for (const auto& server : servers)
    cpu_before += ProcessCpuSeconds(server->pid());
  {
    std::lock_guard<std::mutex> lock(samples.mu);
    samples.measuring = true;
  }
  PartResult result;
  while (absl::Now() < end) {
    absl::SleepFor(std::min(absl::Seconds(1), end - absl::Now()));
    double rss = 0, threads = 0;
    for (const auto& server : servers) {
      rss += ProcessStatus(server->pid(), "VmRSS") / 1024.0;
      threads += ProcessStatus(server->pid(), "Threads");
    }
    result.rss_mb = std::max(result.rss_mb, rss);
    result.threads = std::max(result.threads, threads);
  }
  double cpu_after = 0;
  for (const auto& server : servers)
    cpu_after += ProcessCpuSeconds(server->pid());
  {
    std::lock_guard<std::mutex> lock(samples.mu);
    samples.measuring = false;
  }
  driver.join();
  load.Stop();

  std::lock_guard<std::mutex> lock(samples.mu);
  result.push_p50_ms = Percentile(samples.push_ms, 50);
  result.push_p99_ms = Percentile(samples.push_ms, 99);
  result.poke_p99_ms = Percentile(samples.poke_ms, 99);
  result.visible_p50_ms = Percentile(samples.visible_ms, 50);
  result.visible_p99_ms = Percentile(samples.visible_ms, 99);
  result.cpu_ms_per_push =
      samples.pushes == 0 ? 0
                          : (cpu_after - cpu_before) * 1000.0 / samples.pushes;
  result.errors = samples.errors;
  std::printf(
      "[%s] %lld pushes in %.0f s (%.0f/s): push p50 %.1f ms, p99 %.1f ms; "
      "write -> poke p99 %.1f ms (%zu samples); write -> visible p50 %.1f "
      "ms, p99 %.1f ms (%zu samples); server CPU %.3f ms a push, %.0f "
      "threads, %.0f MiB resident; %lld errors%s%s\n",
      label, static_cast<long long>(samples.pushes),
      absl::ToDoubleSeconds(window),
      samples.pushes / absl::ToDoubleSeconds(window), result.push_p50_ms,
      result.push_p99_ms, result.poke_p99_ms, samples.poke_ms.size(),
      result.visible_p50_ms, result.visible_p99_ms, samples.visible_ms.size(),
      result.cpu_ms_per_push, result.threads, result.rss_mb,
      static_cast<long long>(result.errors),
      samples.errors > 0 ? ", the first: " : "", samples.first_error.c_str());
  std::fflush(stdout);
  if (samples.visible_ms.empty() || samples.pushes == 0) {
    return absl::InternalError(
        absl::StrCat(label, ": no write reached a reader"));
  }
  return result;
}

// Writes the district into the store `db` names (a SQLite file or a
// PostgreSQL URI), starts `processes` server processes on it and runs the
// load against them.
absl::StatusOr<PartResult> RunPart(const std::string& db, int processes,
                                   int students, absl::Duration window,
                                   const ScratchDir& dir, const char* label) {
  std::vector<DeviceSpec> specs;
  {
    server::StoreChoice choice;
    choice.db = db;
    choice.durable = false;  // setup (SQLite; PostgreSQL keeps its own)
    ASSIGN_OR_RETURN(std::unique_ptr<server::ServerStore> store,
                     server::OpenServerStore(choice));
    Timer setup;
    ASSIGN_OR_RETURN(specs, BuildDistrict(store.get(), students));
    std::printf("[%s] district written in %.1f s\n", label, setup.Seconds());
  }
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (int i = 0; i < processes; ++i) {
    ASSIGN_OR_RETURN(
        std::unique_ptr<ServerProcess> server,
        ServerProcess::Start(PLANSYNC_SERVER_BINARY, db,
                             dir.File(absl::StrCat(label, "-", i, ".log"))));
    servers.push_back(std::move(server));
  }
  return RunLoad(specs, servers, window, label);
}

// The metrics of a part, named from `prefix`, and its CPU per push as
// `cpu_metric`.
void PrintPart(const PartResult& r, const std::string& prefix,
               const char* cpu_metric) {
  PrintMetric(prefix + "_p99_ms", r.visible_p99_ms, "ms", 1);
  PrintMetric(prefix + "_poke_p99_ms", r.poke_p99_ms, "ms", 1);
  PrintMetric(prefix + "_push_p99_ms", r.push_p99_ms, "ms", 1);
  PrintMetric(prefix + "_errors", static_cast<double>(r.errors), "", 0);
  PrintMetric(cpu_metric, r.cpu_ms_per_push, "ms", 3);
  PrintMetric(prefix + "_server_rss_mb", r.rss_mb, "MiB", 1);
  PrintMetric(prefix + "_server_threads", r.threads, "", 0);
}

// --- Idle streams
// --------------------------------------------------------------

// An idle device's Watch stream (pokes alone): counts itself open when the
// server's initial metadata arrives, and notes when its first event after
// `*since` came.
class IdleStream final : public grpc::ClientReadReactor<v1::WatchEvent> {
 public:
  IdleStream(Device* device, std::atomic<int>* opened, bool deltas)
      : opened_(opened), request_(device->WatchRequest(deltas)) {
    device->Prepare(&context_, /*deadline=*/false);
    device->stub()->async()->Watch(&context_, &request_, this);
    StartRead(&event_);
    StartCall();
  }
  void OnReadInitialMetadataDone(bool ok) override {
    if (ok) ++*opened_;
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!poked_at_.has_value()) poked_at_ = absl::Now();
    }
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    status_ = status;
    done_cv_.notify_all();
  }
  void Cancel() { context_.TryCancel(); }
  void AwaitDone() {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [this] { return done_; });
  }
  // Forgets the events so far.
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    poked_at_.reset();
  }
  std::optional<absl::Time> poked_at() {
    std::lock_guard<std::mutex> lock(mu_);
    return poked_at_;
  }
  // Ended before it was cancelled: how.
  std::optional<grpc::Status> ended() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!done_) return std::nullopt;
    return status_;
  }

 private:
  std::atomic<int>* const opened_;
  grpc::ClientContext context_;
  v1::WatchRequest request_;
  v1::WatchEvent event_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  grpc::Status status_;
  std::optional<absl::Time> poked_at_;
};

struct IdleResult {
  int streams = 0;
  double rss_mb = 0, threads = 0, poke_p99_ms = 0, poke_max_ms = 0;
  int poked = 0;
};

// `streams` idle devices (students of five devices each, their Watch streams
// each on its own connection, pokes alone) on one server process over
// SQLite; then a district administrator pushes a SchoolHoliday, a change to
// the directory bucket every stream watches, and each stream's first event
// after it is timed.
absl::StatusOr<IdleResult> RunIdle(int streams, bool deltas,
                                   const ScratchDir& dir) {
  const std::string db = dir.File("idle.sqlite");
  std::vector<DeviceSpec> specs;
  DeviceSpec admin_spec;
  {
    server::StoreChoice choice;
    choice.db = db;
    choice.durable = false;  // setup
    ASSIGN_OR_RETURN(std::unique_ptr<server::ServerStore> store,
                     server::OpenServerStore(choice));
    Timer setup;
    ASSIGN_OR_RETURN(specs,
                     BuildDistrict(store.get(), streams / kUsersPerStudent));
    server::Admin admin(store.get(), SystemClock::Get(), /*seed=*/7);
    ASSIGN_OR_RETURN(admin_spec.user_id,
                     admin.AddUser("District admin", v1::ADMIN));
    ASSIGN_OR_RETURN(server::IssuedToken issued,
                     admin.IssueToken(admin_spec.user_id, "admin device"));
    admin_spec.token = std::move(issued.token);
    std::printf("[idle] district written in %.1f s\n", setup.Seconds());
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<ServerProcess> server,
      ServerProcess::Start(PLANSYNC_SERVER_BINARY, db, dir.File("idle.log")));
  std::vector<std::unique_ptr<Device>> devices;
  for (size_t i = 0; i < specs.size(); ++i) {
    devices.push_back(std::make_unique<Device>(specs[i], server->address(),
                                               5000 + i, nullptr));
  }
  Timer connect;
  if (deltas) {
    // Streams that carry changes: each device says Hello and pulls its
    // student and the directory first, on a few threads.
    std::atomic<size_t> next{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < devices.size(); i = next++) {
          absl::Status status = devices[i]->Hello();
          if (status.ok()) {
            status = devices[i]->Pull([](const v1::Change&) {},
                                      /*with_directory=*/true);
          }
          if (!status.ok()) ++failed;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    if (failed > 0) {
      return absl::UnavailableError(
          absl::StrCat("idle: ", failed.load(), " devices failed to pull"));
    }
  }
  std::atomic<int> opened{0};
  std::vector<std::unique_ptr<IdleStream>> watching;
  for (size_t i = 0; i < devices.size(); ++i) {
    watching.push_back(
        std::make_unique<IdleStream>(devices[i].get(), &opened, deltas));
    // A few hundred connections at a time, as devices come online.
    if (i % 500 == 499) {
      while (opened < static_cast<int>(i) - 1000) {
        absl::SleepFor(absl::Milliseconds(5));
      }
    }
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (opened < static_cast<int>(watching.size()) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  std::printf("[idle] %d of %zu streams open in %.1f s\n", opened.load(),
              watching.size(), connect.Seconds());
  std::fflush(stdout);
  absl::SleepFor(absl::Seconds(3));  // idle
  IdleResult result;
  result.streams = opened.load();
  result.rss_mb = ProcessStatus(server->pid(), "VmRSS") / 1024.0;
  result.threads = ProcessStatus(server->pid(), "Threads");
  for (auto& stream : watching) stream->Reset();

  // The change every stream watches.
  Device admin(admin_spec, server->address(), 4999, nullptr);
  RETURN_IF_ERROR(admin.Hello());
  const absl::Time written = absl::Now();
  RETURN_IF_ERROR(admin.PushHoliday());
  std::vector<double> latencies;
  const absl::Time wait_until = absl::Now() + absl::Seconds(10);
  while (absl::Now() < wait_until) {
    latencies.clear();
    for (auto& stream : watching) {
      if (std::optional<absl::Time> at = stream->poked_at()) {
        latencies.push_back(absl::ToDoubleMilliseconds(*at - written));
      }
    }
    if (latencies.size() == watching.size()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  result.poked = static_cast<int>(latencies.size());
  result.poke_p99_ms = Percentile(latencies, 99);
  result.poke_max_ms =
      latencies.empty() ? 0
                        : *std::max_element(latencies.begin(), latencies.end());
  int ended = 0;
  std::string first_end;
  for (auto& stream : watching) {
    if (std::optional<grpc::Status> status = stream->ended()) {
      if (ended++ == 0) first_end = status->error_message();
    }
  }
  std::printf(
      "[idle] %d streams open (%d ended early%s%s); server %.0f MiB resident, "
      "%.0f threads; a directory change poked %d of them: first %.1f ms, "
      "p50 %.1f ms, p99 %.1f ms, last %.1f ms\n",
      result.streams, ended, ended > 0 ? ", the first: " : "",
      first_end.c_str(), result.rss_mb, result.threads, result.poked,
      latencies.empty() ? 0.0
                        : *std::min_element(latencies.begin(), latencies.end()),
      Percentile(latencies, 50), result.poke_p99_ms, result.poke_max_ms);
  std::fflush(stdout);
  for (auto& stream : watching) stream->Cancel();
  for (auto& stream : watching) stream->AwaitDone();
  if (result.poked < static_cast<int>(watching.size())) {
    return absl::DeadlineExceededError(
        absl::StrCat("idle: ", watching.size() - result.poked,
                     " streams were not poked within 10 s"));
  }
  return result;
}

// Raises this process's soft open-file limit to the hard one (each device
// holds a connection).
void RaiseFileLimit() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

absl::Status Run(const Flags& flags) {
  // Abseil's lock-order graph, on in Debian's build and used by gRPC's locks,
  // grows with every channel: with 19,000 of them its upkeep took a quarter
  // of this process's time. The load generator is not what is measured.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (!flags.only.empty() && flags.only != "sqlite" && flags.only != "pg" &&
      flags.only != "idle") {
    return absl::InvalidArgumentError("--only takes sqlite, pg or idle");
  }
  RaiseFileLimit();
  const int students = flags.quick ? 40 : 200;
  const absl::Duration window =
      flags.quick ? absl::Seconds(10) : absl::Seconds(60);
  const int devices = students * kUsersPerStudent;
  const std::string n = std::to_string(devices);
  ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Make("plansync-live"));
  std::printf(
      "live_devices_bench%s: %d devices over %d students (%d probes), "
      "%.0f s measured after %.0f s\n",
      flags.quick ? " --quick" : "", devices, students, kProbes,
      absl::ToDoubleSeconds(window), absl::ToDoubleSeconds(kWarmup));

  if (flags.only.empty() || flags.only == "sqlite") {
    ASSIGN_OR_RETURN(PartResult r, RunPart(dir.File("server.sqlite"), 1,
                                           students, window, dir, "sqlite"));
    PrintPart(
        r, absl::StrCat("live_", n, "_devices"),
        flags.quick ? "server_cpu_ms_per_push_200" : "server_cpu_ms_per_push");
  }
  if (flags.only.empty() || flags.only == "pg") {
    ASSIGN_OR_RETURN(std::unique_ptr<Cluster> cluster,
                     Cluster::Start(dir.File("cluster")));
    RETURN_IF_ERROR(cluster->Create("live"));
    ASSIGN_OR_RETURN(PartResult r, RunPart(cluster->Uri("live"), 3, students,
                                           window, dir, "pg"));
    PrintPart(r, absl::StrCat("live_", n, "_devices_pg"),
              flags.quick ? "server_cpu_ms_per_push_pg_200"
                          : "server_cpu_ms_per_push_pg");
  }
  if (flags.only.empty() || flags.only == "idle") {
    // Below the file limit of the machine the benchmarks run on (20,000),
    // with room for the processes' other files.
    const int streams = flags.quick ? 2000 : 19000;
    // PLANSYNC_BENCH_IDLE=delta: streams that carry changes (each device
    // pulls first); the metrics are then named with _deltas.
    const char* mode = std::getenv("PLANSYNC_BENCH_IDLE");
    const bool deltas = mode != nullptr && std::string(mode) == "delta";
    ASSIGN_OR_RETURN(IdleResult r, RunIdle(streams, deltas, dir));
    const std::string suffix =
        absl::StrCat(flags.quick ? "_2000" : "", deltas ? "_deltas" : "");
    PrintMetric("idle_watch_streams" + suffix, r.streams, "", 0);
    PrintMetric("idle_watch_rss_mb" + suffix, r.rss_mb, "MiB", 1);
    PrintMetric("idle_watch_threads" + suffix, r.threads, "", 0);
    PrintMetric("idle_watch_poke_p99_ms" + suffix, r.poke_p99_ms, "ms", 1);
    PrintMetric("idle_watch_poke_max_ms" + suffix, r.poke_max_ms, "ms", 1);
  }
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync::bench

int main(int argc, char** argv) {
  return plansync::bench::BenchMain(argc, argv, "live_devices_bench",
                                    plansync::bench::Run);
}
