#include "server/pg/connection.h"

#include <libpq-fe.h>

#include <errno.h>
#include <poll.h>

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace plansync::server::pg {

Params& Params::Text(absl::string_view value) {
  values_.emplace_back(std::string(value));
  return *this;
}

namespace {

// Appends `value` to `out` as a big-endian (network order) 32-bit integer.
void PutInt32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out += static_cast<char>((value >> shift) & 0xff);
  }
}

std::string BigEndian64(int64_t value) {
  std::string bytes(8, '\0');
  auto u = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    bytes[static_cast<size_t>(i)] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return bytes;
}

// Element type OIDs (pg_type.h).
constexpr uint32_t kByteaOid = 17;
constexpr uint32_t kInt8Oid = 20;
constexpr uint32_t kTextOid = 25;

}  // namespace

// array_recv's format: dimensions, a has-nulls flag, the element type, each
// dimension's length and lower bound, then each element's length and bytes.
Params& Params::Array(uint32_t element_oid, size_t count,
                      absl::FunctionRef<absl::string_view(size_t)> element) {
  std::string out;
  PutInt32(out, count == 0 ? 0 : 1);
  PutInt32(out, 0);
  PutInt32(out, element_oid);
  if (count > 0) {
    PutInt32(out, static_cast<uint32_t>(count));
    PutInt32(out, 1);
  }
  for (size_t i = 0; i < count; ++i) {
    const absl::string_view bytes = element(i);
    PutInt32(out, static_cast<uint32_t>(bytes.size()));
    out.append(bytes.data(), bytes.size());
  }
  values_.emplace_back(std::move(out));
  return *this;
}

Params& Params::TextArray(const std::vector<std::string>& values) {
  return Array(kTextOid, values.size(),
               [&](size_t i) -> absl::string_view { return values[i]; });
}

Params& Params::BlobArray(const std::vector<std::string>& values) {
  return Array(kByteaOid, values.size(),
               [&](size_t i) -> absl::string_view { return values[i]; });
}

Params& Params::IntArray(const std::vector<int64_t>& values) {
  std::string element;
  return Array(kInt8Oid, values.size(), [&](size_t i) -> absl::string_view {
    element = BigEndian64(values[i]);
    return element;
  });
}

Params& Params::Int(int64_t value) {
  values_.emplace_back(BigEndian64(value));
  return *this;
}

Params& Params::Null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

Result::~Result() {
  if (result_ != nullptr) PQclear(result_);
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

int Result::rows() const { return PQntuples(result_); }

bool Result::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

absl::string_view Result::Bytes(int row, int column) const {
  return absl::string_view(
      PQgetvalue(result_, row, column),
      static_cast<size_t>(PQgetlength(result_, row, column)));
}

int64_t Result::Int(int row, int column) const {
  const absl::string_view bytes = Bytes(row, column);
  uint64_t u = 0;
  for (char c : bytes) u = (u << 8) | static_cast<unsigned char>(c);
  switch (bytes.size()) {
    case 1:
      return static_cast<int8_t>(u);
    case 2:
      return static_cast<int16_t>(u);
    case 4:
      return static_cast<int32_t>(u);
    default:
      return static_cast<int64_t>(u);
  }
}

int64_t Result::Affected() const {
  const char* tuples = PQcmdTuples(result_);
  return tuples == nullptr || *tuples == '\0' ? 0 : std::atoll(tuples);
}

absl::Status StatusOf(absl::string_view sqlstate, absl::string_view message) {
  const std::string text =
      absl::StrCat("PostgreSQL: ", message, " (SQLSTATE ", sqlstate, ")");
  if (sqlstate == "23505") return absl::AlreadyExistsError(text);
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return absl::AbortedError(text);
  }
  if (absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" ||
      sqlstate == "57P03") {
    return absl::UnavailableError(text);
  }
  if (absl::StartsWith(sqlstate, "53")) {
    return absl::ResourceExhaustedError(text);
  }
  return absl::InternalError(text);
}

