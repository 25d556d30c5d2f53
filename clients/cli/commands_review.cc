// For case managers, review: `respond` (to a parent's lapse report),
// `conflicts` (concurrent edits waiting for review) and `resolve` (settle
// one with an ordinary write of the chosen value).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/describe.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "clients/cli/record_args.h"
#include "core/status_macros.h"
#include "core/value.h"

namespace plansync::cli {
namespace {

constexpr RoleSet kCaseManager = RoleBit(v1::CASE_MANAGER);

absl::Status Respond(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(
      std::optional<int> status_number,
      flags.Enum("--status", *v1::LapseResponseStatus_descriptor()));
  if (!status_number.has_value()) {
    return absl::InvalidArgumentError(
        "plansync respond needs --status acknowledged, investigating, "
        "resolved or disputed");
  }
  const auto status = static_cast<v1::LapseResponseStatus>(*status_number);
  ASSIGN_OR_RETURN(
      std::optional<int> remedy,
      flags.Enum("--remedy", *v1::Remedy_descriptor(),
                 {{"makeup", v1::REMEDY_MAKE_UP},
                  {"compensatory", v1::REMEDY_COMPENSATORY_SERVICE}}));
  const bool resolved = status == v1::LAPSE_RESPONSE_STATUS_RESOLVED;
  if (resolved != remedy.has_value()) {
    return absl::InvalidArgumentError(
        resolved ? "a resolved report needs --remedy none, make-up, "
                   "compensatory-service or meeting"
                 : "--remedy goes with --status resolved");
  }
  if (status == v1::LAPSE_RESPONSE_STATUS_DISPUTED && !flags.Has("--note")) {
    return absl::InvalidArgumentError(
        "a disputed report needs --note, saying why the school disputes it");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::LapseReport lapse,
      GetRecord<v1::LapseReport>(*store, flags.args()[0], "lapse report"));
  ASSIGN_OR_RETURN(
      const v1::Student student,
      GetRecord<v1::Student>(*store, lapse.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(*store, student, kCaseManager, today));
  v1::LapseResponse response;
  response.set_student_id(student.id());
  response.set_lapse_report_id(lapse.id());
  response.set_response(status);
  response.set_remedy(static_cast<v1::Remedy>(remedy.value_or(0)));
  response.set_note(flags.Get("--note"));
  std::string id;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    ASSIGN_OR_RETURN(id, store->Append(txn, response));
    return absl::OkStatus();
  }));
  const std::string subject =
      lapse.accommodation_id().empty()
          ? RecordLabel(*store, *Schema::Get().Find("Service"),
                        lapse.service_id())
          : RecordLabel(*store, *Schema::Get().Find("Accommodation"),
                        lapse.accommodation_id());
  std::printf("Recorded response %s to lapse report %s: %s.\n", id.c_str(),
              lapse.id().c_str(), ResponseText(response).c_str());
  std::printf("  The report: %s on %s, %s (%s for %s)\n",
              Quoted(subject).c_str(), DayText(lapse.day()).c_str(),
              Quoted(lapse.what_happened()).c_str(),
              UserName(*store, lapse.author_id()).c_str(),
              StudentName(student).c_str());
  if (!response.note().empty()) {
    std::printf("  Note: %s\n", Quoted(response.note()).c_str());
  }
  std::printf("  The parent sees it once this device syncs.\n");
  return absl::OkStatus();
}

// A Conflict with what the device knows about it now.
struct ConflictView {
  v1::Conflict conflict;
  // The record type and field edited; null if this plansync does not know
  // them (a newer schema): such a conflict is shown but cannot be settled.
  const RecordType* type = nullptr;
  const FieldInfo* field = nullptr;
  bool waiting = true;
  std::string record_label;
};

// The conflict as the device sees it. It waits while nobody has written its
// field since the write that won: the field's current stamp is still the
// winner's (or older, before the winner arrives).
absl::StatusOr<ConflictView> View(DeviceStore& store,
                                  const v1::Conflict& conflict) {
  ConflictView view;
  view.conflict = conflict;
  view.type = Schema::Get().Find(conflict.record_type());
  if (view.type == nullptr || view.type->is_log()) {
    view.type = nullptr;
    return view;
  }
  view.field = view.type->FieldByName(conflict.field_name());
  if (view.field == nullptr) return view;
  absl::StatusOr<std::optional<FieldStamp>> stamp = store.CurrentStamp(
      *view.type, conflict.record_id(), conflict.field_name());
  if (!stamp.ok() && !absl::IsNotFound(stamp.status())) return stamp.status();
  view.waiting = !stamp.ok() || !stamp->has_value() ||
                 (*stamp)->hlc <= static_cast<Hlc>(conflict.winner_hlc());
  view.record_label = RecordLabel(store, *view.type, conflict.record_id());
  return view;
}

