// Command-line record fields: "field=value" arguments turned into a record
// message through the schema, and records turned back into text or JSON.
#ifndef PLANSYNC_CLIENTS_CLI_RECORD_ARGS_H_
#define PLANSYNC_CLIENTS_CLI_RECORD_ARGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/schema.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace plansync::cli {

// The record type named `name`: its short name ("Plan"), full name or table
// ("plans"), case-insensitive. INVALID_ARGUMENT listing the types if none.
absl::StatusOr<const RecordType*> FindType(absl::string_view name);

// Sets the fields of `record` from "field=value" arguments; returns the
// field names set. Values: text as given; integers; true/false; numbers;
// enums by value name, with or without the enum's prefix, any case
// ("provided", "CONFIRMATION_STATUS_PROVIDED"), or by number.
absl::StatusOr<std::vector<std::string>> SetFields(
    const RecordType& type, const std::vector<std::string>& args,
    google::protobuf::Message* record);

// One line: "Type id  field=value ..." (set fields only; enums by short
// name).
std::string RecordToText(const RecordType& type,
                         const google::protobuf::Message& record);

// The record as one JSON object (proto3 JSON mapping).
std::string RecordToJson(const google::protobuf::Message& record);

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_RECORD_ARGS_H_
