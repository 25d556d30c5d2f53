// The C API's contracts, in process: arguments checked, errors filled,
// records written and read through serialized bytes, one handle shared by
// threads, sync options refused before any network. Linked against
// libplansync alone (no C++ plansync library), as an app is; records are
// encoded with the test codec of wire.h.
#include <plansync/plansync.h>
#include <stdlib.h>

#include <atomic>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "capi_fixture.h"
#include "gtest/gtest.h"
#include "wire.h"

namespace plansync_capi_test {
namespace {

TEST_F(CApiTest, CodesAndReasonsHaveTheirSourcesNames) {
  EXPECT_STREQ(plansync_code_name(PLANSYNC_CODE_OK), "OK");
  EXPECT_STREQ(plansync_code_name(PLANSYNC_CODE_INVALID_ARGUMENT),
               "INVALID_ARGUMENT");
  EXPECT_STREQ(plansync_code_name(PLANSYNC_CODE_UNAUTHENTICATED),
               "UNAUTHENTICATED");
  EXPECT_STREQ(plansync_code_name(-1), "");
  EXPECT_STREQ(plansync_code_name(17), "");
  EXPECT_STREQ(plansync_reason_name(PLANSYNC_REASON_ROLE_NOT_PERMITTED),
               "ROLE_NOT_PERMITTED");
  EXPECT_STREQ(plansync_reason_name(PLANSYNC_REASON_UNSPECIFIED),
               "REASON_UNSPECIFIED");
  EXPECT_STREQ(plansync_reason_name(9999), "");
  EXPECT_STREQ(plansync_version(), PLANSYNC_TEST_VERSION);
}

TEST_F(CApiTest, NullArgumentsAreRefusedWithoutCrashing) {
  const std::string bytes = Student("Maya", "Diaz");
  char* id = reinterpret_cast<char*>(1);
  uint8_t* record = reinterpret_cast<uint8_t*>(1);
  size_t size = 1;
  int64_t count = 1;
  auto refused = [&](int code) {
    EXPECT_EQ(code, PLANSYNC_CODE_INVALID_ARGUMENT);
    EXPECT_EQ(err_.code, PLANSYNC_CODE_INVALID_ARGUMENT);
    EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNSPECIFIED);
    EXPECT_NE(std::strstr(err_.message, "NULL"), nullptr) << err_.message;
  };
  refused(plansync_create(nullptr, "Student", bytes.data(), bytes.size(), &id,
                          &err_));
  EXPECT_EQ(id, nullptr);
  refused(
      plansync_create(store_, nullptr, bytes.data(), bytes.size(), &id, &err_));
  refused(plansync_create(store_, "Student", nullptr, 3, &id, &err_));
  refused(plansync_append(nullptr, "LapseReport", bytes.data(), bytes.size(),
                          nullptr, &err_));
  refused(plansync_update(nullptr, "Student", bytes.data(), bytes.size(),
                          nullptr, 0, &err_));
  refused(plansync_update(store_, "Student", bytes.data(), bytes.size(),
                          nullptr, 1, &err_));
  const char* null_field[] = {nullptr};
  refused(plansync_update(store_, "Student", bytes.data(), bytes.size(),
                          null_field, 1, &err_));
  refused(plansync_archive(nullptr, "Student", "x", &err_));
  refused(plansync_archive(store_, "Student", nullptr, &err_));
  refused(plansync_get(nullptr, "Student", "x", &record, &size, &err_));
  EXPECT_EQ(record, nullptr);
  EXPECT_EQ(size, 0u);
  refused(plansync_get(store_, "Student", nullptr, &record, &size, &err_));
  refused(plansync_get(store_, "Student", "x", nullptr, &size, &err_));
  refused(plansync_list(
      nullptr, "Student", nullptr, nullptr, 0,
      [](void*, const uint8_t*, size_t) { return 0; }, nullptr, &err_));
  refused(plansync_list(store_, "Student", nullptr, nullptr, 0, nullptr,
                        nullptr, &err_));
  refused(plansync_list(
      store_, "Student", "school", nullptr, 0,
      [](void*, const uint8_t*, size_t) { return 0; }, nullptr, &err_));
  refused(plansync_pending_count(nullptr, &count, &err_));
  refused(plansync_pending_count(store_, nullptr, &err_));
  refused(plansync_rejected_changes(nullptr, nullptr, nullptr, &err_));
  refused(plansync_rejected_changes(store_, nullptr, nullptr, &err_));
  refused(plansync_sync(nullptr, nullptr, nullptr, &err_));
  refused(plansync_sync(store_, nullptr, nullptr, &err_));
  plansync_store* other = reinterpret_cast<plansync_store*>(1);
  refused(plansync_store_open(nullptr, kUser, &other, &err_));
  EXPECT_EQ(other, nullptr);
  refused(plansync_store_open(Path("x.db").c_str(), kUser, nullptr, &err_));
  EXPECT_EQ(plansync_store_open("", kUser, &other, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(other, nullptr);
  // The NULL-tolerant ones.
  plansync_store_close(nullptr);
  plansync_free(nullptr);
  EXPECT_STREQ(plansync_store_principal_id(nullptr), "");
  EXPECT_STREQ(plansync_store_replica_id(nullptr), "");
  // Without an error struct the code still says it.
  EXPECT_EQ(plansync_archive(nullptr, "Student", "x", nullptr),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  // Nothing was stored.
  EXPECT_TRUE(List("Student", nullptr, nullptr, 1).empty());
}

TEST_F(CApiTest, SuccessClearsTheErrorStruct) {
  std::memset(&err_, 'x', sizeof(err_));
  err_.message[sizeof(err_.message) - 1] = '\0';
  EXPECT_FALSE(Create("Student", Student("Maya", "Diaz")).empty());
  EXPECT_EQ(err_.code, PLANSYNC_CODE_OK);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNSPECIFIED);
  EXPECT_STREQ(err_.message, "");
}

TEST_F(CApiTest, LongMessagesAreCutAtACharacterBoundary) {
  // The message quotes the name: '"', 'x', then two-byte characters, so
  // that cutting at the last byte of the buffer would split one.
  std::string name = "x";
  for (int i = 0; i < 1000; ++i) name += "\xc3\xa9";  // é
  EXPECT_EQ(Create(name.c_str(), Student("Maya", "Diaz")), "");
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_RECORD_TYPE);
  const size_t length = std::strlen(err_.message);
  ASSERT_EQ(std::string(err_.message, 2), "\"x");
  EXPECT_EQ(length, sizeof(err_.message) - 2);
  EXPECT_EQ((length - 2) % 2, 0u);
  EXPECT_EQ(static_cast<unsigned char>(err_.message[length - 2]), 0xc3);
  EXPECT_EQ(static_cast<unsigned char>(err_.message[length - 1]), 0xa9);
}

TEST_F(CApiTest, RecordsRoundTripThroughBytes) {
  const std::string id = Create("plansync.v1.Student",
                                Student("Maya", "Diaz", "Lincoln Elementary"));
  ASSERT_EQ(id.size(), 36u) << err_.message;
  const std::string other =
      Create("Student", Student("Leo", "Diaz", "Roosevelt Middle"));
  ASSERT_FALSE(other.empty()) << err_.message;

  std::string record = Get("Student", id);
  EXPECT_EQ(Field(record, kStudentId), id);
  EXPECT_EQ(Field(record, kStudentGivenName), "Maya");
  EXPECT_EQ(Field(record, kStudentSchool), "Lincoln Elementary");

  // Update one field; the message's other fields are ignored.
  const std::string values =
      Student("Ignored", "Diaz-Moreno", "Ignored School", id);
  const char* fields[] = {"family_name"};
  ASSERT_EQ(plansync_update(store_, "Student", values.data(), values.size(),
                            fields, 1, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  record = Get("Student", id);
  EXPECT_EQ(Field(record, kStudentGivenName), "Maya");
  EXPECT_EQ(Field(record, kStudentFamilyName), "Diaz-Moreno");
  EXPECT_EQ(Field(record, kStudentSchool), "Lincoln Elementary");

  // Lists: all, filtered, stopped early.
  EXPECT_EQ(List("Student", nullptr, nullptr).size(), 2u);
  EXPECT_EQ(List("Student", "", "").size(), 2u);
  std::vector<std::string> lincoln =
      List("Student", "school", "Lincoln Elementary");
  ASSERT_EQ(lincoln.size(), 1u);
  EXPECT_EQ(Field(lincoln[0], kStudentId), id);
  EXPECT_EQ(List("Student", nullptr, nullptr, 0, /*stop_after=*/1).size(), 1u);
  EXPECT_NE(
      plansync_list(
          store_, "Student", "no_such_field", "x", 0,
          [](void*, const uint8_t*, size_t) { return 0; }, nullptr, &err_),
      PLANSYNC_CODE_OK);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_FIELD);

  // Archive: gone from lists unless archived ones are asked for.
  ASSERT_EQ(plansync_archive(store_, "Student", id.c_str(), &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_EQ(List("Student", nullptr, nullptr).size(), 1u);
  EXPECT_EQ(List("Student", nullptr, nullptr, 1).size(), 2u);
  record = Get("Student", id);
  EXPECT_EQ(wire_get_int(reinterpret_cast<const uint8_t*>(record.data()),
                         record.size(), kStudentDeleted),
            1);
  EXPECT_EQ(plansync_archive(store_, "Student",
                             "01900000-0000-7000-8000-0000000000ff", &err_),
            PLANSYNC_CODE_NOT_FOUND);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_RECORD);

  // Every write is an outbox change: two creates (one change per field
  // set), one update and one archive.
  int64_t pending = 0;
  ASSERT_EQ(plansync_pending_count(store_, &pending, &err_), PLANSYNC_CODE_OK);
  EXPECT_GT(pending, 2);
}

TEST_F(CApiTest, RefusedWritesStoreNothing) {
  // A student without a family name.
  wire_message m{};
  wire_string(&m, kStudentGivenName, "Maya");
  char* id = nullptr;
  EXPECT_EQ(plansync_create(store_, "Student", m.data, m.size, &id, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_MISSING_REQUIRED_FIELD);
  EXPECT_EQ(id, nullptr);
  // A string with invalid UTF-8.
  const std::string bad_utf8 = Student("Ma\xff\xfeya", "Diaz");
  EXPECT_EQ(Create("Student", bad_utf8), "");
  EXPECT_EQ(err_.code, PLANSYNC_CODE_INVALID_ARGUMENT);
  // A mutable record appended.
  const std::string student = Student("Maya", "Diaz");
  EXPECT_EQ(plansync_append(store_, "Student", student.data(), student.size(),
                            &id, &err_),
            PLANSYNC_CODE_FAILED_PRECONDITION);
  // The id of an existing record reused.
  const std::string first = Create("Student", student);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(Create("Student", Student("Leo", "Diaz", "", first)), "");
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_DUPLICATE_ID);

  EXPECT_EQ(List("Student", nullptr, nullptr, 1).size(), 1u);
  int64_t pending = 0;
  int64_t before = 0;
  ASSERT_EQ(plansync_pending_count(store_, &before, &err_), PLANSYNC_CODE_OK);
  EXPECT_EQ(Create("NoSuchType", student), "");
  ASSERT_EQ(plansync_pending_count(store_, &pending, &err_), PLANSYNC_CODE_OK);
  EXPECT_EQ(pending, before);
}

TEST_F(CApiTest, ReportsComeAsProtobufAndAsJson) {
  const std::string student =
      Create("Student", Student("Maya", "Diaz", "Lincoln Elementary"));
  ASSERT_FALSE(student.empty()) << err_.message;
  plansync_report_request request = PLANSYNC_REPORT_REQUEST_INIT;
  request.today = "2026-09-17";
  request.student_id = student.c_str();
  uint8_t* report = nullptr;
  size_t size = 0;

  // The serialized plansync.v1.Report: as_of (1), from_day (2), to_day (3),
  // students (5) with student_id (1).
  ASSERT_EQ(plansync_report(store_, &request, PLANSYNC_REPORT_PROTO, &report,
                            &size, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  const std::string bytes(reinterpret_cast<const char*>(report), size);
  plansync_free(report);
  EXPECT_EQ(Field(bytes, 1), "2026-09-17");
  EXPECT_EQ(Field(bytes, 2), "2026-08-01");
  EXPECT_EQ(Field(bytes, 3), "2026-09-17");
  uint64_t unused = 0;
  size_t start = 0, length = 0;
  ASSERT_EQ(wire_find(reinterpret_cast<const uint8_t*>(bytes.data()),
                      bytes.size(), 5, &unused, &start, &length),
            WIRE_LENGTH);
  EXPECT_EQ(Field(bytes.substr(start, length), 1), student);

  // The same as JSON, NUL-terminated, defaults included.
  ASSERT_EQ(plansync_report(store_, &request, PLANSYNC_REPORT_JSON, &report,
                            &size, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  const std::string json(reinterpret_cast<const char*>(report));
  plansync_free(report);
  EXPECT_EQ(json.size(), size);
  EXPECT_NE(json.find("\"as_of\":\"2026-09-17\""), std::string::npos) << json;
  EXPECT_NE(json.find(student), std::string::npos) << json;
  EXPECT_NE(json.find("\"school_days\":"), std::string::npos) << json;

  // Refusals.
  auto refused = [&](int format, int code) {
    report = reinterpret_cast<uint8_t*>(1);
    EXPECT_EQ(plansync_report(store_, &request, format, &report, &size, &err_),
              code)
        << err_.message;
    EXPECT_EQ(report, nullptr);
    EXPECT_NE(err_.message[0], '\0');
  };
  refused(7, PLANSYNC_CODE_INVALID_ARGUMENT);
  request.to = "2026-08-01";
  request.from = "2026-09-01";
  refused(PLANSYNC_REPORT_JSON, PLANSYNC_CODE_INVALID_ARGUMENT);
  request.to = request.from = nullptr;
  request.today = "September 17";
  refused(PLANSYNC_REPORT_JSON, PLANSYNC_CODE_INVALID_ARGUMENT);
  // (A NULL `today` is the district's today: CApiTest.TodayIsTheDistrictsDay.)
  request.today = "2026-09-17";
  request.student_id = "01900000-0000-7000-8000-0000000000ff";
  refused(PLANSYNC_REPORT_JSON, PLANSYNC_CODE_NOT_FOUND);
  request.student_id = nullptr;
  const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef};
  request.rules = garbage;
  request.rules_size = sizeof(garbage);
  refused(PLANSYNC_REPORT_PROTO, PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_report(store_, nullptr, PLANSYNC_REPORT_PROTO, &report,
                            &size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_report(nullptr, &request, PLANSYNC_REPORT_PROTO, &report,
                            &size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
}

TEST_F(CApiTest, AnEvidencePacketIsOneStudentsAsProtobufOrJson) {
  const std::string student =
      Create("Student", Student("Maya", "Diaz", "Lincoln Elementary"));
  ASSERT_FALSE(student.empty()) << err_.message;
  plansync_report_request request = PLANSYNC_REPORT_REQUEST_INIT;
  request.today = "2026-09-17";
  request.student_id = student.c_str();
  uint8_t* packet = nullptr;
  size_t size = 0;
  // The serialized plansync.v1.EvidencePacket: student_id (1), student_name
  // (2), from_day (4, by default the school year's August 1), to_day (5,
  // today).
  ASSERT_EQ(plansync_evidence_packet(store_, &request, PLANSYNC_REPORT_PROTO,
                                     &packet, &size, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  const std::string bytes(reinterpret_cast<const char*>(packet), size);
  plansync_free(packet);
  EXPECT_EQ(Field(bytes, 1), student);
  EXPECT_EQ(Field(bytes, 2), "Maya Diaz");
  EXPECT_EQ(Field(bytes, 4), "2026-08-01");
  EXPECT_EQ(Field(bytes, 5), "2026-09-17");
  request.from = "2026-09-01";
  ASSERT_EQ(plansync_evidence_packet(store_, &request, PLANSYNC_REPORT_JSON,
                                     &packet, &size, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  const std::string json(reinterpret_cast<const char*>(packet));
  plansync_free(packet);
  EXPECT_EQ(json.size(), size);
  EXPECT_NE(json.find("\"from_day\":\"2026-09-01\""), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"entries\":[]"), std::string::npos) << json;

  // Refusals: no student, one not on the device, an unknown format.
  auto refused = [&](int format, int code) {
    packet = reinterpret_cast<uint8_t*>(1);
    EXPECT_EQ(plansync_evidence_packet(store_, &request, format, &packet, &size,
                                       &err_),
              code)
        << err_.message;
    EXPECT_EQ(packet, nullptr);
    EXPECT_NE(err_.message[0], '\0');
  };
  refused(7, PLANSYNC_CODE_INVALID_ARGUMENT);
  request.student_id = "01900000-0000-7000-8000-0000000000ff";
  refused(PLANSYNC_REPORT_JSON, PLANSYNC_CODE_NOT_FOUND);
  request.student_id = nullptr;
  refused(PLANSYNC_REPORT_JSON, PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::string(err_.message).find("set student_id"), std::string::npos)
      << err_.message;
}

// The day `offset_hours` east of UTC now, "YYYY-MM-DD".
std::string DayAtOffset(int offset_hours) {
  const std::time_t shifted = std::time(nullptr) + offset_hours * 3600;
  std::tm parts{};
  gmtime_r(&shifted, &parts);
  char day[11];
  std::strftime(day, sizeof day, "%Y-%m-%d", &parts);
  return day;
}

TEST_F(CApiTest, TodayIsTheDistrictsDay) {
  char day[11] = "x";
  // No District on the device yet: UTC.
  ASSERT_EQ(plansync_today(store_, day, &err_), PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_EQ(day, DayAtOffset(0));

  // A District record in a zone whose day differs from UTC's now, as it
  // arrives from the directory (District: time_zone is field 5). Kiritimati
  // is UTC+14 all year and Pago Pago UTC-11.
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  const bool east = parts.tm_hour >= 11;
  wire_message district{};
  wire_string(&district, 5, east ? "Pacific/Kiritimati" : "Pacific/Pago_Pago");
  ASSERT_FALSE(Create("District",
                      std::string(reinterpret_cast<const char*>(district.data),
                                  district.size))
                   .empty())
      << err_.message;
  const std::string expected = DayAtOffset(east ? 14 : -11);
  ASSERT_EQ(plansync_today(store_, day, &err_), PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_EQ(day, expected);
  EXPECT_NE(expected, DayAtOffset(0));

  // A report with no `today` is as of that day (as_of is field 1).
  plansync_report_request request = PLANSYNC_REPORT_REQUEST_INIT;
  uint8_t* report = nullptr;
  size_t size = 0;
  ASSERT_EQ(plansync_report(store_, &request, PLANSYNC_REPORT_PROTO, &report,
                            &size, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_EQ(Field(std::string(reinterpret_cast<const char*>(report), size), 1),
            expected);
  plansync_free(report);

  EXPECT_EQ(plansync_today(store_, nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
}

TEST_F(CApiTest, AStoreFileKeepsItsPrincipal) {
  EXPECT_STREQ(plansync_store_principal_id(store_), kUser);
  const std::string replica = plansync_store_replica_id(store_);
  EXPECT_EQ(replica.size(), 36u);
  plansync_store_close(store_);
  store_ = nullptr;

  plansync_store* other = nullptr;
  EXPECT_EQ(plansync_store_open(Path("device.db").c_str(),
                                "01900000-0000-7000-8000-000000000002", &other,
                                &err_),
            PLANSYNC_CODE_FAILED_PRECONDITION);
  EXPECT_EQ(other, nullptr);
  ASSERT_EQ(
      plansync_store_open(Path("device.db").c_str(), nullptr, &store_, &err_),
      PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_STREQ(plansync_store_principal_id(store_), kUser);
  EXPECT_EQ(plansync_store_replica_id(store_), replica);
  // A new file needs its principal.
  EXPECT_EQ(plansync_store_open(Path("new.db").c_str(), "", &other, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(other, nullptr);
}

TEST_F(CApiTest, ThreadsShareOneHandle) {
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      plansync_error err{};
      for (int i = 0; i < kEach; ++i) {
        const std::string bytes = Student("Student " + std::to_string(i),
                                          "Thread " + std::to_string(t),
                                          "School " + std::to_string(t));
        if (plansync_create(store_, "Student", bytes.data(), bytes.size(),
                            nullptr, &err) != PLANSYNC_CODE_OK) {
          ++failures;
          ADD_FAILURE() << "create: " << err.message;
        }
        int64_t pending = 0;
        if (plansync_pending_count(store_, &pending, &err) !=
            PLANSYNC_CODE_OK) {
          ++failures;
        }
        int seen = 0;
        if (plansync_list(
                store_, "Student", "school",
                ("School " + std::to_string(t)).c_str(), 0,
                [](void* c, const uint8_t*, size_t) {
                  ++*static_cast<int*>(c);
                  return 0;
                },
                &seen, &err) != PLANSYNC_CODE_OK ||
            seen != i + 1) {
          ++failures;
          ADD_FAILURE() << "list: " << seen << " of " << i + 1 << " "
                        << err.message;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(List("Student", nullptr, nullptr).size(),
            static_cast<size_t>(kThreads * kEach));
}

TEST_F(CApiTest, SyncOptionsAreCheckedBeforeAnyNetwork) {
  constexpr char kToken[] = "psk_secret-token-that-must-not-leak";
  plansync_sync_options options = PLANSYNC_SYNC_OPTIONS_INIT;
  plansync_sync_counts counts{};
  counts.pushed = 7;
  auto expect = [&](int code, const char* words) {
    EXPECT_EQ(plansync_sync(store_, &options, &counts, &err_), code)
        << err_.message;
    EXPECT_NE(std::strstr(err_.message, words), nullptr) << err_.message;
    EXPECT_EQ(std::strstr(err_.message, kToken), nullptr) << err_.message;
    EXPECT_EQ(counts.pushed, 0);
  };
  expect(PLANSYNC_CODE_INVALID_ARGUMENT, "server");
  options.server = "127.0.0.1:1";
  expect(PLANSYNC_CODE_INVALID_ARGUMENT, "token");
  options.token = kToken;
  options.token_file = "token.txt";
  expect(PLANSYNC_CODE_INVALID_ARGUMENT, "exactly one");
  options.token_file = nullptr;
  options.token = "two words";
  expect(PLANSYNC_CODE_INVALID_ARGUMENT, "not a plansync token");
  options.token = nullptr;
  options.token_file = "/no/such/token/file";
  expect(PLANSYNC_CODE_NOT_FOUND, "/no/such/token/file");
  options.token_file = nullptr;
  options.token = kToken;
  options.ca_file = "/no/such/ca.pem";
  expect(PLANSYNC_CODE_NOT_FOUND, "/no/such/ca.pem");
}

TEST_F(CApiTest, UnreachableServerIsUnavailableAfterRetries) {
  struct Progress {
    int calls = 0;
    int phase = -1;
  } progress;
  plansync_sync_options options = PLANSYNC_SYNC_OPTIONS_INIT;
  options.server = "127.0.0.1:1";  // nothing listens on port 1
  options.token = "psk_secret-token-that-must-not-leak";
  options.progress = [](void* c, int phase, int64_t, int64_t) {
    auto* progress = static_cast<Progress*>(c);
    ++progress->calls;
    progress->phase = phase;
  };
  options.progress_context = &progress;
  plansync_sync_counts counts{};
  EXPECT_EQ(plansync_sync(store_, &options, &counts, &err_),
            PLANSYNC_CODE_UNAVAILABLE)
      << err_.message;
  EXPECT_EQ(std::strstr(err_.message, "psk_secret"), nullptr) << err_.message;
  EXPECT_EQ(progress.calls, 1);
  EXPECT_EQ(progress.phase, PLANSYNC_SYNC_CONNECT);
}

}  // namespace
}  // namespace plansync_capi_test
