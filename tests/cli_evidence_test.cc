// The evidence packet through the real binaries and a real server: a
// parent's lapses (one disputed by the teacher's confirmation, one never
// answered), a corrected session, her records request and its release; the
// page in headless Chromium (its figures against its JSON, nothing wider
// than a 390 px phone), the PDF, and what a teacher's packet leaves out.
// Today is Thursday 2026-09-17.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "core/errors.h"
#include "gtest/gtest.h"
#include "plansync/v1/report.pb.h"
#include "tests/chromium_util.h"
#include "tests/cli_roles_fixture.h"

namespace plansync {
namespace {

using testing::CliResult;
using testing::CliRolesTest;

class EvidenceCliTest : public CliRolesTest {
 protected:
  static bool Has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }
  std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)),
                       std::istreambuf_iterator<char>());
  }
  static bool OwnerOnly(const std::string& path) {
    return (std::filesystem::status(path).permissions() &
            std::filesystem::perms::all) ==
           (std::filesystem::perms::owner_read |
            std::filesystem::perms::owner_write);
  }
  // The packet `device` makes from 1 September to `to`, as JSON, parsed.
  v1::EvidencePacket Packet(const std::string& device,
                            const std::string& to = kToday) {
    v1::EvidencePacket packet;
    const std::string json =
        Ok(device, {"evidence", "--from", "2026-09-01", "--to", to, "--json"});
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &packet).ok())
        << json;
    return packet;
  }
  testing::CliResult Chromium(const std::string& file, const std::string& log) {
    return testing::RunChromium(file, dir_.File("chromium-profile"),
                                dir_.File(log));
  }
  // The text of the element carrying data-figure="NAME" in `dom`.
  static std::string Figure(const std::string& dom, const std::string& name) {
    const std::string key = "data-figure=\"" + name + "\">";
    const size_t at = dom.find(key);
    if (at == std::string::npos) return "(none)";
    const size_t start = at + key.size();
    return dom.substr(start, dom.find('<', start) - start);
  }

  // Maya's September: the record the tests read.
  void MakeRecord() {
    StartCaseload();
    MakePlan();
    // The teacher says seating was provided on Tuesday; the parent says it
    // was not. Extended time on Wednesday: her lapse alone.
    Ok("teacher", {"confirm", "--accommodation", "seating", "--status",
                   "provided", "--day", "2026-09-15"});
    seating_lapse_ =
        IdIn(Ok("parent", {"lapse", "--accommodation", "seating", "--day",
                           "2026-09-15", "--what", "Seated at the back"}));
    time_lapse_ =
        IdIn(Ok("parent", {"lapse", "--accommodation", "extended", "--day",
                           "2026-09-16", "--what", "Quiz taken at the bell"}));
    request_ = IdIn(Ok(
        "parent", {"request", "--kind", "records", "--via", "email", "--sent",
                   "2026-09-10", "--text", "A copy of Maya's file, please"}));
    session_ =
        IdIn(Ok("slp", {"session", "--service", "speech", "--day", "2026-09-14",
                        "--minutes", "300", "--outcome", "delivered"}));
    Ok("slp",
       {"correct", session_, "--minutes", "30", "--why", "typed 300 for 30"});
    SyncAll({"teacher", "parent", "slp", "cm"});
    Ok("cm", {"respond", seating_lapse_, "--status", "investigating"});
    Ok("cm", {"records", "release", "--request", request_, "--what",
              "the full file", "--via", "email", "--day", "2026-09-16"});
    SyncAll({"cm", "parent", "teacher"});
  }

  std::string seating_lapse_, time_lapse_, request_, session_;
};