// A conflict value for people: enum values by name.
std::string ValueForPeople(const FieldInfo* field, const std::string& text) {
  if (field == nullptr || field->descriptor->enum_type() == nullptr) {
    return text;
  }
  absl::StatusOr<v1::Value> value = ValueFromText(*field, text);
  if (!value.ok()) return text;
  return EnumFlagWord(*field->descriptor->enum_type(),
                      static_cast<int>(value->int_value()));
}

absl::Status Conflicts(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  std::string student_id;
  if (flags.Has("--student")) {
    ASSIGN_OR_RETURN(
        v1::Student student,
        ResolveStudent(*store, flags.Get("--student"), kCaseManager, today));
    student_id = student.id();
  }
  ASSIGN_OR_RETURN(std::vector<v1::Conflict> conflicts,
                   student_id.empty()
                       ? store->List<v1::Conflict>("", "")
                       : store->ListByStudent<v1::Conflict>(student_id));
  std::sort(conflicts.begin(), conflicts.end(),
            [](const auto& a, const auto& b) {
              return a.recorded_hlc() < b.recorded_hlc();
            });
  std::vector<ConflictView> views;
  size_t waiting = 0, settled = 0;
  for (const v1::Conflict& conflict : conflicts) {
    ASSIGN_OR_RETURN(ConflictView view, View(*store, conflict));
    ++(view.waiting ? waiting : settled);
    if (view.waiting || flags.Has("--all")) views.push_back(std::move(view));
  }
  if (flags.Has("--json")) {
    JsonObject out;
    JsonList* list = PutList(out, "conflicts");
    for (const ConflictView& view : views) {
      JsonObject* item = AddObject(*list);
      *item = RecordObject(view.conflict);
      PutBool(*item, "waiting", view.waiting);
      PutText(*item, "student_name",
              StudentNameOf(*store, view.conflict.student_id()));
      PutText(*item, "record_label", view.record_label);
      PutText(*item, "winner_name",
              UserName(*store, view.conflict.winner_user_id()));
      PutText(*item, "loser_name",
              UserName(*store, view.conflict.loser_user_id()));
    }
    PrintJson(out);
    return absl::OkStatus();
  }
  std::printf(
      "%zu conflict%s waiting for review%s%s\n", waiting,
      waiting == 1 ? "" : "s",
      settled == 0
          ? ""
          : absl::StrCat(" (and ", settled, " settled",
                         flags.Has("--all") ? "" : ": --all lists them", ")")
                .c_str(),
      views.empty() ? "." : ":");
  for (const ConflictView& view : views) {
    const v1::Conflict& c = view.conflict;
    std::printf("\nconflict %s%s  %s: %s %s, %s\n", c.id().c_str(),
                view.waiting ? "" : " (settled)",
                StudentNameOf(*store, c.student_id()).c_str(),
                c.record_type().c_str(),
                view.record_label.empty() ? c.record_id().c_str()
                                          : Quoted(view.record_label).c_str(),
                c.field_name().c_str());
    std::printf("  kept:  %s  (%s, %s)\n",
                ValueForPeople(view.field, c.winning_value()).c_str(),
                UserName(*store, c.winner_user_id()).c_str(),
                HlcTimeText(static_cast<uint64_t>(c.winner_hlc())).c_str());
    std::printf("  lost:  %s  (%s, %s)\n",
                ValueForPeople(view.field, c.losing_value()).c_str(),
                UserName(*store, c.loser_user_id()).c_str(),
                HlcTimeText(static_cast<uint64_t>(c.loser_hlc())).c_str());
    if (view.waiting) {
      std::printf(
          "  settle: plansync resolve %s --keep winning|losing (or "
          "--value V)\n",
          c.id().c_str());
    }
  }
  return absl::OkStatus();
}

