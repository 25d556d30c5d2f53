// The district's time zone decides which day it is: the pure rules
// (core/district.h), the form check every machine applies the same way, and
// the server's days (DistrictClock): the access log of a pull made at
// 6:30 pm in Missouri is filed under that day, not under tomorrow (UTC).
#include "core/district.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/errors.h"
#include "core/schema.h"
#include "core/validate.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "server/access_log.h"
#include "server/admin.h"
#include "server/district_clock.h"
#include "server/sqlite_server_store.h"
#include "server/sync_handlers.h"
#include "sync/replicator.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

int64_t UtcMillis(int year, int month, int day, int hour, int minute) {
  return absl::ToUnixMillis(
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0),
                      absl::UTCTimeZone()));
}

// 2026-12-01 00:30 UTC is 2026-11-30 18:30 in Chicago (CST, UTC-6: daylight
// time ended on 2026-11-01).
const int64_t kEvening = UtcMillis(2026, 12, 1, 0, 30);

v1::District District(const std::string& id, const std::string& zone,
                      bool deleted = false) {
  v1::District district;
  district.set_id(id);
  district.set_time_zone(zone);
  district.set_deleted(deleted);
  return district;
}

TEST(DistrictTime, ZoneNamesAreCheckedByTheirForm) {
  for (const char* good : {"America/Chicago", "UTC", "Etc/GMT+6",
                           "America/Argentina/Buenos_Aires", "EST5EDT"}) {
    EXPECT_TRUE(IsTimeZoneName(good)) << good;
  }
  for (const char* bad :
       {"", "America/New York", "../etc/passwd", "/etc/localtime",
        "America//Chicago", "America/Chicago/", "Chicago;DROP", "-05:00"}) {
    EXPECT_FALSE(IsTimeZoneName(bad)) << bad;
  }
  EXPECT_FALSE(IsTimeZoneName(std::string(65, 'A')));
}

TEST(DistrictTime, TheLiveDistrictWithTheSmallestIdCounts) {
  EXPECT_EQ(DistrictZoneName({}), "");
  EXPECT_EQ(DistrictZoneName({District("b", "America/Denver"),
                              District("a", "America/Chicago")}),
            "America/Chicago");
  // An archived record does not count, however small its id.
  EXPECT_EQ(DistrictZoneName({District("b", "America/Denver"),
                              District("a", "America/Chicago", true)}),
            "America/Denver");
}

TEST(DistrictTime, DaysFollowTheZone) {
  auto chicago = LoadDistrictZone("America/Chicago");
  ASSERT_OK(chicago);
  auto utc = LoadDistrictZone("");
  ASSERT_OK(utc);
  EXPECT_EQ(DayAt(kEvening, *utc), "2026-12-01");
  EXPECT_EQ(DayAt(kEvening, *chicago), "2026-11-30");
  // Under daylight time (CDT, UTC-5): 2026-10-01 04:59 UTC is still
  // 2026-09-30 in Chicago; 05:00 UTC is midnight.
  EXPECT_EQ(DayAt(UtcMillis(2026, 10, 1, 4, 59), *chicago), "2026-09-30");
  EXPECT_EQ(DayAt(UtcMillis(2026, 10, 1, 5, 0), *chicago), "2026-10-01");

  const absl::Status unknown = LoadDistrictZone("Atlantis/Capital").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("\"Atlantis/Capital\" is not in this "
                                   "machine's time zone database"),
            std::string::npos)
      << unknown;
}

TEST(DistrictTime, AMalformedZoneIsRefusedWithItsReason) {
  const RecordType& type = *Schema::Get().Find("District");
  const FieldInfo& field = *type.FieldByName("time_zone");
  v1::District district = District("", "America/New York");
  absl::Status status = ValidateField(type, field, district);
  EXPECT_EQ(ReasonOf(status), v1::UNKNOWN_TIME_ZONE) << status;
  EXPECT_NE(status.message().find("IANA time zone name"), std::string::npos);
  district.set_time_zone("America/Chicago");
  EXPECT_OK(ValidateField(type, field, district));
  // Unknown here but well formed: every machine accepts the same values.
  district.set_time_zone("Atlantis/Capital");
  EXPECT_OK(ValidateField(type, field, district));
}

class ServerDistrictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::SqliteServerStoreOptions options;
    options.path = dir_.File("server.db");
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    store_ = std::move(*store);
  }

  testing::TempDir dir_;
  FakeClock clock_{kEvening};
  std::unique_ptr<server::ServerStore> store_;
};

