// The C API's write transactions, observers and growable structs, in
// process, through libplansync alone: writes between plansync_begin_write and
// plansync_commit are one transaction that belongs to its thread, a failing
// write in it is undone alone, observers hear each commit once, and a struct
// whose struct_size is too small is refused.
#include <plansync/plansync.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capi_fixture.h"
#include "gtest/gtest.h"

namespace plansync_capi_test {
namespace {

// A new Student with a given and a family name is two outbox changes, one
// per field written.
constexpr int64_t kChangesPerStudent = 2;

int64_t Pending(plansync_store* store) {
  int64_t count = -1;
  plansync_error err{};
  EXPECT_EQ(plansync_pending_count(store, &count, &err), PLANSYNC_CODE_OK)
      << err.message;
  return count;
}

// What an observer heard: one entry per call, "type id remote" per record.
struct Heard {
  std::mutex mu;
  std::vector<std::vector<std::string>> calls;
  std::vector<std::thread::id> threads;

  static void Callback(void* context, const plansync_change_event* event) {
    auto* heard = static_cast<Heard*>(context);
    std::vector<std::string> records;
    for (size_t i = 0; i < event->record_count; ++i) {
      records.push_back(std::string(event->records[i].type) + " " +
                        event->records[i].id + " " +
                        std::to_string(event->records[i].remote));
    }
    std::lock_guard<std::mutex> lock(heard->mu);
    heard->calls.push_back(records);
    heard->threads.push_back(std::this_thread::get_id());
  }
  size_t Calls() {
    std::lock_guard<std::mutex> lock(mu);
    return calls.size();
  }
};

TEST_F(CApiTest, WritesBetweenBeginAndCommitAreOneTransaction) {
  ASSERT_EQ(plansync_begin_write(store_, &err_), PLANSYNC_CODE_OK)
      << err_.message;
  const std::string maya = Create("Student", Student("Maya", "Diaz"));
  const std::string leo = Create("Student", Student("Leo", "Diaz"));
  ASSERT_FALSE(maya.empty() || leo.empty()) << err_.message;
  // The owning thread reads its own uncommitted writes.
  EXPECT_EQ(Field(Get("Student", maya), kStudentGivenName), "Maya");
  EXPECT_EQ(Pending(store_), 2 * kChangesPerStudent);

  // Another thread's call waits for the commit, then sees both writes.
  std::atomic<bool> done{false};
  int64_t seen = -1;
  std::thread reader([&] {
    seen = Pending(store_);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(done.load()) << "a read from another thread did not wait";
  ASSERT_EQ(plansync_commit(store_, &err_), PLANSYNC_CODE_OK) << err_.message;
  reader.join();
  EXPECT_EQ(seen, 2 * kChangesPerStudent);
  EXPECT_EQ(List("Student", nullptr, nullptr).size(), 2u);
}

TEST_F(CApiTest, RollbackStoresNothing) {
  ASSERT_EQ(plansync_begin_write(store_, &err_), PLANSYNC_CODE_OK);
  ASSERT_FALSE(Create("Student", Student("Maya", "Diaz")).empty());
  plansync_rollback(store_);
  EXPECT_TRUE(List("Student", nullptr, nullptr, 1).empty());
  EXPECT_EQ(Pending(store_), 0);
  // The store goes on: a later write is stored.
  ASSERT_FALSE(Create("Student", Student("Leo", "Diaz")).empty());
  EXPECT_EQ(Pending(store_), kChangesPerStudent);
  plansync_rollback(store_);  // none open: nothing happens
  EXPECT_EQ(Pending(store_), kChangesPerStudent);
  plansync_rollback(nullptr);
}

TEST_F(CApiTest, AFailingWriteInATransactionIsUndoneAloneAndTheRestCommits) {
  ASSERT_EQ(plansync_begin_write(store_, &err_), PLANSYNC_CODE_OK);
  const std::string maya = Create("Student", Student("Maya", "Diaz"));
  ASSERT_FALSE(maya.empty()) << err_.message;
  // The same id again: refused, and nothing of it stays.
  EXPECT_EQ(Create("Student", Student("Maya", "Again", "", maya)), "");
  EXPECT_EQ(err_.code, PLANSYNC_CODE_ALREADY_EXISTS) << err_.message;
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_DUPLICATE_ID);
  // A student without a family name: refused with its reason.
  EXPECT_EQ(Create("Student", Student("Nameless", "")), "");
  EXPECT_EQ(err_.reason, PLANSYNC_REASON_MISSING_REQUIRED_FIELD)
      << err_.message;
  const std::string leo = Create("Student", Student("Leo", "Diaz"));
  ASSERT_FALSE(leo.empty()) << err_.message;
  ASSERT_EQ(plansync_commit(store_, &err_), PLANSYNC_CODE_OK) << err_.message;

  const std::vector<std::string> students = List("Student", nullptr, nullptr);
  ASSERT_EQ(students.size(), 2u);
  EXPECT_EQ(Field(Get("Student", maya), kStudentFamilyName), "Diaz");
  EXPECT_EQ(Pending(store_), 2 * kChangesPerStudent);
}

TEST_F(CApiTest, TransactionCallsOutOfTurnAreRefused) {
  EXPECT_EQ(plansync_commit(store_, &err_), PLANSYNC_CODE_FAILED_PRECONDITION);
  EXPECT_NE(std::strstr(err_.message, "no write transaction"), nullptr)
      << err_.message;
  EXPECT_EQ(plansync_commit(nullptr, &err_), PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_EQ(plansync_begin_write(nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);

  ASSERT_EQ(plansync_begin_write(store_, &err_), PLANSYNC_CODE_OK);
  EXPECT_EQ(plansync_begin_write(store_, &err_),
            PLANSYNC_CODE_FAILED_PRECONDITION);
  EXPECT_NE(std::strstr(err_.message, "already has a write transaction"),
            nullptr)
      << err_.message;
  ASSERT_FALSE(Create("Student", Student("Maya", "Diaz")).empty());
  // Another thread cannot end this thread's transaction.
  std::thread other([&] {
    plansync_error err{};
    EXPECT_EQ(plansync_commit(store_, &err), PLANSYNC_CODE_FAILED_PRECONDITION);
    plansync_rollback(store_);  // not its transaction: nothing happens
  });
  other.join();
  // A sync on the transaction's own thread would wait for itself: it is
  // refused.
  plansync_sync_options options = PLANSYNC_SYNC_OPTIONS_INIT;
  options.server = "127.0.0.1:1";
  options.token = "psk_secret-token-that-must-not-leak";
  EXPECT_EQ(plansync_sync(store_, &options, nullptr, &err_),
            PLANSYNC_CODE_FAILED_PRECONDITION);
  EXPECT_NE(std::strstr(err_.message, "commit or roll it back"), nullptr)
      << err_.message;
  ASSERT_EQ(plansync_commit(store_, &err_), PLANSYNC_CODE_OK) << err_.message;
  EXPECT_EQ(Pending(store_), kChangesPerStudent);
}

TEST_F(CApiTest, ClosingWithATransactionOpenRollsItBack) {
  ASSERT_EQ(plansync_begin_write(store_, &err_), PLANSYNC_CODE_OK);
  ASSERT_FALSE(Create("Student", Student("Maya", "Diaz")).empty());
  plansync_store_close(store_);
  store_ = nullptr;
  ASSERT_EQ(
      plansync_store_open(Path("device.db").c_str(), nullptr, &store_, &err_),
      PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_TRUE(List("Student", nullptr, nullptr, 1).empty());
  EXPECT_EQ(Pending(store_), 0);
}

TEST_F(CApiTest, ObserversHearEachCommitOnceOnTheCommittingThread) {
  Heard heard;
  plansync_observer* observer = nullptr;
  ASSERT_EQ(
      plansync_observe(store_, &Heard::Callback, &heard, &observer, &err_),
      PLANSYNC_CODE_OK)
      << err_.message;
  ASSERT_NE(observer, nullptr);

  // A write of its own: one call, after it.
  const std::string maya = Create("Student", Student("Maya", "Diaz"));
  ASSERT_EQ(heard.Calls(), 1u);
  EXPECT_EQ(heard.calls[0],
            std::vector<std::string>{"plansync.v1.Student " + maya + " 0"});
  EXPECT_EQ(heard.threads[0], std::this_thread::get_id());

  // A transaction: nothing until the commit, then one call listing each
  // record once (Maya written twice).
  ASSERT_EQ(plansync_begin_write(store_, &err_), PLANSYNC_CODE_OK);
  const std::string leo = Create("Student", Student("Leo", "Diaz"));
  const std::string values = Student("", "Diaz-Moreno", "", maya);
  const char* fields[] = {"family_name"};
  ASSERT_EQ(plansync_update(store_, "Student", values.data(), values.size(),
                            fields, 1, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  ASSERT_EQ(plansync_archive(store_, "Student", maya.c_str(), &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  EXPECT_EQ(heard.Calls(), 1u);
  ASSERT_EQ(plansync_commit(store_, &err_), PLANSYNC_CODE_OK);
  ASSERT_EQ(heard.Calls(), 2u);
  EXPECT_EQ(heard.calls[1],
            (std::vector<std::string>{"plansync.v1.Student " + leo + " 0",
                                      "plansync.v1.Student " + maya + " 0"}));

  // A rolled back transaction and a refused write are not heard.
  ASSERT_EQ(plansync_begin_write(store_, &err_), PLANSYNC_CODE_OK);
  ASSERT_FALSE(Create("Student", Student("Ada", "Diaz")).empty());
  plansync_rollback(store_);
  EXPECT_EQ(Create("Student", Student("Nameless", "")), "");
  EXPECT_EQ(heard.Calls(), 2u);

  // Another thread's commit is heard on that thread.
  std::thread::id writer_id;
  std::thread writer([&] {
    writer_id = std::this_thread::get_id();
    plansync_error err{};
    const std::string bytes = Student("Bo", "Diaz");
    EXPECT_EQ(plansync_create(store_, "Student", bytes.data(), bytes.size(),
                              nullptr, &err),
              PLANSYNC_CODE_OK);
  });
  writer.join();
  ASSERT_EQ(heard.Calls(), 3u);
  EXPECT_EQ(heard.threads[2], writer_id);

  // After plansync_unobserve, nothing more.
  plansync_unobserve(observer);
  ASSERT_FALSE(Create("Student", Student("Cy", "Diaz")).empty());
  EXPECT_EQ(heard.Calls(), 3u);
  plansync_unobserve(nullptr);
}

TEST_F(CApiTest, AnObserverMayWriteAndUnobserveItself) {
  struct Context {
    plansync_store* store;
    plansync_observer* observer = nullptr;
    int calls = 0;
    int write_code = -1;
  } context{store_};
  ASSERT_EQ(plansync_observe(
                store_,
                [](void* c, const plansync_change_event*) {
                  auto* context = static_cast<Context*>(c);
                  ++context->calls;
                  // Unobserve first, so that its own write is not heard.
                  plansync_unobserve(context->observer);
                  const std::string bytes = Student("Echo", "Diaz");
                  plansync_error err{};
                  context->write_code =
                      plansync_create(context->store, "Student", bytes.data(),
                                      bytes.size(), nullptr, &err);
                },
                &context, &context.observer, &err_),
            PLANSYNC_CODE_OK);
  ASSERT_FALSE(Create("Student", Student("Maya", "Diaz")).empty());
  EXPECT_EQ(context.calls, 1);
  EXPECT_EQ(context.write_code, PLANSYNC_CODE_OK);
  EXPECT_EQ(List("Student", nullptr, nullptr).size(), 2u);
}

TEST_F(CApiTest, StructsWithoutTheirSizeAreRefused) {
  plansync_store_options store_options = PLANSYNC_STORE_OPTIONS_INIT;
  store_options.principal_id = kUser;
  plansync_store* other = nullptr;
  store_options.struct_size = 0;
  EXPECT_EQ(plansync_store_open_with_options(Path("other.db").c_str(),
                                             &store_options, &other, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(err_.message, "struct_size"), nullptr) << err_.message;
  EXPECT_EQ(other, nullptr);
  store_options.struct_size = sizeof(store_options);
  store_options.durability = 7;
  EXPECT_EQ(plansync_store_open_with_options(Path("other.db").c_str(),
                                             &store_options, &other, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(err_.message, "durability"), nullptr) << err_.message;
  EXPECT_EQ(plansync_store_open_with_options(Path("other.db").c_str(), nullptr,
                                             &other, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);

  plansync_sync_options sync_options = PLANSYNC_SYNC_OPTIONS_INIT;
  sync_options.server = "127.0.0.1:1";
  sync_options.token = "psk_secret-token-that-must-not-leak";
  sync_options.struct_size = sizeof(size_t) + sizeof(void*);  // server only
  EXPECT_EQ(plansync_sync(store_, &sync_options, nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(err_.message, "struct_size"), nullptr) << err_.message;

  // An unknown direction is refused before any network.
  sync_options.struct_size = sizeof(sync_options);
  sync_options.direction = 9;
  EXPECT_EQ(plansync_sync(store_, &sync_options, nullptr, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(err_.message, "direction"), nullptr) << err_.message;
  // A struct of the first version (before `direction`) is read up to its
  // size: what lies after it is not looked at (here the token file's error
  // comes first, not the direction's).
  sync_options.struct_size = offsetof(plansync_sync_options, direction);
  sync_options.token = nullptr;
  sync_options.token_file = "/no/such/token/file";
  EXPECT_EQ(plansync_sync(store_, &sync_options, nullptr, &err_),
            PLANSYNC_CODE_NOT_FOUND)
      << err_.message;

  plansync_report_request request = PLANSYNC_REPORT_REQUEST_INIT;
  request.struct_size = 0;
  uint8_t* report = nullptr;
  size_t size = 0;
  EXPECT_EQ(plansync_report(store_, &request, PLANSYNC_REPORT_PROTO, &report,
                            &size, &err_),
            PLANSYNC_CODE_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(err_.message, "struct_size"), nullptr) << err_.message;
  EXPECT_EQ(report, nullptr);
}

TEST_F(CApiTest, StoreOptionsOpenAStoreThatLastsAcrossOpens) {
  plansync_store_options options = PLANSYNC_STORE_OPTIONS_INIT;
  options.principal_id = kUser;
  options.durability = PLANSYNC_DURABILITY_NORMAL;
  plansync_store* other = nullptr;
  ASSERT_EQ(plansync_store_open_with_options(Path("fast.db").c_str(), &options,
                                             &other, &err_),
            PLANSYNC_CODE_OK)
      << err_.message;
  const std::string bytes = Student("Maya", "Diaz");
  ASSERT_EQ(plansync_create(other, "Student", bytes.data(), bytes.size(),
                            nullptr, &err_),
            PLANSYNC_CODE_OK);
  plansync_store_close(other);
  options.principal_id = nullptr;
  options.durability = PLANSYNC_DURABILITY_FULL;
  ASSERT_EQ(plansync_store_open_with_options(Path("fast.db").c_str(), &options,
                                             &other, &err_),
            PLANSYNC_CODE_OK);
  EXPECT_STREQ(plansync_store_principal_id(other), kUser);
  EXPECT_EQ(Pending(other), kChangesPerStudent);
  plansync_store_close(other);
}

}  // namespace
}  // namespace plansync_capi_test
