#include "core/value.h"

#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/errors.h"

namespace plansync {
namespace {

using google::protobuf::FieldDescriptor;

v1::Value::KindCase ExpectedKind(const FieldInfo& field) {
  switch (field.descriptor->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return v1::Value::kStringValue;
    case FieldDescriptor::CPPTYPE_BOOL:
      return v1::Value::kBoolValue;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return v1::Value::kDoubleValue;
    default:
      return v1::Value::kIntValue;
  }
}

std::string KindName(v1::Value::KindCase kind) {
  switch (kind) {
    case v1::Value::kStringValue:
      return "a string";
    case v1::Value::kIntValue:
      return "an integer";
    case v1::Value::kBoolValue:
      return "a boolean";
    case v1::Value::kDoubleValue:
      return "a number";
    default:
      return "no value";
  }
}

}  // namespace

absl::StatusOr<v1::Value> ValueFromText(const FieldInfo& field,
                                        absl::string_view text) {
  const v1::Value::KindCase kind = ExpectedKind(field);
  v1::Value value;
  if (text == "(none)") {
    switch (kind) {
      case v1::Value::kStringValue:
        value.set_string_value("");
        break;
      case v1::Value::kBoolValue:
        value.set_bool_value(false);
        break;
      case v1::Value::kDoubleValue:
        value.set_double_value(0);
        break;
      default:
        value.set_int_value(0);
        break;
    }
    return value;
  }
  bool ok = false;
  switch (kind) {
    case v1::Value::kStringValue:
      ok = text.size() >= 2 && absl::StartsWith(text, "\"") &&
           absl::EndsWith(text, "\"");
      if (ok) {
        value.set_string_value(std::string(text.substr(1, text.size() - 2)));
      }
      break;
    case v1::Value::kBoolValue:
      ok = text == "true" || text == "false";
      if (ok) value.set_bool_value(text == "true");
      break;
    case v1::Value::kDoubleValue: {
      double number = 0;
      ok = absl::SimpleAtod(text, &number);
      if (ok) value.set_double_value(number);
      break;
    }
    default: {
      int64_t number = 0;
      ok = absl::SimpleAtoi(text, &number);
      if (ok) value.set_int_value(number);
      break;
    }
  }
  if (!ok) {
    return ReasonError(v1::WRONG_VALUE_TYPE,
                       absl::StrCat("\"", text, "\" is not ", KindName(kind),
                                    " for ", field.name));
  }
  return value;
}

std::string ExpectedKindName(const FieldInfo& field) {
  return KindName(ExpectedKind(field));
}

v1::Value GetFieldValue(const google::protobuf::Message& record,
                        const FieldInfo& field) {
  const auto* reflection = record.GetReflection();
  const FieldDescriptor* fd = field.descriptor;
  v1::Value value;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      value.set_string_value(reflection->GetString(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      value.set_int_value(reflection->GetInt32(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      value.set_int_value(reflection->GetInt64(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      value.set_int_value(reflection->GetEnumValue(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      value.set_bool_value(reflection->GetBool(record, fd));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      value.set_double_value(reflection->GetDouble(record, fd));
      break;
    default:
      break;  // Schema::Build admits no other types.
  }
  return value;
}

absl::Status SetFieldValue(const RecordType& type, const FieldInfo& field,
                           const v1::Value& value,
                           google::protobuf::Message* record) {
  const v1::Value::KindCase expected = ExpectedKind(field);
  if (value.kind_case() != expected) {
    return ReasonError(v1::WRONG_VALUE_TYPE,
                       absl::StrCat(type.short_name, ".", field.name, " takes ",
                                    KindName(expected), "; got ",
                                    KindName(value.kind_case())));
  }
  const auto* reflection = record->GetReflection();
  const FieldDescriptor* fd = field.descriptor;
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      reflection->SetString(record, fd, value.string_value());
      break;
    case FieldDescriptor::CPPTYPE_INT32:
      if (value.int_value() < std::numeric_limits<int32_t>::min() ||
          value.int_value() > std::numeric_limits<int32_t>::max()) {
        return ReasonError(v1::VALUE_OUT_OF_RANGE,
                           absl::StrCat(type.short_name, ".", field.name,
                                        " is a 32-bit integer; ",
                                        value.int_value(), " does not fit"));
      }
      reflection->SetInt32(record, fd, static_cast<int32_t>(value.int_value()));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      reflection->SetInt64(record, fd, value.int_value());
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      if (value.int_value() < std::numeric_limits<int32_t>::min() ||
          value.int_value() > std::numeric_limits<int32_t>::max() ||
          fd->enum_type()->FindValueByNumber(
              static_cast<int>(value.int_value())) == nullptr) {
        return ReasonError(
            v1::VALUE_OUT_OF_RANGE,
            absl::StrCat(type.short_name, ".", field.name, ": ",
                         value.int_value(), " is not a value of ",
                         fd->enum_type()->name()));
      }
      reflection->SetEnumValue(record, fd, static_cast<int>(value.int_value()));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      reflection->SetBool(record, fd, value.bool_value());
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      reflection->SetDouble(record, fd, value.double_value());
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

bool IsDefaultValue(const google::protobuf::Message& record,
                    const FieldInfo& field) {
  return !record.GetReflection()->HasField(record, field.descriptor);
}

bool SameValue(const v1::Value& a, const v1::Value& b) {
  if (a.kind_case() != b.kind_case()) return false;
  switch (a.kind_case()) {
    case v1::Value::kStringValue:
      return a.string_value() == b.string_value();
    case v1::Value::kIntValue:
      return a.int_value() == b.int_value();
    case v1::Value::kBoolValue:
      return a.bool_value() == b.bool_value();
    case v1::Value::kDoubleValue:
      return a.double_value() == b.double_value();
    default:
      return true;
  }
}

std::string ValueToText(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      return absl::StrCat("\"", value.string_value(), "\"");
    case v1::Value::kIntValue:
      return absl::StrCat(value.int_value());
    case v1::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::Value::kDoubleValue:
      return absl::StrCat(value.double_value());
    default:
      return "(none)";
  }
}

}  // namespace plansync
