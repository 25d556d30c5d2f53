// A thin RAII layer over libpq: a connection, statements prepared once per
// connection by name, parameters and results in binary format, and errors as
// absl::Status by SQLSTATE class. No SQL of its own beyond what callers pass.
#ifndef PLANSYNC_SERVER_PG_CONNECTION_H_
#define PLANSYNC_SERVER_PG_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct pg_conn;
struct pg_result;

namespace plansync::server::pg {

// The parameters of one statement, all sent in binary format: text as its
// bytes, integers as 8-byte big-endian (the SQL casts them: `$2::int8`),
// blobs as their bytes (`$3::bytea`). A null is an absent value.
class Params {
 public:
  Params& Text(absl::string_view value);
  Params& Int(int64_t value);
  Params& Blob(absl::string_view value) { return Text(value); }
  Params& Null();
  // One-dimensional arrays in PostgreSQL's binary format (cast in the SQL:
  // `$1::text[]`, `$2::bytea[]`, `$3::int8[]`), for many rows in one
  // statement (`unnest`).
  Params& TextArray(const std::vector<std::string>& values);
  Params& BlobArray(const std::vector<std::string>& values);
  Params& IntArray(const std::vector<int64_t>& values);
  size_t size() const { return values_.size(); }

 private:
  friend class Connection;
  Params& Array(uint32_t element_oid, size_t count,
                absl::FunctionRef<absl::string_view(size_t)> element);
  std::vector<std::optional<std::string>> values_;  // binary format
};

// A statement's result, in binary format. Rows and columns from 0.
class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept : result_(other.result_) {
    other.result_ = nullptr;
  }
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  bool IsNull(int row, int column) const;
  // The bytes of a text or bytea column.
  absl::string_view Bytes(int row, int column) const;
  std::string Text(int row, int column) const {
    return std::string(Bytes(row, column));
  }
  // An int2, int4 or int8 column (by its length), or a bool.
  int64_t Int(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t Affected() const;

 private:
  pg_result* result_;
};

// One connection to PostgreSQL. Not thread-safe: one user at a time (a
// pool hands it out).
class Connection {
 public:
  // Connects with a libpq connection string or URI
  // ("postgresql://USER@HOST:PORT/DB"; the password comes from PGPASSWORD or
  // the password file, never from the command line). UNAVAILABLE if the
  // server cannot be reached (within 10 s unless the URI sets
  // connect_timeout), with libpq's reason.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` (one or more statements, no parameters).
  absl::Status Exec(absl::string_view sql);
  // Prepares `sql` as `name` on this connection, once.
  absl::Status Prepare(const std::string& name, absl::string_view sql);
  // Runs the prepared statement `name`.
  absl::StatusOr<Result> Run(const std::string& name, const Params& params);
  // Runs `sql` once with parameters (no prepared statement).
  absl::StatusOr<Result> Query(absl::string_view sql, const Params& params);

  // False once the connection broke; a pool drops it.
  bool ok() const;

  // LISTEN support: waits up to `timeout_ms` for the server to send
  // something, then returns the notifications received (possibly none).
  // UNAVAILABLE if the connection broke.
  struct Notification {
    std::string channel;
    std::string payload;
    int sender_pid = 0;  // the server process of the notifying connection
  };
  absl::StatusOr<std::vector<Notification>> WaitForNotifications(
      int timeout_ms);
  // The server process serving this connection.
  int backend_pid() const;

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  absl::StatusOr<Result> Check(pg_result* result);

  pg_conn* conn_;
};

// INVALID_ARGUMENT if `conninfo` is malformed or holds a password: a
// password belongs in PGPASSWORD or the password file, not on a command
// line every user of the machine can read.
absl::Status CheckConninfo(const std::string& conninfo);

// The status for a failed result: ALREADY_EXISTS for a unique violation
// (23505), ABORTED for a serialization failure or deadlock (40001, 40P01:
// retry the transaction), UNAVAILABLE for a lost connection (08xxx, 57P01),
// RESOURCE_EXHAUSTED for a full disk or too many connections (53xxx),
// INTERNAL otherwise; the message is PostgreSQL's primary message, without
// its detail (which may quote stored values).
absl::Status StatusOf(absl::string_view sqlstate, absl::string_view message);

}  // namespace plansync::server::pg

#endif  // PLANSYNC_SERVER_PG_CONNECTION_H_
