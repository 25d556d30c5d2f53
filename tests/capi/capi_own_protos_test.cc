// An app that links its own generated classes of plansync's .proto files
// (here the build's plansync_proto, on the shared libprotobuf) next to
// libplansync, which keeps private copies of protobuf, gRPC and Abseil.
// Were they shared, both would register records.proto into one descriptor
// pool and the program would abort at load with "File already exists in
// database"; that this test runs at all is half of what it checks.
#include <plansync/plansync.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"
#include "plansync/v1/views.pb.h"

namespace {

constexpr char kUser[] = "01900000-0000-7000-8000-000000000001";

class OwnProtosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "plansync-own-XXXXXX")
            .string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_EQ(plansync_store_open((dir_ + "/device.db").c_str(), kUser, &store_,
                                  &err_),
              PLANSYNC_CODE_OK)
        << err_.message;
  }
  void TearDown() override {
    plansync_store_close(store_);
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  plansync_store* store_ = nullptr;
  plansync_error err_{};
};

TEST_F(OwnProtosTest, TheAppsClassesAndTheLibraryShareOnlyBytes) {
  // The app's pool holds its own copy of the schema.
  EXPECT_NE(
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          "plansync.v1.Student"),
      nullptr);

  plansync::v1::Student student;
  student.set_given_name("Maya");
  student.set_family_name("Diaz");
  student.set_school("Lincoln Elementary");
  student.set_birth_date("2015-03-09");
  const std::string bytes = student.SerializeAsString();
  char* id = nullptr;
  ASSERT_EQ(plansync_create(store_, "plansync.v1.Student", bytes.data(),
                            bytes.size(), &id, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  const std::string student_id = id;
  plansync_free(id);

  uint8_t* stored = nullptr;
  size_t size = 0;
  ASSERT_EQ(plansync_get(store_, "Student", student_id.c_str(), &stored, &size,
                         &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  plansync::v1::Student back;
  ASSERT_TRUE(back.ParseFromArray(stored, static_cast<int>(size)));
  plansync_free(stored);
  EXPECT_EQ(back.id(), student_id);
  EXPECT_EQ(back.given_name(), "Maya");
  EXPECT_EQ(back.family_name(), "Diaz");
  EXPECT_EQ(back.school(), "Lincoln Elementary");
  EXPECT_EQ(back.birth_date(), "2015-03-09");

  // A view the library builds with its own classes parses into the app's.
  uint8_t* view = nullptr;
  ASSERT_EQ(plansync_student_history(store_, student_id.c_str(), "2026-09-01",
                                     "2026-09-30", &view, &size, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  plansync::v1::StudentHistory history;
  ASSERT_TRUE(history.ParseFromArray(view, static_cast<int>(size)));
  plansync_free(view);
  EXPECT_EQ(history.student_id(), student_id);
  EXPECT_EQ(history.from(), "2026-09-01");
  EXPECT_EQ(history.to(), "2026-09-30");
  EXPECT_EQ(history.entries_size(), 0);
}

TEST_F(OwnProtosTest, TheLibraryJudgesWhatTheAppsClassesEncode) {
  // A student without a family name, built with the app's classes, is
  // refused by the library's copy of the schema, and nothing is stored.
  plansync::v1::Student student;
  student.set_given_name("Leo");
  const std::string bytes = student.SerializeAsString();
  char* id = nullptr;
  EXPECT_EQ(plansync_create(store_, "Student", bytes.data(), bytes.size(), &id,
                            &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(id, nullptr);
  EXPECT_NE(std::string(err_.message).find("family_name"), std::string::npos)
      << err_.message;
  int64_t pending = -1;
  ASSERT_EQ(plansync_pending_count(store_, &pending, &err_), PLANSYNC_CODE_OK);
  EXPECT_EQ(pending, 0);
}

}  // namespace
