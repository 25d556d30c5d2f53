// A fixture for the tests of the role commands (`plansync lapse`, `today`,
// `confirm`, `session`, `plan create` ...) through the real binaries: a real
// server, a caseload made with `plansync-server admin`, one device per
// person, and today fixed by PLANSYNC_TODAY to Thursday 2026-09-17.
#ifndef PLANSYNC_TESTS_CLI_ROLES_FIXTURE_H_
#define PLANSYNC_TESTS_CLI_ROLES_FIXTURE_H_

#include <stdlib.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "core/device_store.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "tests/cli_fixture.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace plansync::testing {

class CliRolesTest : public CliFixture {
 protected:
  // Today for every CLI run of the test: a Thursday.
  static constexpr char kToday[] = "2026-09-17";

  void SetUp() override { setenv("PLANSYNC_TODAY", kToday, 1); }
  void TearDown() override { unsetenv("PLANSYNC_TODAY"); }

  // Starts the server and makes the caseload: Maya Diaz of Lincoln with a
  // case manager ("cm"), a teacher of "Period 2 Math" ("teacher"), a
  // guardian ("parent") and a speech provider ("slp"), each with a device
  // that has synced once.
  void StartCaseload() {
    server_ = std::make_unique<ServerProcess>(Db("server"), Log());
    cm_ = AddUser("Ms. Okafor", {"case-manager"});
    teacher_ = Admin({"add-user", "--name", "Mr. Lee"});
    Admin({"assign", "--user", teacher_, "--student", Student(), "--role",
           "teacher", "--class", "Period 2 Math"});
    parent_ = AddUser("Ms. Diaz", {"guardian"});
    slp_ = AddUser("Ms. Park", {"provider"});
    Init("cm", cm_, *server_);
    Init("teacher", teacher_, *server_);
    Init("parent", parent_, *server_);
    Init("slp", slp_, *server_);
    SyncAll({"cm", "teacher", "parent", "slp"});
  }

  // Maya's IEP, made with the case manager's commands: two accommodations,
  // a service and a goal; synced to every device.
  void MakePlan() {
    plan_ = IdIn(Ok("cm", {"plan", "create", "--kind", "iep", "--jurisdiction",
                           "US-MO", "--start", "2026-08-24", "--end",
                           "2027-08-23", "--annual-review-due", "2027-08-23"}));
    extended_time_ = IdIn(
        Ok("cm", {"accommodation", "add", "--title", "Extended time (1.5x)",
                  "--category", "timing", "--applies-to", "tests-only"}));
    seating_ = IdIn(
        Ok("cm", {"accommodation", "add", "--title", "Preferential seating",
                  "--category", "setting", "--applies-to", "all-classes"}));
    speech_ =
        IdIn(Ok("cm", {"service", "add", "--type", "Speech-language therapy",
                       "--category", "related-service", "--minutes", "60",
                       "--per", "week", "--delivery", "group"}));
    goal_ = IdIn(
        Ok("cm", {"goal", "add", "--area", "Reading fluency", "--description",
                  "Reads grade-5 text aloud at 110 wcpm"}));
    SyncAll({"cm", "teacher", "parent", "slp"});
  }

  void SyncAll(const std::vector<std::string>& devices) {
    for (const std::string& device : devices) Ok(device, {"sync"});
  }

  // The first UUID in `text`: the new record's id in what a command prints.
  static std::string IdIn(const std::string& text) {
    static const std::regex uuid(
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    std::smatch match;
    EXPECT_TRUE(std::regex_search(text, match, uuid)) << text;
    return match.empty() ? "" : match.str();
  }

  // `text` parsed as a JSON object.
  static google::protobuf::Struct Json(const std::string& text) {
    google::protobuf::Struct out;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &out).ok())
        << text;
    return out;
  }
  static const google::protobuf::Value& Field(
      const google::protobuf::Struct& object, const std::string& key) {
    static const google::protobuf::Value* const kNone =
        new google::protobuf::Value();
    auto it = object.fields().find(key);
    EXPECT_TRUE(it != object.fields().end()) << "no field " << key;
    return it == object.fields().end() ? *kNone : it->second;
  }

  std::unique_ptr<DeviceStore> OpenDevice(const std::string& device) {
    DeviceStoreOptions options;
    options.path = Db(device);
    auto store = DeviceStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // The records of T on `device` (archived ones too).
  template <typename T>
  std::vector<T> Records(const std::string& device) {
    auto store = OpenDevice(device);
    if (store == nullptr) return {};
    auto records = store->List<T>("", "", /*include_archived=*/true);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : std::vector<T>{};
  }

  // What `device` holds and has pending: changes with anything stored.
  std::string State(const std::string& device) {
    auto store = OpenDevice(device);
    if (store == nullptr) return "";
    return std::to_string(*store->ContentHash()) + "/" +
           std::to_string(*store->PendingCount());
  }

  // Runs a command that must fail: a non-zero exit, `message` in its error
  // output, and nothing stored on `device`.
  void ExpectRefused(const std::string& device,
                     const std::vector<std::string>& args,
                     const std::string& message) {
    const std::string before = State(device);
    const CliResult result = Cli(device, args);
    std::string command;
    for (const std::string& arg : args) command += arg + " ";
    EXPECT_NE(result.exit_code, 0) << command << "\n" << result.out;
    EXPECT_NE(result.err.find(message), std::string::npos)
        << command << "\nwanted: " << message << "\ngot: " << result.err;
    EXPECT_EQ(State(device), before) << command;
  }

  std::unique_ptr<ServerProcess> server_;
  std::string cm_, teacher_, parent_, slp_;
  std::string plan_, extended_time_, seating_, speech_, goal_;
};

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_CLI_ROLES_FIXTURE_H_