TEST_F(EvidenceCliTest, TheParentsPacketHoldsHerRecordWithReceipts) {
  MakeRecord();
  const v1::EvidencePacket packet = Packet("parent");
  EXPECT_EQ(packet.from_day(), "2026-09-01");
  EXPECT_EQ(packet.to_day(), "2026-09-17");
  EXPECT_EQ(packet.made_by_user_id(), parent_);
  EXPECT_EQ(packet.lapses(), 2);
  EXPECT_EQ(packet.disputes(), 1);
  EXPECT_EQ(packet.unanswered_lapses(), 1);
  EXPECT_EQ(packet.corrections(), 1);
  ASSERT_EQ(packet.plans_size(), 1);
  EXPECT_EQ(packet.plans(0).plan_id(), plan_);
  // Both lapses, the response, the confirmation of the lapse's day, the
  // session, the correction, the request and the release: in time order,
  // each with its receipt from the server.
  std::map<std::string, const v1::EvidenceEntry*> by_id;
  std::string previous;
  for (const v1::EvidenceEntry& e : packet.entries()) {
    by_id[e.id()] = &e;
    EXPECT_LE(previous, e.day()) << e.id();
    previous = e.day();
    EXPECT_GT(e.feed_seq(), 0) << e.record_type() << " " << e.id();
    EXPECT_FALSE(e.accepted_at().empty()) << e.record_type();
    EXPECT_FALSE(e.recorded_at().empty()) << e.record_type();
    EXPECT_LE(e.recorded_at(), e.accepted_at()) << e.record_type();
  }
  EXPECT_EQ(packet.entries_size(), 8);
  ASSERT_TRUE(by_id.contains(seating_lapse_));
  EXPECT_TRUE(by_id[seating_lapse_]->disputed());
  EXPECT_EQ(by_id[seating_lapse_]->author_name(), "Ms. Diaz");
  EXPECT_FALSE(by_id[time_lapse_]->disputed());
  ASSERT_TRUE(by_id.contains(session_));
  EXPECT_EQ(by_id[session_]->summary(),
            "\"Speech-language therapy\": delivered, 30 minutes");
  int disputed_confirmations = 0;
  for (const v1::EvidenceEntry& e : packet.entries()) {
    if (e.topic() == "confirmation" && e.disputed()) ++disputed_confirmations;
  }
  EXPECT_EQ(disputed_confirmations, 1);
  // Her request, answered on the 16th, within the federal 45 days.
  ASSERT_EQ(packet.requests_size(), 1);
  ASSERT_EQ(packet.requests(0).clocks_size(), 1);
  EXPECT_EQ(packet.requests(0).clocks(0).state(), v1::Deadline::MET);
  // Speech: 60 minutes a week from Monday 24 August; the window from
  // Tuesday 1 September to Thursday 17 September holds 13 school days (no
  // holidays): 13 x 12 = 156 minutes mandated, 30 delivered.
  EXPECT_EQ(packet.service_minutes().mandated_minutes(), 156);
  EXPECT_EQ(packet.service_minutes().delivered_minutes(), 30);
}

TEST_F(EvidenceCliTest, ThePageDrawsItsJsonFitsAPhoneAndPrints) {
  MakeRecord();
  const std::string page = dir_.File("packet.html");
  const std::string pdf = dir_.File("packet.pdf");
  const std::string out = Ok("parent", {"evidence", "--from", "2026-09-01",
                                        "--out", page, "--pdf", pdf});
  EXPECT_TRUE(Has(out,
                  "Wrote Maya Diaz's record from 2026-09-01 to "
                  "2026-09-17 to " +
                      page))
      << out;
  EXPECT_TRUE(OwnerOnly(page));
  const std::string html = Read(page);
  // Self-contained, and drawn from the one embedded document.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  const size_t json_at =
      html.find("<script type=\"application/json\" id=\"packet\">");
  ASSERT_NE(json_at, std::string::npos);
  // Record text appears only inside that document, never as markup.
  EXPECT_EQ(html.find("Seated at the back"),
            html.find("Seated at the back", json_at));
  const std::string json =
      html.substr(html.find('>', json_at) + 1, html.find("</script>", json_at) -
                                                   html.find('>', json_at) - 1);
  v1::EvidencePacket packet;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &packet).ok());

  const CliResult run = Chromium(page, "chromium");
  ASSERT_EQ(run.exit_code, 0) << "is Debian's chromium installed? " << run.err;
  const std::string& dom = run.out;
  ASSERT_TRUE(Has(dom, "data-drawn=\"yes\"")) << run.err;
  EXPECT_EQ(Figure(dom, "lapses"), std::to_string(packet.lapses()));
  EXPECT_EQ(Figure(dom, "disputes"), std::to_string(packet.disputes()));
  EXPECT_EQ(Figure(dom, "unanswered_lapses"),
            std::to_string(packet.unanswered_lapses()));
  EXPECT_EQ(Figure(dom, "mandated_minutes"),
            std::to_string(packet.service_minutes().mandated_minutes()));
  EXPECT_EQ(Figure(dom, "delivered_minutes"),
            std::to_string(packet.service_minutes().delivered_minutes()));
  EXPECT_EQ(Figure(dom, "corrections"), std::to_string(packet.corrections()));
  EXPECT_EQ(Figure(dom, "entries"), std::to_string(packet.entries_size()));
  // Every entry drawn in the timeline (and again in its own section).
  for (const v1::EvidenceEntry& e : packet.entries()) {
    EXPECT_TRUE(Has(dom, "data-entry-id=\"" + e.id() + "\"")) << e.id();
  }
  // The user's text is text: "<b>" in a lapse shows as written.
  EXPECT_TRUE(Has(dom, "Seated at the back")) << dom.substr(0, 2000);

  // At a phone's width nothing scrolls sideways.
  const std::string phone = dir_.File("phone.html");
  std::ofstream(phone) << testing::PhoneFrame(html);
  const CliResult narrow = Chromium(phone, "chromium-phone");
  ASSERT_EQ(narrow.exit_code, 0) << narrow.err;
  EXPECT_TRUE(Has(narrow.out, "data-width=\"390\"")) << narrow.out;
  EXPECT_TRUE(Has(narrow.out, "data-fits=\"yes\"")) << narrow.out;

  // The PDF, owner-only.
  ASSERT_TRUE(std::filesystem::exists(pdf));
  EXPECT_TRUE(OwnerOnly(pdf));
  EXPECT_EQ(Read(pdf).substr(0, 5), "%PDF-");
}