TEST_F(ServerDistrictTest, SetDistrictMovesTheServersDay) {
  server::Admin admin(store_.get(), &clock_, 3);
  server::DistrictClock days(store_.get(), &clock_);
  auto before = days.Today();
  ASSERT_OK(before);
  EXPECT_EQ(*before, "2026-12-01");  // no District yet: UTC

  auto set =
      admin.SetDistrict({.time_zone = "America/Chicago", .name = "Columbia"});
  ASSERT_OK(set);
  EXPECT_EQ(set->time_zone(), "America/Chicago");
  EXPECT_EQ(set->name(), "Columbia");
  // Seen within the refresh interval (one second).
  clock_.Advance(1000);
  EXPECT_EQ(*days.Today(), "2026-11-30");

  // An unknown zone is refused and nothing changes.
  const int64_t items = *store_->ItemCount();
  const absl::Status refused =
      admin.SetDistrict({.time_zone = "Atlantis/Capital"}).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  EXPECT_EQ(*store_->ItemCount(), items);

  // Setting it again updates the same record: still one District.
  auto again = admin.SetDistrict({.time_zone = "America/Denver"});
  ASSERT_OK(again);
  EXPECT_EQ(again->id(), set->id());
  EXPECT_EQ(again->name(), "Columbia");
  clock_.Advance(1000);
  EXPECT_EQ(*days.Today(), "2026-11-30");  // 17:30 in Denver
  // Back to UTC.
  ASSERT_OK(admin.SetDistrict({.time_zone = "UTC"}));
  clock_.Advance(1000);
  EXPECT_EQ(*days.Today(), "2026-12-01");
}

TEST_F(ServerDistrictTest, TheDistrictsJurisdictionIsSetAloneAndChecked) {
  server::Admin admin(store_.get(), &clock_, 3);
  auto set = admin.SetDistrict({.time_zone = "America/Chicago"});
  ASSERT_OK(set);
  // The jurisdiction alone leaves the zone as it was.
  auto state = admin.SetDistrict({.jurisdiction = "US-MO"});
  ASSERT_OK(state);
  EXPECT_EQ(state->id(), set->id());
  EXPECT_EQ(state->jurisdiction(), "US-MO");
  EXPECT_EQ(state->time_zone(), "America/Chicago");
  const std::vector<v1::District> districts = {*state};
  EXPECT_EQ(CountingDistrict(districts)->jurisdiction(), "US-MO");
  // Malformed ones, and no setting at all, are refused; nothing changes.
  const int64_t items = *store_->ItemCount();
  for (const char* bad : {"Missouri", "US-mo", "US-MOO", "MO", "us"}) {
    const absl::Status refused =
        admin.SetDistrict({.jurisdiction = bad}).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(refused.message().find("e.g. US-MO"), std::string::npos)
        << refused;
  }
  EXPECT_EQ(admin.SetDistrict({}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const absl::Status days =
      admin.SetDistrict({.report_card_days = "2027-01-22,2026-11-06"}).status();
  EXPECT_EQ(days.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(days.message().find("in increasing order"), std::string::npos)
      << days;
  EXPECT_EQ(*store_->ItemCount(), items);
  auto cards = admin.SetDistrict({.report_card_days = "2026-11-06,2027-01-22"});
  ASSERT_OK(cards);
  EXPECT_EQ(cards->report_card_days(), "2026-11-06,2027-01-22");
  EXPECT_EQ(cards->jurisdiction(), "US-MO");
}

TEST_F(ServerDistrictTest, AnEveningPullIsLoggedUnderTheDistrictsDay) {
  server::Admin admin(store_.get(), &clock_, 3);
  ASSERT_OK(admin.SetDistrict({.time_zone = "America/Chicago"}));
  auto teacher = admin.AddUser("Mr. Lee", v1::ROLE_UNSPECIFIED);
  ASSERT_OK(teacher);
  v1::Student student;
  student.set_given_name("Maya");
  student.set_family_name("Diaz");
  auto student_id = admin.AddStudent(student);
  ASSERT_OK(student_id);
  v1::Assignment assignment;
  assignment.set_user_id(*teacher);
  assignment.set_student_id(*student_id);
  assignment.set_role(v1::TEACHER);
  assignment.set_start_date("2026-11-02");
  ASSERT_OK(admin.Assign(assignment));

  server::SyncHandlers handlers(store_.get(), &clock_, server::ServerLimits{},
                                5);
  FakeClock device_clock(kEvening);
  auto device =
      testing::OpenStore(dir_.File("teacher.db"), *teacher, &device_clock);
  testing::DirectTransport transport(&handlers, *teacher,
                                     /*unrestricted=*/false);
  sync::ReplicatorOptions options;
  options.sleep = [](absl::Duration) {};
  options.seed = 7;
  sync::Replicator replicator(device.get(), &transport, options);
  ASSERT_OK(replicator.SyncOnce());
  // The teacher's device, too, says it is still November 30th.
  EXPECT_EQ(*DistrictToday(*device), "2026-11-30");

  std::vector<server::FeedItem> items;
  ASSERT_OK(store_->ReadFeed(StudentBucket(*student_id), 0, 1000, &items));
  std::vector<std::string> logged;
  for (const server::FeedItem& item : items) {
    if (item.change.record_type() == "plansync.v1.AccessLogEntry") {
      logged.push_back(item.change.record_id());
    }
  }
  ASSERT_FALSE(logged.empty());
  for (const std::string& id : logged) {
    EXPECT_EQ(id, server::AccessEntryId(*teacher, *student_id, "2026-11-30"));
  }
}

}  // namespace
}  // namespace plansync
