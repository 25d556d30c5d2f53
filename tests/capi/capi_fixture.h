// The fixture of the C API's in-process tests: a store in a temporary
// directory, opened through libplansync alone, and helpers that write and
// read records as serialized bytes (encoded with the test codec of wire.h).
#ifndef PLANSYNC_TESTS_CAPI_CAPI_FIXTURE_H_
#define PLANSYNC_TESTS_CAPI_CAPI_FIXTURE_H_

#include <plansync/plansync.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wire.h"

namespace plansync_capi_test {

// Field numbers of records.proto.
inline constexpr int kStudentId = 1;
inline constexpr int kStudentDeleted = 3;
inline constexpr int kStudentGivenName = 6;
inline constexpr int kStudentFamilyName = 7;
inline constexpr int kStudentSchool = 10;

inline constexpr char kUser[] = "01900000-0000-7000-8000-000000000001";

// Bytes of a Student.
inline std::string Student(const std::string& given, const std::string& family,
                           const std::string& school = "",
                           const std::string& id = "") {
  wire_message m{};
  if (!id.empty()) wire_string(&m, kStudentId, id.c_str());
  wire_string(&m, kStudentGivenName, given.c_str());
  wire_string(&m, kStudentFamilyName, family.c_str());
  if (!school.empty()) wire_string(&m, kStudentSchool, school.c_str());
  return std::string(reinterpret_cast<const char*>(m.data), m.size);
}

inline std::string Field(const std::string& record, int field) {
  char out[512];
  if (!wire_get_string(reinterpret_cast<const uint8_t*>(record.data()),
                       record.size(), field, out, sizeof(out))) {
    return "<malformed>";
  }
  return out;
}

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "plansync-capi-XXXXXX")
            .string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_EQ(
        plansync_store_open(Path("device.db").c_str(), kUser, &store_, &err_),
        PLANSYNC_CODE_OK)
        << err_.message;
  }
  void TearDown() override {
    plansync_store_close(store_);
    std::filesystem::remove_all(dir_);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Creates a record; returns its id ("" on error, in err_).
  std::string Create(const char* type, const std::string& bytes) {
    char* id = nullptr;
    if (plansync_create(store_, type, bytes.data(), bytes.size(), &id, &err_) !=
        PLANSYNC_CODE_OK) {
      EXPECT_EQ(id, nullptr);
      return "";
    }
    std::string out = id;
    plansync_free(id);
    return out;
  }
  std::string Get(const char* type, const std::string& id) {
    uint8_t* bytes = nullptr;
    size_t size = 0;
    if (plansync_get(store_, type, id.c_str(), &bytes, &size, &err_) !=
        PLANSYNC_CODE_OK) {
      return "";
    }
    std::string out(reinterpret_cast<const char*>(bytes), size);
    plansync_free(bytes);
    return out;
  }
  // The records plansync_list passes to its callback.
  std::vector<std::string> List(const char* type, const char* field,
                                const char* value, int include_archived = 0,
                                size_t stop_after = 0) {
    struct Context {
      std::vector<std::string> records;
      size_t stop_after;
    } context{{}, stop_after};
    const int code = plansync_list(
        store_, type, field, value, include_archived,
        [](void* c, const uint8_t* record, size_t size) {
          auto* context = static_cast<Context*>(c);
          context->records.emplace_back(reinterpret_cast<const char*>(record),
                                        size);
          return context->records.size() == context->stop_after ? 1 : 0;
        },
        &context, &err_);
    EXPECT_EQ(code, PLANSYNC_CODE_OK) << err_.message;
    return context.records;
  }

  std::string dir_;
  plansync_store* store_ = nullptr;
  plansync_error err_{};
};

}  // namespace plansync_capi_test

#endif  // PLANSYNC_TESTS_CAPI_CAPI_FIXTURE_H_
