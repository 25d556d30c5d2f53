// TLS end to end: the real plansync-server binary serving TLS on a loopback
// port with a certificate from a CA the test makes with the openssl tool,
// and real plansync CLI devices that trust that CA, another CA, or nothing.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "server/sqlite_server_store.h"
#include "tests/cli_fixture.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::Process;
using testing::RunCli;
using testing::ServerProcess;

// The absolute path of `program` on $PATH, or "" if there is none.
std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path == nullptr ? "/usr/bin:/bin" : path, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = std::string(dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Extensions for the test's certificates (openssl req/x509 -config file).
constexpr char kOpensslConfig[] = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = plansync test
[ca_ext]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier = keyid
)";

class TlsTest : public testing::CliFixture {
 protected:
  void SetUp() override { MakeCertificates(); }

  std::string CaCert() { return dir_.File("ca.pem"); }
  std::string OtherCaCert() { return dir_.File("other-ca.pem"); }
  std::string ServerCert() { return dir_.File("server.pem"); }
  std::string ServerKey() { return dir_.File("server.key"); }
  std::vector<std::string> TlsFlags() {
    return {"--tls_cert=" + ServerCert(), "--tls_key=" + ServerKey()};
  }

  // Runs openssl with `args`; fails the test if it does not succeed.
  void OpenSsl(std::vector<std::string> args) {
    args.insert(args.begin(), openssl_);
    CliResult result = testing::RunProgram(args, Log() + ".openssl");
    ASSERT_EQ(result.exit_code, 0)
        << "openssl " << args[1] << ": " << result.err;
  }
  // A new EC P-256 key in `key_file` and a CA certificate for it.
  void MakeCa(const std::string& name, const std::string& key_file,
              const std::string& cert_file) {
    OpenSsl({"req", "-x509", "-config", dir_.File("openssl.cnf"), "-extensions",
             "ca_ext", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key_file,
             "-out", cert_file, "-days", "2", "-subj", "/CN=" + name});
  }
  // ca.pem and the server's key and certificate it signs (SAN 127.0.0.1 and
  // localhost); other-ca.pem, an unrelated CA.
  void MakeCertificates() {
    openssl_ = FindOnPath("openssl");
    ASSERT_FALSE(openssl_.empty())
        << "the openssl tool is missing (apt-get install openssl)";
    std::ofstream(dir_.File("openssl.cnf")) << kOpensslConfig;
    ASSERT_NO_FATAL_FAILURE(
        MakeCa("plansync test CA", dir_.File("ca.key"), CaCert()));
    ASSERT_NO_FATAL_FAILURE(
        OpenSsl({"req", "-new", "-config", dir_.File("openssl.cnf"), "-newkey",
                 "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                 "-keyout", ServerKey(), "-out", dir_.File("server.csr"),
                 "-subj", "/CN=localhost"}));
    ASSERT_NO_FATAL_FAILURE(
        OpenSsl({"x509", "-req", "-in", dir_.File("server.csr"), "-CA",
                 CaCert(), "-CAkey", dir_.File("ca.key"), "-set_serial", "2",
                 "-days", "2", "-extfile", dir_.File("openssl.cnf"),
                 "-extensions", "server_ext", "-out", ServerCert()}));
    ASSERT_NO_FATAL_FAILURE(
        MakeCa("unrelated test CA", dir_.File("other-ca.key"), OtherCaCert()));
  }

  // A case manager for one student, with a device token in a file.
  struct Caseload {
    std::string user, student, token_file;
  };
  Caseload Enroll() {
    Caseload caseload;
    caseload.user = Admin({"add-user", "--name", "Ms. Rivera"});
    caseload.student =
        Admin({"add-student", "--given", "Maya", "--family", "Diaz"});
    Admin({"assign", "--user", caseload.user, "--student", caseload.student,
           "--role", "case-manager"});
    caseload.token_file = dir_.File("rivera.token");
    Admin(
        {"issue-token", "--user", caseload.user, "--out", caseload.token_file});
    return caseload;
  }

