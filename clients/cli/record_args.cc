#include "clients/cli/record_args.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/enum_words.h"
#include "core/errors.h"
#include "core/value.h"
#include "google/protobuf/util/json_util.h"

namespace plansync::cli {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

absl::StatusOr<v1::Value> ParseValue(const RecordType& type,
                                     const FieldInfo& field,
                                     absl::string_view text) {
  v1::Value value;
  const FieldDescriptor* fd = field.descriptor;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      value.set_string_value(std::string(text));
      return value;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (text == "true" || text == "yes" || text == "1") {
        value.set_bool_value(true);
      } else if (text == "false" || text == "no" || text == "0") {
        value.set_bool_value(false);
      } else {
        break;
      }
      return value;
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double number = 0;
      if (!absl::SimpleAtod(text, &number)) break;
      value.set_double_value(number);
      return value;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumDescriptor& values = *fd->enum_type();
      int64_t number = 0;
      if (absl::SimpleAtoi(text, &number)) {
        value.set_int_value(number);
        return value;
      }
      const std::string wanted = absl::AsciiStrToUpper(text);
      std::vector<std::string> names;
      for (int i = 0; i < values.value_count(); ++i) {
        const std::string& name = values.value(i)->name();
        const std::string short_name = ShortEnumName(values, name);
        if (wanted == name || wanted == short_name) {
          value.set_int_value(values.value(i)->number());
          return value;
        }
        if (values.value(i)->number() != 0) {
          names.push_back(absl::AsciiStrToLower(short_name));
        }
      }
      return ReasonError(
          v1::VALUE_OUT_OF_RANGE,
          absl::StrCat(type.short_name, ".", field.name, ": \"", text,
                       "\" is not one of: ", absl::StrJoin(names, ", ")));
    }
    default: {
      int64_t number = 0;
      if (!absl::SimpleAtoi(text, &number)) break;
      value.set_int_value(number);
      return value;
    }
  }
  return ReasonError(
      v1::WRONG_VALUE_TYPE,
      absl::StrCat(type.short_name, ".", field.name, " takes ",
                   ExpectedKindName(field), "; got \"", text, "\""));
}

}  // namespace

absl::StatusOr<const RecordType*> FindType(absl::string_view name) {
  std::vector<std::string> names;
  for (const auto& type : Schema::Get().types()) {
    if (absl::EqualsIgnoreCase(name, type->short_name) ||
        absl::EqualsIgnoreCase(name, type->full_name) ||
        absl::EqualsIgnoreCase(name, type->table)) {
      return type.get();
    }
    names.push_back(type->short_name);
  }
  return ReasonError(v1::UNKNOWN_RECORD_TYPE,
                     absl::StrCat("\"", name,
                                  "\" is not a record type; the "
                                  "types are ",
                                  absl::StrJoin(names, ", ")));
}

absl::StatusOr<std::vector<std::string>> SetFields(
    const RecordType& type, const std::vector<std::string>& args,
    google::protobuf::Message* record) {
  std::vector<std::string> names;
  for (const std::string& arg : args) {
    const size_t equals = arg.find('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", arg, "\" is not field=value (e.g. day=2026-09-17)"));
    }
    const std::string name = arg.substr(0, equals);
    const FieldInfo* field = type.FieldByName(name);
    if (field == nullptr) {
      std::vector<std::string> fields;
      for (const FieldInfo& f : type.fields) {
        if (!f.store_assigned) fields.push_back(f.name);
      }
      return ReasonError(
          v1::UNKNOWN_FIELD,
          absl::StrCat(type.short_name, " has no field \"", name,
                       "\"; its fields are ", absl::StrJoin(fields, ", ")));
    }
    auto value = ParseValue(type, *field, arg.substr(equals + 1));
    if (!value.ok()) return value.status();
    absl::Status status = SetFieldValue(type, *field, *value, record);
    if (!status.ok()) return status;
    names.push_back(name);
  }
  return names;
}

std::string RecordToText(const RecordType& type,
                         const google::protobuf::Message& record) {
  const auto* reflection = record.GetReflection();
  std::string out = absl::StrCat(
      type.short_name, " ",
      reflection->GetString(record, type.fields.front().descriptor));
  for (const FieldInfo& field : type.fields) {
    if (field.is_id || !reflection->HasField(record, field.descriptor)) {
      continue;
    }
    const FieldDescriptor* fd = field.descriptor;
    std::string text;
    if (fd->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      const auto* value = reflection->GetEnum(record, fd);
      text =
          absl::AsciiStrToLower(ShortEnumName(*fd->enum_type(), value->name()));
    } else {
      v1::Value value = GetFieldValue(record, field);
      text =
          value.has_string_value() ? value.string_value() : ValueToText(value);
    }
    absl::StrAppend(&out, "  ", field.name, "=", text);
  }
  return out;
}

std::string RecordToJson(const google::protobuf::Message& record) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  google::protobuf::util::MessageToJsonString(record, &json, options).ok();
  return json;
}

}  // namespace plansync::cli
