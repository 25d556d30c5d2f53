#include "tests/pg_test_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "server/pg/connection.h"

namespace plansync::testing {
namespace {

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// This process's own cluster, stopped at exit.
std::string own_cluster_dir;

void StopOwnCluster() {
  if (own_cluster_dir.empty()) return;
  const std::string command =
      absl::StrCat(PLANSYNC_PG_CLUSTER_SCRIPT, " stop '", own_cluster_dir, "'");
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "could not stop the test cluster in %s\n",
                 own_cluster_dir.c_str());
  }
}

// The URI of the server's `postgres` database.
absl::StatusOr<std::string> ServerUri() {
  static std::mutex mu;
  static std::string uri;
  std::lock_guard<std::mutex> lock(mu);
  if (!uri.empty()) return uri;
  if (const char* given = getenv("PLANSYNC_PG_URI"); given && *given) {
    return uri = given;
  }
  if (const char* file = getenv("PLANSYNC_PG_URI_FILE"); file && *file) {
    uri = ReadFirstLine(file);
    if (uri.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the pg_cluster fixture wrote no URI to ", file,
                       " (did the cluster start? see its test's output)"));
    }
    return uri;
  }
  own_cluster_dir = (std::filesystem::temp_directory_path() /
                     absl::StrCat("plansync-pg-", getpid()))
                        .string();
  const std::string command = absl::StrCat(PLANSYNC_PG_CLUSTER_SCRIPT,
                                           " start '", own_cluster_dir, "'");
  if (std::system(command.c_str()) != 0) {
    own_cluster_dir.clear();
    return absl::UnavailableError(
        absl::StrCat("could not start a PostgreSQL cluster (", command, ")"));
  }
  atexit(StopOwnCluster);
  uri = ReadFirstLine(own_cluster_dir + "/uri");
  return uri;
}

}  // namespace

bool SkipPg() {
  const char* skip = getenv("PLANSYNC_SKIP_PG");
  return skip != nullptr && std::string(skip) == "1";
}

absl::StatusOr<std::string> NewPgDatabase() {
  absl::StatusOr<std::string> server = ServerUri();
  if (!server.ok()) return server.status();
  absl::StatusOr<std::unique_ptr<server::pg::Connection>> conn =
      server::pg::Connection::Open(*server);
  if (!conn.ok()) return conn.status();
  static std::atomic<int> next{0};
  const std::string name =
      absl::StrCat("plansync_test_", getpid(), "_", next.fetch_add(1));
  absl::Status created = (*conn)->Exec(absl::StrCat("CREATE DATABASE ", name));
  if (!created.ok()) return created;
  const size_t slash = server->rfind('/');
  return absl::StrCat(server->substr(0, slash + 1), name);
}

}  // namespace plansync::testing
