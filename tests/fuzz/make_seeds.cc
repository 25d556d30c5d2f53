// Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/:
//   make_fuzz_seeds DIR
// A device of the fuzz district's teacher (fuzz_district.h) syncs, then
// writes a plan, an accommodation, a confirmation, a lapse report and a
// comment; its outbox gives the PushRequest and PullPage seeds, its records
// the C API seeds (the first byte picks the type and the call, as
// capi_record_fuzz.cc reads it).
// The rule book's seeds are kept by hand (corpus/rule_book_fuzz/).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/device_store.h"
#include "core/schema.h"
#include "plansync/v1/sync.pb.h"
#include "server/sync_handlers.h"
#include "sync/replicator.h"
#include "tests/fuzz/fuzz_district.h"
#include "tests/sync_test_util.h"
#include "tests/test_util.h"

namespace plansync {
namespace {

void Write(const std::filesystem::path& dir, const std::string& name,
           const std::string& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// The first byte that makes capi_record_fuzz.cc call `op` (0 create,
// 1 append) on its type number `type`.
char Selector(int type, int op) {
  for (int b = 0; b < 256; ++b) {
    if (b % 12 == type && (b / 16) % 3 == op) return static_cast<char>(b);
  }
  return 0;
}

int Main(const std::filesystem::path& out) {
  auto district = fuzz::MakeDistrict();
  if (!district.ok()) return 1;
  FakeClock clock(fuzz::kFuzzNow);
  auto store = testing::OpenStore(":memory:", district->teacher_id, &clock, 5);
  if (store == nullptr) return 1;
  // The device receives the student and its user's assignment first.
  server::SyncHandlers handlers(district->store.get(), district->clock.get(),
                                server::ServerLimits{}, 1);
  testing::DirectTransport transport(&handlers, district->teacher_id,
                                     /*unrestricted=*/false);
  sync::ReplicatorOptions options;
  options.sleep = [](absl::Duration) {};
  sync::Replicator replicator(store.get(), &transport, options);
  if (!replicator.SyncOnce().ok()) return 1;
  std::map<std::string, std::string> ids = {
      {"plansync.v1.Student", district->student_id}};
  const std::vector<std::pair<const char*, int>> records = {
      {"plansync.v1.Plan", 1},
      {"plansync.v1.Accommodation", 2},
      {"plansync.v1.ImplementationConfirmation", 4},
      {"plansync.v1.LapseReport", 5},
      {"plansync.v1.Comment", 6}};
  for (const auto& [name, capi_type] : records) {
    const RecordType& type = *Schema::Get().FindCanonical(name);
    auto record = testing::NewRecord(type);
    testing::FillRecord(type, district->student_id, ids, 1, record.get());
    Write(out / "capi_record_fuzz", type.short_name,
          std::string(1, Selector(capi_type, type.is_log() ? 1 : 0)) +
              record->SerializeAsString());
    clock.Advance(10);
    const std::string id = type.is_log()
                               ? testing::AppendEntry(*store, *record)
                               : testing::CreateRecord(*store, *record);
    if (id.empty()) return 1;
    ids[name] = id;
  }
  auto pending = store->PendingChanges(1000);
  if (!pending.ok()) return 1;
  v1::PushRequest push;
  v1::PullPage page;
  for (const OutboxEntry& entry : *pending) {
    *push.add_changes() = entry.change;
    *page.add_changes() = entry.change;
    v1::PushRequest one;
    *one.add_changes() = entry.change;
    Write(out / "push_fuzz", "change_" + std::to_string(entry.seq),
          one.SerializeAsString());
  }
  Write(out / "push_fuzz", "all", push.SerializeAsString());
  Write(out / "pull_page_fuzz", "all", page.SerializeAsString());
  Write(out / "field_args_fuzz", "plan",
        "Plan\nstudent_id=" + district->student_id +
            "\nkind=iep\nstatus=active\nversion=1\njurisdiction=US-MO\n"
            "start_date=2026-09-01");
  Write(out / "field_args_fuzz", "confirmation",
        "ImplementationConfirmation\nstudent_id=" + district->student_id +
            "\naccommodation_id=" + ids["plansync.v1.Accommodation"] +
            "\nday=2026-09-17\nstatus=CONFIRMATION_STATUS_PROVIDED\nnote=ok");
  Write(out / "field_args_fuzz", "session",
        "service_sessions\nminutes_delivered=30\nday=2026-09-17\n"
        "made_up=true");
  std::printf("seeds written under %s\n", out.c_str());
  return 0;
}

}  // namespace
}  // namespace plansync

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds DIR\n");
    return 2;
  }
  return plansync::Main(argv[1]);
}
