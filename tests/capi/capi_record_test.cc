// The C record helpers (plansync_record.h): records built by field name
// serialize to what an independent wire-format reader (wire.h) decodes, go
// through the store and read back; every kind of bad input gets its code and
// leaves the record as it was.
#include <plansync/plansync_record.h>

#include <string>

#include "capi_fixture.h"

namespace plansync_capi_test {
namespace {

// Plan's field numbers and PlanStatus values (records.proto).
constexpr int kPlanDeleted = 3;
constexpr int kPlanStatus = 5;
constexpr int kPlanVersion = 6;
constexpr int kPlanJurisdiction = 8;
constexpr int kPlanStatusActive = 2;

class CApiRecordTest : public CApiTest {
 protected:
  void TearDown() override {
    plansync_record_free(record_);
    CApiTest::TearDown();
  }
  std::string Bytes(const plansync_record* record) {
    uint8_t* bytes = nullptr;
    size_t size = 0;
    EXPECT_EQ(plansync_record_bytes(record, &bytes, &size, &err_),
              PLANSYNC_CODE_OK)
        << err_.message;
    std::string out(reinterpret_cast<const char*>(bytes), size);
    plansync_free(bytes);
    return out;
  }
  std::string GetString(const plansync_record* record, const char* field) {
    char* value = nullptr;
    EXPECT_EQ(plansync_record_get_string(record, field, &value, &err_),
              PLANSYNC_CODE_OK)
        << err_.message;
    std::string out = value != nullptr ? value : "<null>";
    plansync_free(value);
    return out;
  }
  bool MessageHas(const char* part) const {
    return std::string(err_.message).find(part) != std::string::npos;
  }

