#include "core/corrections.h"

#include <algorithm>
#include <memory>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/errors.h"
#include "core/status_macros.h"
#include "core/validate.h"
#include "core/value.h"

namespace plansync {
namespace {

using google::protobuf::FieldDescriptor;

// True if a guardian may write entries of `type` (so an entry of it may be a
// parent's own).
bool GuardiansWrite(const RecordType& type) {
  for (const auto* roles :
       {&type.options.writers(), &type.options.own_writers()}) {
    for (int role : *roles) {
      if (role == v1::GUARDIAN) return true;
    }
  }
  return false;
}

}  // namespace

bool IsCorrectable(const FieldInfo& field) {
  return !field.is_id && !field.is_bucket_key && !field.store_assigned &&
         field.ref == nullptr && field.ref_type_field == nullptr &&
         !field.record_type_name;
}

absl::StatusOr<v1::Value> ParseCorrectedValue(const FieldInfo& field,
                                              absl::string_view text) {
  const FieldDescriptor* fd = field.descriptor;
  v1::Value value;
  bool ok = true;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      value.set_string_value(std::string(text));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      ok = text == "true" || text == "false";
      value.set_bool_value(text == "true");
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double number = 0;
      ok = absl::SimpleAtod(text, &number);
      value.set_double_value(number);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* named = fd->enum_type()->FindValueByName(std::string(text));
      ok = named != nullptr;
      if (ok) value.set_int_value(named->number());
      break;
    }
    default: {
      int64_t number = 0;
      ok = absl::SimpleAtoi(text, &number);
      value.set_int_value(number);
      break;
    }
  }
  if (!ok) {
    std::string expected = ExpectedKindName(field);
    if (fd->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      expected = absl::StrCat(
          "a value of ", fd->enum_type()->name(), " (e.g. ",
          fd->enum_type()
              ->value(std::min(1, fd->enum_type()->value_count() - 1))
              ->name(),
          ")");
    }
    return ReasonError(
        v1::WRONG_VALUE_TYPE,
        absl::StrCat("Correction.corrected_value for ", field.name, " must be ",
                     expected, "; got \"", text, "\""));
  }
  return value;
}

absl::Status CheckCorrection(const v1::Correction& correction) {
  if (correction.field_name().empty()) return absl::OkStatus();
  const RecordType* type =
      Schema::Get().FindCanonical(correction.corrected_entry_type());
  if (type == nullptr) return absl::OkStatus();  // the field check says so
  const FieldInfo* field = type->FieldByName(correction.field_name());
  if (field == nullptr || !IsCorrectable(*field)) {
    std::vector<std::string> names;
    for (const FieldInfo& f : type->fields) {
      if (IsCorrectable(f)) names.push_back(f.name);
    }
    return ReasonError(
        v1::UNKNOWN_FIELD,
        absl::StrCat("Correction.field_name: ", type->short_name,
                     field == nullptr ? " has no field \"" : "'s field \"",
                     correction.field_name(),
                     field == nullptr ? "\"" : "\" cannot be corrected",
                     "; the fields a correction may change are ",
                     absl::StrJoin(names, ", ")));
  }
  ASSIGN_OR_RETURN(const v1::Value value,
                   ParseCorrectedValue(*field, correction.corrected_value()));
  std::unique_ptr<google::protobuf::Message> probe = NewRecordMessage(*type);
  RETURN_IF_ERROR(SetFieldValue(*type, *field, value, probe.get()));
  return ValidateField(*type, *field, *probe);
}

absl::Status MayCorrect(const RecordType& entry_type,
                        absl::string_view entry_author,
                        absl::string_view corrector, RoleSet corrector_roles) {
  if (entry_author == corrector) return absl::OkStatus();
  if (GuardiansWrite(entry_type)) {
    return ReasonError(
        v1::NOT_ENTRY_AUTHOR,
        absl::StrCat(entry_type.short_name,
                     " entries are corrected only by their author (a "
                     "parent's own words are answered, not replaced: respond "
                     "to them instead)"));
  }
  if ((corrector_roles & RoleBit(v1::CASE_MANAGER)) != 0) {
    return absl::OkStatus();
  }
  return ReasonError(
      v1::NOT_ENTRY_AUTHOR,
      absl::StrCat(entry_type.short_name,
                   " entries are corrected by their author or the student's "
                   "case manager"));
}

CorrectionIndex::CorrectionIndex(
    const std::vector<v1::Correction>& corrections) {
  for (const v1::Correction& correction : corrections) {
    by_id_[correction.corrected_entry_id()].push_back(&correction);
  }
  for (auto& [id, list] : by_id_) {
    std::sort(list.begin(), list.end(),
              [](const v1::Correction* a, const v1::Correction* b) {
                return std::make_tuple(a->recorded_hlc(), a->id()) <
                       std::make_tuple(b->recorded_hlc(), b->id());
              });
  }
}

const std::vector<const v1::Correction*>* CorrectionIndex::Of(
    absl::string_view id) const {
  auto found = by_id_.find(id);
  return found == by_id_.end() ? nullptr : &found->second;
}

bool CorrectionIndex::Apply(const RecordType& type,
                            google::protobuf::Message* entry) const {
  const FieldInfo* id_field = type.FieldByName("id");
  const std::vector<const v1::Correction*>* list =
      Of(entry->GetReflection()->GetString(*entry, id_field->descriptor));
  if (list == nullptr) return true;
  for (const v1::Correction* correction : *list) {
    if (correction->corrected_entry_type() != type.full_name) continue;
    if (correction->field_name().empty()) return false;
    const FieldInfo* field = type.FieldByName(correction->field_name());
    if (field == nullptr || !IsCorrectable(*field)) continue;
    absl::StatusOr<v1::Value> value =
        ParseCorrectedValue(*field, correction->corrected_value());
    if (!value.ok()) continue;
    std::unique_ptr<google::protobuf::Message> copy(entry->New());
    copy->CopyFrom(*entry);
    if (!SetFieldValue(type, *field, *value, copy.get()).ok() ||
        !ValidateField(type, *field, *copy).ok()) {
      continue;
    }
    entry->CopyFrom(*copy);
  }
  return true;
}

}  // namespace plansync