absl::Status Resolve(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  const std::string keep = flags.Get("--keep");
  if (flags.Has("--keep") == flags.Has("--value") ||
      (flags.Has("--keep") && keep != "winning" && keep != "losing")) {
    return absl::InvalidArgumentError(
        "say which value to keep: --keep winning, --keep losing, or --value "
        "V (one of them)");
  }
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(
      const v1::Conflict conflict,
      GetRecord<v1::Conflict>(*store, flags.args()[0], "conflict"));
  ASSIGN_OR_RETURN(
      const v1::Student student,
      GetRecord<v1::Student>(*store, conflict.student_id(), "student"));
  RETURN_IF_ERROR(RequireRole(*store, student, kCaseManager, today));
  ASSIGN_OR_RETURN(const ConflictView view, View(*store, conflict));
  if (view.field == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "conflict ", conflict.id(), " is about ", conflict.record_type(), ".",
        conflict.field_name(),
        ", which this plansync does not know; update plansync to settle it"));
  }
  if (!view.waiting) {
    return absl::FailedPreconditionError(absl::StrCat(
        "conflict ", conflict.id(),
        " is already settled: ", view.type->short_name, ".",
        conflict.field_name(), " was written after it; see plansync get ",
        view.type->short_name, " ", conflict.record_id()));
  }
  v1::Value value;
  if (flags.Has("--keep")) {
    ASSIGN_OR_RETURN(value,
                     ValueFromText(*view.field, keep == "winning"
                                                    ? conflict.winning_value()
                                                    : conflict.losing_value()));
  } else {
    auto record = NewRecordMessage(*view.type);
    RETURN_IF_ERROR(SetFields(*view.type,
                              {absl::StrCat(conflict.field_name(), "=",
                                            flags.Get("--value"))},
                              record.get())
                        .status());
    value = GetFieldValue(*record, *view.field);
  }
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) {
    return store->RewriteField(txn, *view.type, conflict.record_id(),
                               conflict.field_name(), value);
  }));
  std::printf("Settled conflict %s: %s %s, %s is now %s (%s).\n",
              conflict.id().c_str(), view.type->short_name.c_str(),
              view.record_label.empty() ? conflict.record_id().c_str()
                                        : Quoted(view.record_label).c_str(),
              conflict.field_name().c_str(),
              ValueForPeople(view.field, ValueToText(value)).c_str(),
              flags.Has("--value") ? "a new value"
              : keep == "winning"  ? "the value that won"
                                   : "the value that lost");
  std::printf("  The other devices get it at the next sync.\n");
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ReviewCommands() {
  std::vector<Command> commands;
  commands.push_back(
      {.name = "respond",
       .synopsis = "LAPSE_ID --status STATUS [--remedy REMEDY] [--note T]",
       .summary = "respond to a parent's lapse report",
       .description =
           "STATUS is acknowledged, investigating, resolved or disputed. A "
           "resolved report\nneeds --remedy (none, make-up, "
           "compensatory-service or meeting); a disputed one\nneeds --note "
           "saying why. Responses are never changed; a later one supersedes\n"
           "an earlier one for display.",
       .flags = {{"--status", "STATUS", "where the report stands"},
                 {"--remedy", "REMEDY", "with resolved: what makes up for it"},
                 {"--note", "T", "a note to the parent"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync respond $LAPSE --status investigating --note "
                    "\"Checking with Mr. Lee\"",
                    "plansync respond $LAPSE --status resolved --remedy "
                    "make-up"},
       .audience = Audience::kCaseManager,
       .run = Respond});
  commands.push_back(
      {.name = "conflicts",
       .synopsis = "[--student S] [--all] [--json]",
       .summary = "concurrent edits waiting for your review",
       .description =
           "A conflict is an edit made without seeing another edit of the "
           "same field; the\nserver kept one value. It waits for review "
           "while nobody has written that field\nsince.",
       .flags = {{"--student", "S", "only this student's"},
                 {"--all", "", "settled conflicts too"},
                 {"--json", "", "print JSON"}},
       .examples = {"plansync conflicts", "plansync conflicts --json"},
       .audience = Audience::kCaseManager,
       .run = Conflicts});
  commands.push_back(
      {.name = "resolve",
       .synopsis = "CONFLICT_ID (--keep winning|losing | --value V)",
       .summary = "settle a conflict by writing the chosen value",
       .description =
           "Writes the value kept (or a new one) as an ordinary write of the "
           "field, which\nsettles the conflict on every device once synced.",
       .flags = {{"--keep", "winning|losing",
                  "keep the value that won, or "
                  "the one that lost"},
                 {"--value", "V", "write this value instead"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync resolve $CONFLICT --keep losing"},
       .audience = Audience::kCaseManager,
       .run = Resolve});
  return commands;
}

}  // namespace plansync::cli