absl::Status CheckConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string reason = error == nullptr ? "out of memory" : error;
    if (error != nullptr) PQfreemem(error);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    return absl::InvalidArgumentError(
        absl::StrCat("the PostgreSQL connection URI is malformed: ", reason));
  }
  bool has_password = false;
  for (PQconninfoOption* option = options; option->keyword != nullptr;
       ++option) {
    if (std::strcmp(option->keyword, "password") == 0 &&
        option->val != nullptr && option->val[0] != '\0') {
      has_password = true;
    }
  }
  PQconninfoFree(options);
  if (has_password) {
    return absl::InvalidArgumentError(
        "the PostgreSQL connection URI holds a password; give it in "
        "PGPASSWORD or the password file (~/.pgpass, PGPASSFILE) instead, "
        "since command lines are visible to every user of the machine");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const std::string& conninfo) {
  // A server that does not answer fails the connection after 10 s (unless
  // the URI says otherwise: its parameters come later and win), so that no
  // caller, a stopping server's fan-out thread included, waits for ever.
  const char* const keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* const values[] = {"10", conninfo.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return absl::ResourceExhaustedError(
        "libpq could not allocate a connection");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(conn);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
      reason.pop_back();
    }
    PQfinish(conn);
    return absl::UnavailableError(
        absl::StrCat("cannot connect to PostgreSQL: ", reason));
  }
  auto connection = std::unique_ptr<Connection>(new Connection(conn));
  // Notices (e.g. "relation already exists, skipping") are not logged: they
  // may name stored values.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }

int Connection::backend_pid() const { return PQbackendPID(conn_); }

absl::StatusOr<std::vector<Connection::Notification>>
Connection::WaitForNotifications(int timeout_ms) {
  std::vector<Notification> out;
  auto drain = [&] {
    while (PGnotify* notify = PQnotifies(conn_)) {
      out.push_back({notify->relname, notify->extra, notify->be_pid});
      PQfreemem(notify);
    }
  };
  drain();
  if (!out.empty()) return out;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) return absl::UnavailableError("PostgreSQL: no connection");
  if (poll(&fd, 1, timeout_ms) < 0 && errno != EINTR) {
    return absl::UnavailableError("PostgreSQL: poll failed");
  }
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("PostgreSQL: ", PQerrorMessage(conn_)));
  }
  drain();
  return out;
}

absl::StatusOr<Result> Connection::Check(pg_result* raw) {
  Result result(raw);
  if (raw == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("PostgreSQL: ", PQerrorMessage(conn_)));
  }
  const ExecStatusType status = PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  const char* sqlstate = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
  return StatusOf(sqlstate == nullptr ? "XX000" : sqlstate,
                  primary == nullptr ? PQresStatus(status) : primary);
}

absl::Status Connection::Exec(absl::string_view sql) {
  return Check(PQexec(conn_, std::string(sql).c_str())).status();
}

absl::Status Connection::Prepare(const std::string& name,
                                 absl::string_view sql) {
  return Check(PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0,
                         nullptr))
      .status();
}

namespace {

struct RawParams {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
};

// Every parameter goes in binary format (format 1).
RawParams Raw(const std::vector<std::optional<std::string>>& values) {
  RawParams raw;
  for (size_t i = 0; i < values.size(); ++i) {
    const std::optional<std::string>& value = values[i];
    raw.values.push_back(value.has_value() ? value->data() : nullptr);
    raw.lengths.push_back(value.has_value() ? static_cast<int>(value->size())
                                            : 0);
    raw.formats.push_back(1);
  }
  return raw;
}

}  // namespace

absl::StatusOr<Result> Connection::Run(const std::string& name,
                                       const Params& params) {
  const RawParams raw = Raw(params.values_);
  return Check(PQexecPrepared(conn_, name.c_str(),
                              static_cast<int>(raw.values.size()),
                              raw.values.data(), raw.lengths.data(),
                              raw.formats.data(), /*resultFormat=*/1));
}

absl::StatusOr<Result> Connection::Query(absl::string_view sql,
                                         const Params& params) {
  const RawParams raw = Raw(params.values_);
  return Check(PQexecParams(conn_, std::string(sql).c_str(),
                            static_cast<int>(raw.values.size()), nullptr,
                            raw.values.data(), raw.lengths.data(),
                            raw.formats.data(), /*resultFormat=*/1));
}

}  // namespace plansync::server::pg
