#include "server/postgres_fanout.h"

#include <memory>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/status_macros.h"
#include "server/pg/connection.h"

namespace plansync::server {
namespace {

constexpr char kChannel[] = "plansync_buckets";
// NOTIFY payloads must stay under 8000 bytes.
constexpr size_t kMaxPayload = 7000;

// A connection with statement `name` prepared as `sql`.
absl::StatusOr<std::unique_ptr<pg::Connection>> Connect(
    const std::string& conninfo, const std::string& name,
    absl::string_view sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> conn,
                   pg::Connection::Open(conninfo));
  RETURN_IF_ERROR(conn->Prepare(name, sql));
  return conn;
}

constexpr char kNotify[] = "SELECT pg_notify($1, $2)";
constexpr char kHeads[] =
    "SELECT bucket, head FROM buckets WHERE bucket = "
    "ANY(string_to_array($1, E'\\n'))";

// The heads of `buckets` (newline-separated), read on a connection that
// has "heads" (kHeads) prepared.
absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> ReadHeads(
    pg::Connection& conn, const std::string& buckets) {
  absl::flat_hash_map<std::string, int64_t> heads;
  if (buckets.empty()) return heads;
  absl::StatusOr<pg::Result> rows =
      conn.Run("heads", pg::Params().Text(buckets));
  if (!rows.ok()) return rows.status();
  for (int row = 0; row < rows->rows(); ++row) {
    heads[rows->Text(row, 0)] = rows->Int(row, 1);
  }
  return heads;
}

}  // namespace

PostgresFanout::PostgresFanout(Options options,
                               ServerStore::HeadsCallback on_heads,
                               ServerStore::WatchedBuckets watched)
    : options_(std::move(options)),
      on_heads_(std::move(on_heads)),
      watched_(std::move(watched)) {
  notifier_ = std::thread([this] { NotifyLoop(); });
  listener_ = std::thread([this] { ListenLoop(); });
}

PostgresFanout::~PostgresFanout() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  notifier_.join();
  listener_.join();
}

void PostgresFanout::Announce(
    const absl::flat_hash_map<std::string, int64_t>& heads) {
  absl::MutexLock lock(&mu_);
  for (const auto& [bucket, head] : heads) {
    pending_.insert(bucket);
    int64_t& known = known_[bucket];
    known = std::max(known, head);
  }
}

void PostgresFanout::HandOn(
    const absl::flat_hash_map<std::string, int64_t>& heads) {
  absl::flat_hash_map<std::string, int64_t> ahead;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [bucket, head] : heads) {
      int64_t& known = known_[bucket];
      if (head > known) {
        known = head;
        ahead[bucket] = head;
      }
    }
  }
  if (!ahead.empty()) on_heads_(ahead);
}

void PostgresFanout::NotifyLoop() {
  std::unique_ptr<pg::Connection> conn;
  while (true) {
    std::vector<std::string> buckets;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.notify_every);
      if (stop_) return;
      buckets.assign(pending_.begin(), pending_.end());
      pending_.clear();
    }
    if (buckets.empty()) continue;
    if (conn == nullptr || !conn->ok()) {
      absl::StatusOr<std::unique_ptr<pg::Connection>> opened =
          Connect(options_.conninfo, "notify", kNotify);
      // Unreachable: these notices are lost; the listeners' resync finds
      // the heads.
      if (!opened.ok()) continue;
      conn = std::move(*opened);
    }
    // One NOTIFY per payload's worth of bucket names.
    std::string payload;
    for (size_t i = 0; i <= buckets.size(); ++i) {
      const bool last = i == buckets.size();
      if (!payload.empty() &&
          (last || payload.size() + buckets[i].size() + 1 > kMaxPayload)) {
        if (!conn->Run("notify", pg::Params().Text(kChannel).Text(payload))
                 .ok()) {
          break;
        }
        payload.clear();
      }
      if (!last) {
        if (!payload.empty()) payload += '\n';
        payload += buckets[i];
      }
    }
  }
}

void PostgresFanout::ListenLoop() {
  std::unique_ptr<pg::Connection> conn;
  absl::Time next_resync = absl::InfinitePast();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
    }
    if (conn == nullptr || !conn->ok()) {
      absl::StatusOr<std::unique_ptr<pg::Connection>> opened =
          Connect(options_.conninfo, "heads", kHeads);
      if (!opened.ok() ||
          !(*opened)->Exec(absl::StrCat("LISTEN ", kChannel)).ok()) {
        conn.reset();
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stop_), absl::Seconds(1));
        continue;
      }
      conn = std::move(*opened);
      next_resync = absl::InfinitePast();  // notices may have been lost
    }
    if (absl::Now() >= next_resync) {
      next_resync = absl::Now() + options_.resync_every;
      absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> heads =
          ReadHeads(*conn, absl::StrJoin(watched_(), "\n"));
      if (heads.ok()) HandOn(*heads);
    }
    absl::StatusOr<std::vector<pg::Connection::Notification>> notices =
        conn->WaitForNotifications(200);
    if (!notices.ok()) {
      conn.reset();
      continue;
    }
    std::string buckets;
    for (const pg::Connection::Notification& notice : *notices) {
      if (!buckets.empty()) buckets += '\n';
      buckets += notice.payload;
    }
    absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> heads =
        ReadHeads(*conn, buckets);
    if (heads.ok()) HandOn(*heads);
  }
}

}  // namespace plansync::server
