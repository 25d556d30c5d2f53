// Output of the role commands: JSON for listings (--json) built as a
// google.protobuf.Struct and printed with its keys in order, and the plain
// words used for enum values and records in text output.
#ifndef PLANSYNC_CLIENTS_CLI_OUTPUT_H_
#define PLANSYNC_CLIENTS_CLI_OUTPUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "plansync/v1/records.pb.h"

namespace plansync::cli {

using JsonObject = google::protobuf::Struct;
using JsonList = google::protobuf::ListValue;

// Set `key` of `object` to a string, a whole number or a boolean.
void PutText(JsonObject& object, absl::string_view key, absl::string_view text);
void PutInt(JsonObject& object, absl::string_view key, int64_t number);
void PutBool(JsonObject& object, absl::string_view key, bool value);
// Adds an object (or list) under `key` and returns it; owned by `object`.
JsonObject* PutObject(JsonObject& object, absl::string_view key);
JsonList* PutList(JsonObject& object, absl::string_view key);
// Appends an object to `list` and returns it; owned by `list`.
JsonObject* AddObject(JsonList& list);
// A record as a JSON object: its set fields by proto field name (the form
// `plansync get --json` prints).
JsonObject RecordObject(const google::protobuf::Message& record);

// `object` as indented JSON with sorted keys and a final newline.
std::string JsonText(const JsonObject& object);
// Prints JsonText(object) on stdout.
void PrintJson(const JsonObject& object);

// Shows each of `students` with `show`, which prints one or, given a JSON
// object, fills it. JSON: one student's object alone; several as
// {"students": [...]}. Text: the students' parts separated by a blank line.
absl::Status ForEachStudent(
    const std::vector<v1::Student>& students, bool json,
    absl::FunctionRef<absl::Status(const v1::Student&, JsonObject*)> show);

// `text` in double quotes, for quoting what someone wrote.
std::string Quoted(absl::string_view text);

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_OUTPUT_H_
