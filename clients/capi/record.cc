// The C record helpers (plansync_record.h): a record message of the schema,
// its fields set and read by name through protobuf reflection.
#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/capi/capi_internal.h"
#include "core/errors.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/utf8.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "plansync/plansync_record.h"

// The handle behind the opaque plansync_record.
struct plansync_record {
  const plansync::RecordType* type = nullptr;
  std::unique_ptr<google::protobuf::Message> message;
};

namespace plansync::capi {
namespace {

using google::protobuf::FieldDescriptor;

// What the field holds, as the setter's name says it.
enum class Kind { kString, kInt, kDouble };

Kind KindOf(const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return Kind::kString;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return Kind::kDouble;
    default:
      return Kind::kInt;
  }
}

const char* SetterOf(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "plansync_record_set_string";
    case Kind::kInt:
      return "plansync_record_set_int";
    case Kind::kDouble:
      return "plansync_record_set_double";
  }
  return "";
}

// The field `name` of `record`, which must hold `kind`.
absl::StatusOr<const FieldDescriptor*> FieldOf(const plansync_record* record,
                                               const char* name, Kind kind) {
  if (record == nullptr) return NullArgument("the record");
  if (name == nullptr) return NullArgument("the field name");
  const FieldInfo* info = record->type->FieldByName(name);
  if (info == nullptr) {
    std::vector<std::string> names;
    for (const FieldInfo& field : record->type->fields) {
      names.push_back(field.name);
    }
    return ReasonError(
        v1::UNKNOWN_FIELD,
        absl::StrCat(record->type->short_name, " has no field \"", name,
                     "\"; its fields: ", absl::StrJoin(names, ", ")));
  }
  const Kind actual = KindOf(*info->descriptor);
  if (actual != kind) {
    const char* what = actual == Kind::kString   ? "text"
                       : actual == Kind::kDouble ? "a decimal"
                                                 : "a number";
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", name, "\" of ", record->type->short_name,
                     " holds ", what, "; use ", SetterOf(actual)));
  }
  return info->descriptor;
}

// INVALID_ARGUMENT naming the values of `field`'s enum.
absl::Status NoSuchValue(const FieldDescriptor& field,
                         absl::string_view given) {
  std::vector<std::string> values;
  const google::protobuf::EnumDescriptor* type = field.enum_type();
  for (int i = 0; i < type->value_count(); ++i) {
    values.push_back(absl::StrCat(type->value(i)->name(), " (",
                                  type->value(i)->number(), ")"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(given, " is not a value of field \"", field.name(),
                   "\"; its values: ", absl::StrJoin(values, ", ")));
}

absl::Status New(const char* type_name, plansync_record** out) {
  if (out == nullptr) return NullArgument("the record out-parameter");
  *out = nullptr;
  ASSIGN_OR_RETURN(const RecordType* type, TypeNamed(type_name));
  auto record = std::make_unique<plansync_record>();
  record->type = type;
  record->message = NewRecordMessage(*type);
  *out = record.release();
  return absl::OkStatus();
}

absl::Status ParseRecord(const char* type_name, const void* bytes, size_t size,
                         plansync_record** out) {
  if (out == nullptr) return NullArgument("the record out-parameter");
  *out = nullptr;
  ASSIGN_OR_RETURN(const RecordType* type, TypeNamed(type_name));
  auto record = std::make_unique<plansync_record>();
  record->type = type;
  ASSIGN_OR_RETURN(record->message, Parse(*type, bytes, size));
  *out = record.release();
  return absl::OkStatus();
}

absl::Status SetInt(plansync_record* record, const char* name, int64_t value) {
  ASSIGN_OR_RETURN(const FieldDescriptor* field,
                   FieldOf(record, name, Kind::kInt));
  google::protobuf::Message& message = *record->message;
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  const auto out_of_range = [&](absl::string_view range) {
    return absl::InvalidArgumentError(absl::StrCat(
        value, " does not fit field \"", name, "\" (", range, ")"));
  };
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      if (value < INT32_MIN || value > INT32_MAX) {
        return out_of_range("a 32-bit integer");
      }
      reflection.SetInt32(&message, field, static_cast<int32_t>(value));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_UINT32:
      if (value < 0 || value > UINT32_MAX) {
        return out_of_range("a 32-bit unsigned integer");
      }
      reflection.SetUInt32(&message, field, static_cast<uint32_t>(value));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_UINT64:
      if (value < 0) return out_of_range("an unsigned integer");
      reflection.SetUInt64(&message, field, static_cast<uint64_t>(value));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value != 0 && value != 1) return out_of_range("a boolean: 0 or 1");
      reflection.SetBool(&message, field, value == 1);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM:
      if (value < INT32_MIN || value > INT32_MAX ||
          field->enum_type()->FindValueByNumber(static_cast<int>(value)) ==
              nullptr) {
        return NoSuchValue(*field, absl::StrCat(value));
      }
      reflection.SetEnumValue(&message, field, static_cast<int>(value));
      return absl::OkStatus();
    default:  // int64
      reflection.SetInt64(&message, field, value);
      return absl::OkStatus();
  }
}

absl::StatusOr<int64_t> GetInt(const plansync_record* record,
                               const char* name) {
  ASSIGN_OR_RETURN(const FieldDescriptor* field,
                   FieldOf(record, name, Kind::kInt));
  const google::protobuf::Message& message = *record->message;
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return reflection.GetInt32(message, field);
    case FieldDescriptor::CPPTYPE_UINT32:
      return reflection.GetUInt32(message, field);
    case FieldDescriptor::CPPTYPE_UINT64:
      return static_cast<int64_t>(reflection.GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection.GetBool(message, field) ? 1 : 0;
    case FieldDescriptor::CPPTYPE_ENUM:
      return reflection.GetEnumValue(message, field);
    default:
      return reflection.GetInt64(message, field);
  }
}

}  // namespace
}  // namespace plansync::capi

