// The request log line (server/request_log.h): its fields, and that nothing
// but a UUID stands where the principal goes.
#include "server/request_log.h"

#include "gtest/gtest.h"

namespace plansync::server {
namespace {

TEST(RequestLogTest, OneLineWithMethodPrincipalCountsStatusAndDuration) {
  RequestLogEntry entry;
  entry.method = "Push";
  entry.principal_id = "0192f1e4-5c2a-7000-8000-00000000abcd";
  entry.counts = {{"changes", 3}, {"accepted", 2}, {"rejected", 1}};
  entry.code = absl::StatusCode::kOk;
  entry.duration_ms = 12;
  EXPECT_EQ(FormatRequestLogLine(entry),
            "plansync-server: call method=Push "
            "principal=0192f1e4-5c2a-7000-8000-00000000abcd changes=3 "
            "accepted=2 rejected=1 status=OK ms=12");
}

TEST(RequestLogTest, NameOrTokenInThePrincipalSlotWasLogged) {
  RequestLogEntry entry;
  entry.method = "Hello";
  entry.code = absl::StatusCode::kUnauthenticated;
  for (const char* principal :
       {"", "Ms. Rivera", "pst_0123456789abcdef", "user-cm",
        "0192f1e4-5c2a-7000-8000-00000000abcd\nforged line"}) {
    entry.principal_id = principal;
    EXPECT_EQ(FormatRequestLogLine(entry),
              "plansync-server: call method=Hello principal=- "
              "status=UNAUTHENTICATED ms=0")
        << principal;
  }
  entry.principal_id = "";
  entry.method = "Push\nplansync-server: call method=Fake";
  entry.counts = {{"a b", 1}};
  EXPECT_EQ(FormatRequestLogLine(entry),
            "plansync-server: call method=? principal=- ?=1 "
            "status=UNAUTHENTICATED ms=0");
}

}  // namespace
}  // namespace plansync::server
