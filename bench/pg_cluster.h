// A PostgreSQL cluster for a benchmark: a throwaway one started by
// scripts/pg-cluster --durable (every commit flushed) and stopped at the
// end, or the server PLANSYNC_BENCH_PG_URI names. The path of the script is
// compiled in (PLANSYNC_PG_CLUSTER). Header-only; for bench/ only.
#ifndef PLANSYNC_BENCH_PG_CLUSTER_H_
#define PLANSYNC_BENCH_PG_CLUSTER_H_

#include <stdlib.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "server/pg/connection.h"

namespace plansync::bench {

// The cluster of the run: started here (and stopped at the end) unless
// PLANSYNC_BENCH_PG_URI names one.
class Cluster {
 public:
  static absl::StatusOr<std::unique_ptr<Cluster>> Start(
      const std::string& dir) {
    std::unique_ptr<Cluster> cluster(new Cluster());
    if (const char* uri = getenv("PLANSYNC_BENCH_PG_URI"); uri && *uri) {
      cluster->uri_ = uri;
      return cluster;
    }
    cluster->dir_ = dir;
    const std::string command =
        absl::StrCat(PLANSYNC_PG_CLUSTER, " start '", dir, "' --durable");
    if (std::system(command.c_str()) != 0) {
      cluster->dir_.clear();
      return absl::UnavailableError(
          absl::StrCat("could not start PostgreSQL: ", command));
    }
    std::FILE* file = std::fopen((dir + "/uri").c_str(), "r");
    char line[512] = {0};
    if (file == nullptr || std::fgets(line, sizeof(line), file) == nullptr) {
      if (file != nullptr) std::fclose(file);
      return absl::InternalError("the cluster wrote no URI");
    }
    std::fclose(file);
    cluster->uri_ = line;
    while (!cluster->uri_.empty() && cluster->uri_.back() == '\n') {
      cluster->uri_.pop_back();
    }
    return cluster;
  }
  ~Cluster() {
    if (dir_.empty()) return;
    const std::string command =
        absl::StrCat(PLANSYNC_PG_CLUSTER, " stop '", dir_, "'");
    if (std::system(command.c_str()) != 0) {
      std::fprintf(stderr, "could not stop the cluster in %s\n", dir_.c_str());
    }
  }

  // The URI of database `name` on the cluster.
  std::string Uri(const std::string& name) const {
    return absl::StrCat(uri_.substr(0, uri_.rfind('/') + 1), name);
  }
  // Drops `name` if it exists and makes it again, empty or as a copy of
  // `template_name`.
  absl::Status Create(const std::string& name,
                      const std::string& template_name = "") const {
    ASSIGN_OR_RETURN(std::unique_ptr<server::pg::Connection> conn,
                     server::pg::Connection::Open(uri_));
    RETURN_IF_ERROR(conn->Exec(absl::StrCat("DROP DATABASE IF EXISTS ", name)));
    return conn->Exec(absl::StrCat(
        "CREATE DATABASE ", name,
        template_name.empty() ? ""
                              : absl::StrCat(" TEMPLATE ", template_name)));
  }
  absl::Status Drop(const std::string& name) const {
    ASSIGN_OR_RETURN(std::unique_ptr<server::pg::Connection> conn,
                     server::pg::Connection::Open(uri_));
    return conn->Exec(absl::StrCat("DROP DATABASE IF EXISTS ", name));
  }

 private:
  Cluster() = default;
  std::string uri_;
  std::string dir_;
};

}  // namespace plansync::bench

#endif  // PLANSYNC_BENCH_PG_CLUSTER_H_
