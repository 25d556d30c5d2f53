// `plansync correct`: a correction of a log entry (a confirmation, a service
// session, a lapse report, a progress point, a lapse response). The entry
// stays as it was written; a Correction entry per changed field (or one that
// withdraws it) says what it should have said and why, and every view shows
// the corrected value with its trail (core/corrections.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/cli/commands.h"
#include "clients/cli/days.h"
#include "clients/cli/lookup.h"
#include "clients/cli/output.h"
#include "core/corrections.h"
#include "core/status_macros.h"
#include "core/value.h"

namespace plansync::cli {
namespace {

// An option of `correct` and the entry field it corrects.
struct CorrectionFlag {
  const char* flag;
  const char* field;
};
constexpr CorrectionFlag kCorrectionFlags[] = {
    {"--minutes", "minutes_delivered"},
    {"--status", "status"},
    {"--outcome", "outcome"},
    {"--day", "day"},
    {"--note", "note"},
};

// The log entry `id`, of whichever type holds it here.
absl::StatusOr<
    std::pair<const RecordType*, std::unique_ptr<google::protobuf::Message>>>
FindEntry(DeviceStore& store, absl::string_view id) {
  for (const auto& type : Schema::Get().types()) {
    if (!type->is_log() || type->options.server_written()) continue;
    std::unique_ptr<google::protobuf::Message> entry = NewRecordMessage(*type);
    ASSIGN_OR_RETURN(const std::string full, store.ResolveId(*type, id));
    if (store.Get(full, entry.get()).ok()) {
      return std::make_pair(type.get(), std::move(entry));
    }
  }
  return NotHeld("entry", id);
}

// The field's value as a correction writes it: an enum by its value's name.
std::string ValueText(const google::protobuf::Message& entry,
                      const FieldInfo& field) {
  const auto* reflection = entry.GetReflection();
  const auto* fd = field.descriptor;
  switch (fd->cpp_type()) {
    case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
      return reflection->GetEnum(entry, fd)->name();
    case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
      return reflection->GetString(entry, fd);
    default: {
      const v1::Value value = GetFieldValue(entry, field);
      return ValueToText(value);
    }
  }
}

absl::Status Correct(Context& context) {
  const Flags& flags = context.flags();
  ASSIGN_OR_RETURN(const std::string today, context.Today());
  ASSIGN_OR_RETURN(const std::string why, flags.Require("--why"));
  ASSIGN_OR_RETURN(DeviceStore * store, context.Store());
  ASSIGN_OR_RETURN(auto found, FindEntry(*store, flags.args()[0]));
  const RecordType& type = *found.first;
  const google::protobuf::Message& entry = *found.second;
  const auto* reflection = entry.GetReflection();
  auto text_of = [&](absl::string_view name) {
    return reflection->GetString(entry, type.FieldByName(name)->descriptor);
  };
  const std::string entry_id = text_of("id");
  ASSIGN_OR_RETURN(
      const v1::Student student,
      GetRecord<v1::Student>(*store, text_of("student_id"), "student"));
  ASSIGN_OR_RETURN(const RoleSet roles, MyRolesOn(*store, student.id(), today));
  RETURN_IF_ERROR(
      MayCorrect(type, text_of("author_id"), store->principal_id(), roles));

  std::vector<std::string> correctable;
  for (const CorrectionFlag& option : kCorrectionFlags) {
    if (type.FieldByName(option.field) != nullptr) {
      correctable.push_back(option.flag);
    }
  }
  correctable.push_back("--withdraw");
  std::vector<v1::Correction> corrections;
  std::vector<std::string> said;
  auto base = [&] {
    v1::Correction correction;
    correction.set_student_id(student.id());
    correction.set_corrected_entry_id(entry_id);
    correction.set_corrected_entry_type(type.full_name);
    correction.set_reason(why);
    return correction;
  };
  for (const CorrectionFlag& option : kCorrectionFlags) {
    if (!flags.Has(option.flag)) continue;
    const FieldInfo* field = type.FieldByName(option.field);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(option.flag, " does not apply to a ", type.short_name,
                       "; it takes ", absl::StrJoin(correctable, ", ")));
    }
    std::string value = flags.Get(option.flag);
    if (field->date) {
      ASSIGN_OR_RETURN(value, ParseDay(option.flag, value, today));
      RETURN_IF_ERROR(NotAfterToday(option.flag, value, today));
    }
    if (const auto* enum_type = field->descriptor->enum_type()) {
      ASSIGN_OR_RETURN(std::optional<int> number,
                       flags.Enum(option.flag, *enum_type));
      value = enum_type->FindValueByNumber(*number)->name();
    }
    const std::string old = ValueText(entry, *field);
    if (old == value) continue;
    v1::Correction correction = base();
    correction.set_field_name(field->name);
    correction.set_corrected_value(value);
    correction.set_corrected_text(
        absl::StrCat(field->name, ": ", old, " -> ", value));
    said.push_back(correction.corrected_text());
    corrections.push_back(std::move(correction));
  }
  if (flags.Has("--withdraw")) {
    if (!corrections.empty()) {
      return absl::InvalidArgumentError(
          "--withdraw takes the entry back as a whole; give it alone");
    }
    corrections.push_back(base());
    said.push_back("withdrawn: it no longer counts");
  }
  if (corrections.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "say what the ", type.short_name, " should have said (",
        absl::StrJoin(correctable, ", "),
        "), with values that differ from what it says; nothing recorded"));
  }
  std::vector<std::string> ids;
  RETURN_IF_ERROR(store->Write([&](WriteTransaction& txn) -> absl::Status {
    for (v1::Correction& correction : corrections) {
      ASSIGN_OR_RETURN(std::string id, store->Append(txn, correction));
      ids.push_back(std::move(id));
    }
    return absl::OkStatus();
  }));
  std::printf(
      "Corrected %s %s of %s (the entry stays; %s):\n", type.short_name.c_str(),
      entry_id.c_str(), StudentName(student).c_str(),
      ids.size() == 1
          ? absl::StrCat("correction ", ids[0]).c_str()
          : absl::StrCat("corrections ", absl::StrJoin(ids, ", ")).c_str());
  for (const std::string& line : said) std::printf("  %s\n", line.c_str());
  std::printf("  why: %s\n", Quoted(why).c_str());
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> CorrectionCommands() {
  return {
      {.name = "correct",
       .synopsis = "ENTRY_ID --why TEXT [--minutes N] [--status S] [--outcome "
                   "O] [--day D] [--note T] [--withdraw]",
       .summary = "correct a confirmation, session or report you recorded",
       .description =
           "The entry stays as it was written; a correction says what it "
           "should have said and\nwhy, and every view and report shows the "
           "corrected value with its trail. The\nentry's author may correct "
           "it; the student's case manager may also correct the\nentries of "
           "school staff (confirmations, sessions, progress points). A "
           "parent's own\nreports are corrected only by the parent; the "
           "school answers them (plansync respond).",
       .flags = {{"--why", "TEXT", "why the entry is wrong (required)"},
                 {"--minutes", "N", "a session's minutes delivered"},
                 {"--status", "S", "a confirmation's status"},
                 {"--outcome", "O", "a session's outcome"},
                 {"--day", "D", "the entry's day"},
                 {"--note", "T", "the entry's note"},
                 {"--withdraw", "", "the entry should not have been made"}},
       .min_args = 1,
       .max_args = 1,
       .examples = {"plansync correct $SESSION --minutes 60 --why \"typed 600 "
                    "for 60\""},
       .audience = Audience::kDevice,
       .run = Correct},
  };
}

}  // namespace plansync::cli