  plansync_record* record_ = nullptr;
};

TEST_F(CApiRecordTest, AStudentBuiltByNameIsStoredAndReadBack) {
  ASSERT_EQ(plansync_record_new("Student", &record_, &err_), PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_STREQ(plansync_record_type(record_), "plansync.v1.Student");
  ASSERT_EQ(plansync_record_set_string(record_, "given_name", "Maya", &err_),
            PLANSYNC_CODE_OK);
  ASSERT_EQ(plansync_record_set_string(record_, "family_name", "Díaz", &err_),
            PLANSYNC_CODE_OK);
  const std::string bytes = Bytes(record_);
  // What an independent reader of the wire format finds.
  EXPECT_EQ(Field(bytes, kStudentGivenName), "Maya");
  EXPECT_EQ(Field(bytes, kStudentFamilyName), "Díaz");

  const std::string id = Create("Student", bytes);
  ASSERT_FALSE(id.empty()) << err_.message;
  const std::string stored = Get("Student", id);
  plansync_record* read = nullptr;
  ASSERT_EQ(plansync_record_parse("plansync.v1.Student", stored.data(),
                                  stored.size(), &read, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_EQ(GetString(read, "id"), id);
  EXPECT_EQ(GetString(read, "given_name"), "Maya");
  EXPECT_EQ(GetString(read, "family_name"), "Díaz");
  EXPECT_EQ(GetString(read, "school"), "");  // never set
  plansync_record_free(read);
}

TEST_F(CApiRecordTest, NumbersBooleansAndEnums) {
  ASSERT_EQ(plansync_record_new("Plan", &record_, &err_), PLANSYNC_CODE_OK);
  ASSERT_EQ(
      plansync_record_set_enum(record_, "status", "PLAN_STATUS_ACTIVE", &err_),
      PLANSYNC_CODE_OK)
      << err_.message;
  ASSERT_EQ(plansync_record_set_int(record_, "version", 3, &err_),
            PLANSYNC_CODE_OK);
  ASSERT_EQ(plansync_record_set_int(record_, "deleted", 1, &err_),
            PLANSYNC_CODE_OK);
  ASSERT_EQ(plansync_record_set_string(record_, "jurisdiction", "US-MO", &err_),
            PLANSYNC_CODE_OK);
  const std::string bytes = Bytes(record_);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  EXPECT_EQ(wire_get_int(data, bytes.size(), kPlanStatus), kPlanStatusActive);
  EXPECT_EQ(wire_get_int(data, bytes.size(), kPlanVersion), 3);
  EXPECT_EQ(wire_get_int(data, bytes.size(), kPlanDeleted), 1);
  EXPECT_EQ(Field(bytes, kPlanJurisdiction), "US-MO");

  int64_t number = 0;
  ASSERT_EQ(plansync_record_get_int(record_, "status", &number, &err_),
            PLANSYNC_CODE_OK);
  EXPECT_EQ(number, kPlanStatusActive);
  char* name = nullptr;
  ASSERT_EQ(plansync_record_get_enum(record_, "status", &name, &err_),
            PLANSYNC_CODE_OK);
  EXPECT_STREQ(name, "PLAN_STATUS_ACTIVE");
  plansync_free(name);
  ASSERT_EQ(plansync_record_set_int(record_, "status", 4, &err_),
            PLANSYNC_CODE_OK);  // PLAN_STATUS_ENDED, by number
  ASSERT_EQ(plansync_record_get_enum(record_, "status", &name, &err_),
            PLANSYNC_CODE_OK);
  EXPECT_STREQ(name, "PLAN_STATUS_ENDED");
  plansync_free(name);

  // A decimal: ProgressDataPoint.value (field 7, fixed 64-bit on the wire).
  plansync_record* point = nullptr;
  ASSERT_EQ(plansync_record_new("ProgressDataPoint", &point, &err_),
            PLANSYNC_CODE_OK);
  ASSERT_EQ(plansync_record_set_double(point, "value", 42.5, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  double value = 0;
  ASSERT_EQ(plansync_record_get_double(point, "value", &value, &err_),
            PLANSYNC_CODE_OK);
  EXPECT_EQ(value, 42.5);
  const std::string point_bytes = Bytes(point);
  // Tag (7 << 3 | 1), then 42.5 as a little-endian IEEE double.
  const std::string expected_value("\x39\x00\x00\x00\x00\x00\x40\x45\x40", 9);
  EXPECT_NE(point_bytes.find(expected_value), std::string::npos);
  plansync_record_free(point);
}

TEST_F(CApiRecordTest, BadInputGetsItsCodeAndChangesNothing) {
  EXPECT_EQ(plansync_record_new("Pupil", &record_, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_RECORD_TYPE);
  EXPECT_EQ(record_, nullptr);
  ASSERT_EQ(plansync_record_new("Plan", &record_, &err_), PLANSYNC_CODE_OK);
  ASSERT_EQ(plansync_record_set_int(record_, "version", 2, &err_),
            PLANSYNC_CODE_OK);
  const std::string before = Bytes(record_);

  // A field the type does not have: its fields are named.
  EXPECT_EQ(plansync_record_set_int(record_, "versoin", 3, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_FIELD);
  EXPECT_TRUE(MessageHas("its fields: id, student_id")) << err_.message;
  // The wrong kind: the message names the right call.
  EXPECT_EQ(plansync_record_set_string(record_, "version", "3", &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_TRUE(MessageHas("plansync_record_set_int")) << err_.message;
  EXPECT_EQ(plansync_record_set_double(record_, "jurisdiction", 1.5, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_TRUE(MessageHas("plansync_record_set_string")) << err_.message;
  // Values the field cannot hold.
  EXPECT_EQ(
      plansync_record_set_int(record_, "version", int64_t{1} << 40, &err_),
      PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_TRUE(MessageHas("32-bit")) << err_.message;
  EXPECT_EQ(plansync_record_set_int(record_, "deleted", 2, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_record_set_int(record_, "status", 9, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_TRUE(MessageHas("PLAN_STATUS_ACTIVE (2)")) << err_.message;
  EXPECT_EQ(plansync_record_set_enum(record_, "status", "ACTIVE", &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_TRUE(MessageHas("PLAN_STATUS_DRAFT")) << err_.message;
  EXPECT_EQ(plansync_record_set_enum(record_, "version", "V2", &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(
      plansync_record_set_string(record_, "jurisdiction", "US-\xff", &err_),
      PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_TRUE(MessageHas("UTF-8")) << err_.message;
  EXPECT_EQ(Bytes(record_), before);

  // NULLs.
  EXPECT_EQ(plansync_record_set_string(record_, "jurisdiction", nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_record_set_string(nullptr, "jurisdiction", "x", &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_record_set_int(record_, nullptr, 1, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_record_get_string(record_, "jurisdiction", nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_record_new("Plan", nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_STREQ(plansync_record_type(nullptr), "");
  plansync_record_free(nullptr);

  // Bytes that are not a Plan, and a Plan from a newer records.proto.
  plansync_record* parsed = nullptr;
  EXPECT_EQ(plansync_record_parse("Plan", "\xff\xff\xff", 3, &parsed, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(parsed, nullptr);
  wire_message newer{};
  wire_string(&newer, kPlanJurisdiction, "US-MO");
  wire_string(&newer, 999, "from the future");
  EXPECT_EQ(
      plansync_record_parse("Plan", newer.data, newer.size, &parsed, &err_),
      PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_UNKNOWN_FIELD);
  EXPECT_EQ(parsed, nullptr);
}

}  // namespace
}  // namespace plansync_capi_test