  // (Re)points `device` at `address`, trusting `ca` ("": plaintext).
  void Init(const std::string& device, const Caseload& caseload,
            const std::string& address, const std::string& ca) {
    std::vector<std::string> args = {
        "init",  "--user",       caseload.user,      "--server",
        address, "--token-file", caseload.token_file};
    if (!ca.empty()) args.insert(args.end(), {"--ca", ca});
    Ok(device, args);
  }
  // Starts `plansync --db DEVICE sync` without waiting for it.
  std::unique_ptr<Process> StartSync(const std::string& device) {
    return std::make_unique<Process>(
        std::vector<std::string>{PLANSYNC_CLI_BIN, "--db", Db(device), "sync"},
        Log() + ".sync");
  }
  static int ExitCode(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // The Student lines `plansync list Student` prints for `device`.
  std::vector<std::string> Students(const std::string& device) {
    std::vector<std::string> lines;
    for (absl::string_view line :
         absl::StrSplit(Ok(device, {"list", "Student"}), '\n')) {
      if (!line.empty()) lines.emplace_back(line);
    }
    return lines;
  }
  // The device's pending outbox changes, from `status --json`.
  int64_t Pending(const std::string& device) {
    const std::string out = Ok(device, {"status", "--json"});
    const std::string key = "\"pending\": ";
    const size_t at = out.find(key);
    return at == std::string::npos ? -1
                                   : std::stoll(out.substr(at + key.size()));
  }
  // Items in the server store (read while the server runs).
  int64_t ServerItems() {
    server::SqliteServerStoreOptions options;
    options.path = Db("server");
    auto store = server::OpenSqliteServerStore(options);
    EXPECT_OK(store);
    if (!store.ok()) return -1;
    auto count = (*store)->ItemCount();
    EXPECT_OK(count);
    return count.ok() ? *count : -1;
  }

  // A Plan for `caseload`'s student made offline on `device`: 5 changes
  // pending.
  void AddPlan(const std::string& device, const Caseload& caseload) {
    Ok(device, {"add", "Plan", "student_id=" + caseload.student, "kind=iep",
                "status=active", "version=1", "jurisdiction=US-MO"});
    ASSERT_EQ(Pending(device), 5);
  }

  // Device "known": synced once over TLS, then a Plan made offline (5
  // changes pending). Returns the server's item count at that point.
  int64_t KnownDeviceWithOfflineWork(const ServerProcess& server,
                                     const Caseload& caseload) {
    Init("known", caseload, server.address(), CaCert());
    Ok("known", {"sync"});
    EXPECT_EQ(Students("known").size(), 1u);
    AddPlan("known", caseload);
    const int64_t items = ServerItems();
    EXPECT_GT(items, 0);
    return items;
  }

  std::string openssl_;
};

TEST_F(TlsTest, DeviceTrustingTheCaSyncsOverTls) {
  ServerProcess server(Db("server"), Log(), 0, TlsFlags());
  ASSERT_NE(server.port(), 0);
  const Caseload caseload = Enroll();
  const std::string port = std::to_string(server.port());

  // The certificate names both 127.0.0.1 and localhost.
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    const std::string device = "device-" + host;
    Init(device, caseload, host + ":" + port, CaCert());
    EXPECT_TRUE(Students(device).empty());
    CliResult sync = Cli(device, {"sync"});
    ASSERT_EQ(sync.exit_code, 0) << sync.err;
    EXPECT_NE(sync.out.find("synced:"), std::string::npos) << sync.out;
    const std::vector<std::string> students = Students(device);
    ASSERT_EQ(students.size(), 1u);
    EXPECT_EQ(students[0].rfind("Student " + caseload.student, 0), 0u)
        << students[0];
    EXPECT_NE(students[0].find("given_name=Maya"), std::string::npos);
  }

  // A change made on the device reaches the server over TLS.
  const int64_t before = ServerItems();
  ASSERT_NO_FATAL_FAILURE(AddPlan("device-127.0.0.1", caseload));
  Ok("device-127.0.0.1", {"sync"});
  EXPECT_EQ(Pending("device-127.0.0.1"), 0);
  EXPECT_EQ(ServerItems(), before + 5);
}

