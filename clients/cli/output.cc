#include "clients/cli/output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "clients/cli/record_args.h"
#include "core/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace plansync::cli {
namespace {

using google::protobuf::Value;

void AppendEscaped(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendValue(const Value& value, int indent, std::string* out);

void AppendStruct(const JsonObject& object, int indent, std::string* out) {
  if (object.fields().empty()) {
    out->append("{}");
    return;
  }
  std::vector<std::string> keys;
  for (const auto& [key, unused] : object.fields()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  const std::string pad(indent + 2, ' ');
  out->append("{\n");
  for (size_t i = 0; i < keys.size(); ++i) {
    out->append(pad);
    AppendEscaped(keys[i], out);
    out->append(": ");
    AppendValue(object.fields().at(keys[i]), indent + 2, out);
    out->append(i + 1 < keys.size() ? ",\n" : "\n");
  }
  out->append(std::string(indent, ' ')).append("}");
}

void AppendList(const JsonList& list, int indent, std::string* out) {
  if (list.values().empty()) {
    out->append("[]");
    return;
  }
  const std::string pad(indent + 2, ' ');
  out->append("[\n");
  for (int i = 0; i < list.values_size(); ++i) {
    out->append(pad);
    AppendValue(list.values(i), indent + 2, out);
    out->append(i + 1 < list.values_size() ? ",\n" : "\n");
  }
  out->append(std::string(indent, ' ')).append("]");
}

void AppendValue(const Value& value, int indent, std::string* out) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      AppendEscaped(value.string_value(), out);
      break;
    case Value::kNumberValue: {
      const double number = value.number_value();
      if (std::trunc(number) == number && std::fabs(number) < 9e15) {
        absl::StrAppend(out, static_cast<int64_t>(number));
      } else if (std::isfinite(number)) {
        absl::StrAppendFormat(out, "%.15g", number);
      } else {
        out->append("null");  // JSON has no infinities or NaN
      }
      break;
    }
    case Value::kBoolValue:
      out->append(value.bool_value() ? "true" : "false");
      break;
    case Value::kStructValue:
      AppendStruct(value.struct_value(), indent, out);
      break;
    case Value::kListValue:
      AppendList(value.list_value(), indent, out);
      break;
    default:
      out->append("null");
  }
}

}  // namespace

void PutText(JsonObject& object, absl::string_view key,
             absl::string_view text) {
  (*object.mutable_fields())[std::string(key)].set_string_value(
      std::string(text));
}

void PutInt(JsonObject& object, absl::string_view key, int64_t number) {
  (*object.mutable_fields())[std::string(key)].set_number_value(
      static_cast<double>(number));
}

void PutBool(JsonObject& object, absl::string_view key, bool value) {
  (*object.mutable_fields())[std::string(key)].set_bool_value(value);
}

JsonObject* PutObject(JsonObject& object, absl::string_view key) {
  return (*object.mutable_fields())[std::string(key)].mutable_struct_value();
}

JsonList* PutList(JsonObject& object, absl::string_view key) {
  return (*object.mutable_fields())[std::string(key)].mutable_list_value();
}

JsonObject* AddObject(JsonList& list) {
  return list.add_values()->mutable_struct_value();
}

JsonObject RecordObject(const google::protobuf::Message& record) {
  JsonObject object;
  // RecordToJson prints a record this parser reads back, so the result is
  // not checked.
  (void)google::protobuf::util::JsonStringToMessage(RecordToJson(record),
                                                    &object);
  return object;
}

std::string JsonText(const JsonObject& object) {
  std::string out;
  AppendStruct(object, 0, &out);
  out.push_back('\n');
  return out;
}

void PrintJson(const JsonObject& object) {
  std::fputs(JsonText(object).c_str(), stdout);
}

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", text, "\"");
}

absl::Status ForEachStudent(
    const std::vector<v1::Student>& students, bool json,
    absl::FunctionRef<absl::Status(const v1::Student&, JsonObject*)> show) {
  if (json && students.size() == 1) {
    JsonObject out;
    RETURN_IF_ERROR(show(students.front(), &out));
    PrintJson(out);
    return absl::OkStatus();
  }
  JsonObject all;
  JsonList* list = json ? PutList(all, "students") : nullptr;
  for (size_t i = 0; i < students.size(); ++i) {
    if (!json && i > 0) std::printf("\n");
    RETURN_IF_ERROR(show(students[i], json ? AddObject(*list) : nullptr));
  }
  if (json) PrintJson(all);
  return absl::OkStatus();
}

}  // namespace plansync::cli
