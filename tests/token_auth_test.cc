// Device tokens: issued with 256 random bits, stored only as digests,
// authenticated from "authorization: Bearer" metadata, refused when unknown,
// malformed or revoked — with messages that never repeat the token.
#include "server/token_auth.h"

#include <sqlite3.h>

#include <map>
#include <set>
#include <string>

#include "core/sha256.h"
#include "gtest/gtest.h"
#include "server/sqlite_server_store.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

class TokenAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::SqliteServerStoreOptions options;
    options.path = dir_.File("server.db");
    auto store = server::OpenSqliteServerStore(options);
    ASSERT_OK(store);
    store_ = std::move(*store);
  }

  static std::multimap<std::string, std::string> Bearer(
      const std::string& token) {
    return {{"authorization", "Bearer " + token}};
  }

  testing::TempDir dir_;
  FakeClock clock_{testing::kStartMillis};
  std::unique_ptr<server::ServerStore> store_;
};

TEST_F(TokenAuthTest, IssuedTokenAuthenticatesItsPrincipal) {
  auto issued = server::IssueToken(*store_, "user-lee", "tablet", &clock_);
  ASSERT_OK(issued);
  EXPECT_TRUE(server::IsWellFormedToken(issued->token));
  EXPECT_EQ(issued->token.size(), 4u + 64u);  // 256 bits in hex
  server::TokenAuthenticator auth(store_.get());
  auto context = auth.Authenticate(Bearer(issued->token));
  ASSERT_OK(context);
  EXPECT_EQ(context->principal_id, "user-lee");
  EXPECT_FALSE(context->unrestricted);
}

TEST_F(TokenAuthTest, TokensAreRandomAndStoredOnlyAsDigests) {
  std::set<std::string> tokens;
  for (int i = 0; i < 50; ++i) {
    auto issued = server::IssueToken(*store_, "user-lee", "tablet", &clock_);
    ASSERT_OK(issued);
    EXPECT_TRUE(tokens.insert(issued->token).second);
  }
  // Nothing in the file holds a token's secret part.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("server.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT digest, token_id, label FROM tokens",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  int rows = 0;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ++rows;
    for (int column = 0; column < 3; ++column) {
      const std::string value =
          reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
      for (const std::string& token : tokens) {
        EXPECT_EQ(value.find(token.substr(4)), std::string::npos);
      }
    }
    const std::string digest =
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    EXPECT_EQ(digest.size(), 64u);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  EXPECT_EQ(rows, 50);
}

TEST_F(TokenAuthTest, MissingMalformedUnknownAndRevokedTokensAreRefused) {
  server::TokenAuthenticator auth(store_.get());
  auto issued = server::IssueToken(*store_, "user-lee", "tablet", &clock_);
  ASSERT_OK(issued);

  auto missing = auth.Authenticate({});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(missing.status().message().find("no token"), std::string::npos);

  for (const std::string& bad :
       {std::string("pst_short"), "Token " + issued->token,
        issued->token.substr(0, 60), std::string(68, 'x')}) {
    auto malformed = auth.Authenticate({{"authorization", "Bearer " + bad}});
    EXPECT_EQ(malformed.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_NE(malformed.status().message().find("malformed"), std::string::npos)
        << bad;
  }

  std::string unknown = issued->token;
  unknown.back() = unknown.back() == '0' ? '1' : '0';
  auto stranger = auth.Authenticate(Bearer(unknown));
  EXPECT_EQ(stranger.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(stranger.status().message().find("not known"), std::string::npos);
  EXPECT_EQ(stranger.status().message().find(unknown), std::string::npos);

  ASSERT_OK(store_->RevokeToken(issued->record.token_id, clock_.NowMillis()));
  auto revoked = auth.Authenticate(Bearer(issued->token));
  EXPECT_EQ(revoked.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(revoked.status().message().find("revoked"), std::string::npos);
  // Revoking twice, or an unknown id, is NOT_FOUND.
  EXPECT_EQ(store_->RevokeToken(issued->record.token_id, 1).code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->RevokeToken("tok_nope", 1).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TokenAuthTest, TokensAreListedPerPrincipalWithoutSecrets) {
  ASSERT_OK(server::IssueToken(*store_, "user-lee", "tablet", &clock_));
  clock_.Advance(1);
  ASSERT_OK(server::IssueToken(*store_, "user-lee", "phone", &clock_));
  ASSERT_OK(server::IssueToken(*store_, "user-diaz", "phone", &clock_));
  auto lee = store_->ListTokens("user-lee");
  ASSERT_OK(lee);
  ASSERT_EQ(lee->size(), 2u);
  EXPECT_EQ((*lee)[0].label, "tablet");
  EXPECT_EQ((*lee)[1].label, "phone");
  EXPECT_EQ(store_->ListTokens("")->size(), 3u);
}

}  // namespace
}  // namespace plansync