TEST_F(EvidenceCliTest, APacketHoldsOnlyWhatItsMakerMayRead) {
  MakeRecord();
  // The teacher may read lapses and confirmations, not the parent's
  // requests, their receipts or the release; nor the access log.
  const v1::EvidencePacket teacher = Packet("teacher");
  EXPECT_EQ(teacher.requests_size(), 0);
  EXPECT_EQ(teacher.access_log_size(), 0);
  for (const v1::EvidenceEntry& e : teacher.entries()) {
    EXPECT_NE(e.topic(), "request") << e.id();
    EXPECT_NE(e.topic(), "release") << e.id();
    EXPECT_NE(e.record_type(), "ServiceSession") << e.id();
  }
  const std::string page = dir_.File("teacher.html");
  Ok("teacher", {"evidence", "--from", "2026-09-01", "--out", page});
  EXPECT_FALSE(Has(Read(page), "A copy of Maya's file")) << "request text";
  EXPECT_FALSE(Has(Read(page), request_));
  // The parent's packet has them, and the log of who read the records (the
  // server logs reads under its own day, so the window runs on past it).
  const v1::EvidencePacket parent = Packet("parent", "2099-12-31");
  EXPECT_EQ(parent.requests_size(), 1);
  EXPECT_GT(parent.access_log_size(), 0);

  // A concurrent edit of the case manager's two devices makes a Conflict,
  // which only case managers read: her laptop's losing text reaches neither
  // the parent's device nor her packet.
  Init("laptop", cm_, *server_);
  Ok("laptop", {"sync"});
  Ok("laptop",
     {"set", "Accommodation", seating_, "description=front row, left side"});
  Ok("cm",
     {"set", "Accommodation", seating_, "description=near the teacher's desk"});
  SyncAll({"laptop", "cm", "laptop", "cm", "parent"});
  const auto conflicts = Records<v1::Conflict>("cm");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_TRUE(Records<v1::Conflict>("parent").empty());
  const std::string mine = dir_.File("parent.html");
  Ok("parent",
     {"evidence", "--from", "2026-09-01", "--to", "2099-12-31", "--out", mine});
  const std::string html = Read(mine);
  EXPECT_FALSE(Has(html, conflicts[0].id()));
  EXPECT_FALSE(Has(html, "front row, left side"));
  // (The access log may name the kinds of record others read; no entry of
  // the packet is one.)
  const v1::EvidencePacket after = Packet("parent", "2099-12-31");
  for (const v1::EvidenceEntry& e : after.entries()) {
    EXPECT_NE(e.record_type(), "Conflict");
  }
}

TEST_F(EvidenceCliTest, BadWindowsAreRefused) {
  StartCaseload();
  MakePlan();
  CliResult r = Cli("parent", {"evidence", "--from", "2026-09-10", "--to",
                               "2026-09-01", "--out", dir_.File("x.html")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Has(r.err, "--from 2026-09-10 is after --to 2026-09-01"))
      << r.err;
  r = Cli("parent", {"evidence"});
  EXPECT_TRUE(Has(r.err, "say where to write the page: --out FILE.html"))
      << r.err;
  r = Cli("parent", {"evidence", "--from", "someday", "--out", "x.html"});
  EXPECT_TRUE(Has(r.err, "--from")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.File("x.html")));
}

}  // namespace
}  // namespace plansync