TEST_F(TlsTest, DeviceTrustingAnotherCaCannotConnect) {
  ServerProcess server(Db("server"), Log(), 0, TlsFlags());
  ASSERT_NE(server.port(), 0);
  const Caseload caseload = Enroll();
  int64_t items = 0;
  ASSERT_NO_FATAL_FAILURE(items = KnownDeviceWithOfflineWork(server, caseload));

  // A new device and the known one, both trusting the unrelated CA, sync at
  // once (each fails only after its retries).
  Init("new", caseload, server.address(), OtherCaCert());
  Init("known", caseload, server.address(), OtherCaCert());
  auto new_sync = StartSync("new");
  auto known_sync = StartSync("known");
  EXPECT_NE(ExitCode(new_sync->Wait()), 0);
  EXPECT_NE(ExitCode(known_sync->Wait()), 0);
  for (const auto* sync : {new_sync.get(), known_sync.get()}) {
    // Refused in the TLS handshake, not for want of a token or a grant.
    EXPECT_NE(absl::AsciiStrToLower(sync->Stderr()).find("handshake"),
              std::string::npos)
        << sync->Stderr();
    EXPECT_EQ(sync->Stdout().find("synced:"), std::string::npos);
  }
  EXPECT_TRUE(Students("new").empty());
  EXPECT_EQ(Pending("known"), 5);
  EXPECT_EQ(ServerItems(), items);

  // Trusting the right CA again, the same work goes through.
  Init("known", caseload, server.address(), CaCert());
  Ok("known", {"sync"});
  EXPECT_EQ(Pending("known"), 0);
  EXPECT_EQ(ServerItems(), items + 5);
}

TEST_F(TlsTest, PlaintextClientCannotTalkToTheTlsPort) {
  ServerProcess server(Db("server"), Log(), 0, TlsFlags());
  ASSERT_NE(server.port(), 0);
  const Caseload caseload = Enroll();
  int64_t items = 0;
  ASSERT_NO_FATAL_FAILURE(items = KnownDeviceWithOfflineWork(server, caseload));

  // No --ca: plaintext gRPC to the TLS port.
  Init("new", caseload, server.address(), "");
  Init("known", caseload, server.address(), "");
  auto new_sync = StartSync("new");
  auto known_sync = StartSync("known");
  EXPECT_NE(ExitCode(new_sync->Wait()), 0);
  EXPECT_NE(ExitCode(known_sync->Wait()), 0);
  for (const auto* sync : {new_sync.get(), known_sync.get()}) {
    EXPECT_EQ(sync->Stdout().find("synced:"), std::string::npos);
    EXPECT_NE(sync->Stderr().find("plansync: "), std::string::npos);
  }
  EXPECT_TRUE(Students("new").empty());
  EXPECT_EQ(Pending("known"), 5);
  EXPECT_EQ(ServerItems(), items);
}

// Also a TLS-file-level check: no other test covers the startup refusal.
TEST_F(TlsTest, PlaintextOnANonLoopbackAddressIsRefusedAtStartup) {
  for (const std::string listen : {"0.0.0.0:0", "[::]:0"}) {
    SCOPED_TRACE(listen);
    CliResult result = testing::RunProgram(
        {PLANSYNC_SERVER_BIN, "--db", Db("server"), "--listen", listen},
        Log() + ".refuse");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("refusing to serve plaintext"), std::string::npos)
        << result.err;
    EXPECT_EQ(result.out.find("listening"), std::string::npos) << result.out;
  }
}

TEST_F(TlsTest, CertificateAndKeyGoTogether) {
  const std::vector<std::vector<std::string>> halves = {
      {"--tls_cert=" + ServerCert()}, {"--tls_key=" + ServerKey()}};
  for (const std::vector<std::string>& half : halves) {
    SCOPED_TRACE(half[0]);
    std::vector<std::string> argv = {PLANSYNC_SERVER_BIN, "--db", Db("server"),
                                     "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), half.begin(), half.end());
    CliResult result = testing::RunProgram(argv, Log() + ".half");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("go together"), std::string::npos) << result.err;
    EXPECT_EQ(result.out.find("listening"), std::string::npos) << result.out;
  }
}

}  // namespace
}  // namespace plansync