extern "C" {

using google::protobuf::FieldDescriptor;
using plansync::capi::FieldOf;
using plansync::capi::Guard;
using plansync::capi::Kind;
using plansync::capi::NullArgument;

int plansync_record_new(const char* type, plansync_record** record,
                        plansync_error* error) {
  return Guard(error, [&] { return plansync::capi::New(type, record); });
}

int plansync_record_parse(const char* type, const void* bytes, size_t size,
                          plansync_record** record, plansync_error* error) {
  return Guard(error, [&] {
    return plansync::capi::ParseRecord(type, bytes, size, record);
  });
}

void plansync_record_free(plansync_record* record) { delete record; }

const char* plansync_record_type(const plansync_record* record) {
  return record == nullptr ? "" : record->type->full_name.c_str();
}

int plansync_record_set_string(plansync_record* record, const char* field,
                               const char* value, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(const auto* descriptor,
                     FieldOf(record, field, Kind::kString));
    if (value == nullptr) return NullArgument("the value");
    if (!plansync::IsValidUtf8(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("the value of field \"", field, "\" is not UTF-8 text"));
    }
    record->message->GetReflection()->SetString(record->message.get(),
                                                descriptor, value);
    return absl::OkStatus();
  });
}

int plansync_record_set_int(plansync_record* record, const char* field,
                            int64_t value, plansync_error* error) {
  return Guard(error,
               [&] { return plansync::capi::SetInt(record, field, value); });
}

int plansync_record_set_double(plansync_record* record, const char* field,
                               double value, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(const auto* descriptor,
                     FieldOf(record, field, Kind::kDouble));
    const google::protobuf::Reflection& reflection =
        *record->message->GetReflection();
    if (descriptor->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
      reflection.SetFloat(record->message.get(), descriptor,
                          static_cast<float>(value));
    } else {
      reflection.SetDouble(record->message.get(), descriptor, value);
    }
    return absl::OkStatus();
  });
}

int plansync_record_set_enum(plansync_record* record, const char* field,
                             const char* value, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(const auto* descriptor,
                     FieldOf(record, field, Kind::kInt));
    if (value == nullptr) return NullArgument("the value");
    if (descriptor->enum_type() == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "field \"", field, "\" is not an enum; use plansync_record_set_int"));
    }
    const auto* found = descriptor->enum_type()->FindValueByName(value);
    if (found == nullptr) {
      return plansync::capi::NoSuchValue(*descriptor,
                                         absl::StrCat("\"", value, "\""));
    }
    record->message->GetReflection()->SetEnumValue(record->message.get(),
                                                   descriptor, found->number());
    return absl::OkStatus();
  });
}

int plansync_record_get_string(const plansync_record* record, const char* field,
                               char** value, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (value == nullptr) return NullArgument("the value out-parameter");
    *value = nullptr;
    ASSIGN_OR_RETURN(const auto* descriptor,
                     FieldOf(record, field, Kind::kString));
    ASSIGN_OR_RETURN(*value, plansync::capi::CopyString(
                                 record->message->GetReflection()->GetString(
                                     *record->message, descriptor)));
    return absl::OkStatus();
  });
}

int plansync_record_get_int(const plansync_record* record, const char* field,
                            int64_t* value, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (value == nullptr) return NullArgument("the value out-parameter");
    *value = 0;
    ASSIGN_OR_RETURN(*value, plansync::capi::GetInt(record, field));
    return absl::OkStatus();
  });
}

int plansync_record_get_double(const plansync_record* record, const char* field,
                               double* value, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (value == nullptr) return NullArgument("the value out-parameter");
    *value = 0;
    ASSIGN_OR_RETURN(const auto* descriptor,
                     FieldOf(record, field, Kind::kDouble));
    const google::protobuf::Reflection& reflection =
        *record->message->GetReflection();
    *value = descriptor->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT
                 ? reflection.GetFloat(*record->message, descriptor)
                 : reflection.GetDouble(*record->message, descriptor);
    return absl::OkStatus();
  });
}

int plansync_record_get_enum(const plansync_record* record, const char* field,
                             char** value, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (value == nullptr) return NullArgument("the value out-parameter");
    *value = nullptr;
    ASSIGN_OR_RETURN(const auto* descriptor,
                     FieldOf(record, field, Kind::kInt));
    if (descriptor->enum_type() == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "field \"", field, "\" is not an enum; use plansync_record_get_int"));
    }
    const int number = record->message->GetReflection()->GetEnumValue(
        *record->message, descriptor);
    const auto* found = descriptor->enum_type()->FindValueByNumber(number);
    ASSIGN_OR_RETURN(
        *value, plansync::capi::CopyString(
                    found != nullptr ? found->name() : absl::StrCat(number)));
    return absl::OkStatus();
  });
}

int plansync_record_bytes(const plansync_record* record, uint8_t** bytes,
                          size_t* size, plansync_error* error) {
  return Guard(error, [&]() -> absl::Status {
    if (bytes == nullptr || size == nullptr) {
      return NullArgument("the bytes out-parameter");
    }
    *bytes = nullptr;
    *size = 0;
    if (record == nullptr) return NullArgument("the record");
    const std::string serialized = record->message->SerializeAsString();
    ASSIGN_OR_RETURN(*bytes, plansync::capi::CopyOut(serialized));
    *size = serialized.size();
    return absl::OkStatus();
  });
}

}  // extern "C"
