#include "core/schema.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace plansync {
namespace {

using google::protobuf::FieldDescriptor;

absl::StatusOr<ColumnType> ColumnTypeOf(const FieldDescriptor& field) {
  if (field.is_repeated() || field.containing_oneof() != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(field.full_name(), ": record fields must be singular"));
  }
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return ColumnType::kText;
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_BOOL:
    case FieldDescriptor::CPPTYPE_ENUM:
      return ColumnType::kInteger;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return ColumnType::kReal;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          field.full_name(), ": type ", field.type_name(),
          " is not allowed in a record (string, int32, int64, bool, double "
          "or enum)"));
  }
}

absl::StatusOr<std::unique_ptr<RecordType>> BuildType(
    const google::protobuf::Descriptor* descriptor) {
  auto type = std::make_unique<RecordType>();
  type->descriptor = descriptor;
  type->full_name = descriptor->full_name();
  type->short_name = descriptor->name();
  type->options = descriptor->options().GetExtension(v1::record);
  type->table = type->options.table();
  if (type->table.empty() || (!type->is_log() && !type->is_mutable())) {
    return absl::InvalidArgumentError(
        absl::StrCat(type->full_name, ": record option needs kind and table"));
  }
  const FieldDescriptor* id = descriptor->FindFieldByNumber(1);
  if (id == nullptr || id->name() != "id" ||
      id->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return absl::InvalidArgumentError(
        absl::StrCat(type->full_name, ": field 1 must be `string id`"));
  }
  std::string bucket_field;
  if (type->options.scope() == v1::STUDENT) {
    bucket_field = type->options.bucket_field().empty()
                       ? "student_id"
                       : type->options.bucket_field();
  } else if (type->options.scope() != v1::DIRECTORY) {
    return absl::InvalidArgumentError(
        absl::StrCat(type->full_name, ": record option needs a scope"));
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    FieldInfo info;
    info.descriptor = field;
    info.name = field->name();
    info.number = field->number();
    ASSIGN_OR_RETURN(info.column_type, ColumnTypeOf(*field));
    const v1::FieldOptions& options = field->options().GetExtension(v1::field);
    info.max_len =
        options.max_len() != 0 ? options.max_len() : kDefaultMaxStringBytes;
    info.date = options.date();
    info.instant = options.instant();
    info.time_zone = options.time_zone();
    info.date_list = options.date_list();
    info.required = options.required();
    info.immutable = options.immutable();
    info.store_assigned = options.store_assigned();
    info.since = std::max<uint32_t>(options.since(), 1);
    if (options.has_min()) info.min = options.min();
    if (options.has_max()) info.max = options.max();
    info.record_type_name = options.record_type_name();
    info.log_only = options.log_only();
    const bool numeric = field->cpp_type() == FieldDescriptor::CPPTYPE_INT32 ||
                         field->cpp_type() == FieldDescriptor::CPPTYPE_INT64 ||
                         field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE;
    if (numeric && !info.store_assigned &&
        (!info.min.has_value() || !info.max.has_value() ||
         *info.min > *info.max)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field->full_name(),
                       ": a number needs its range (min <= max options)"));
    }
    if ((info.min.has_value() || info.max.has_value()) && !numeric) {
      return absl::InvalidArgumentError(
          absl::StrCat(field->full_name(), ": only numbers take min and max"));
    }
    if ((info.record_type_name || !options.ref_type_field().empty()) &&
        field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      return absl::InvalidArgumentError(absl::StrCat(
          field->full_name(), ": a type name or typed reference is a string"));
    }
    info.is_id = field == id;
    info.is_bucket_key = info.name == bucket_field;
    type->fields.push_back(std::move(info));
  }
  type->since = std::max<uint32_t>(type->options.since(), 1);
  for (FieldInfo& info : type->fields) {
    const std::string& type_field =
        info.descriptor->options().GetExtension(v1::field).ref_type_field();
    if (type_field.empty()) continue;
    for (const FieldInfo& other : type->fields) {
      if (other.name == type_field && other.record_type_name) {
        info.ref_type_field = &other;
      }
    }
    if (info.ref_type_field == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          info.descriptor->full_name(), ": ref_type_field names no field of ",
          type->short_name, " marked record_type_name"));
    }
  }
  for (const FieldInfo& info : type->fields) {
    if (info.since > kSchemaVersion || type->since > kSchemaVersion) {
      return absl::InvalidArgumentError(absl::StrCat(
          info.descriptor->full_name(), ": since is newer than kSchemaVersion ",
          kSchemaVersion, " (core/schema.h)"));
    }
  }
  if (type->is_mutable()) {
    const FieldDescriptor* deleted = descriptor->FindFieldByName("deleted");
    if (deleted == nullptr ||
        deleted->cpp_type() != FieldDescriptor::CPPTYPE_BOOL) {
      return absl::InvalidArgumentError(absl::StrCat(
          type->full_name, ": mutable records need `bool deleted`"));
    }
  }
  for (const FieldInfo& field : type->fields) {
    if (field.is_bucket_key) type->bucket_key = &field;
  }
  if (!bucket_field.empty() && type->bucket_key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        type->full_name, ": has no bucket field `", bucket_field, "`"));
  }
  return type;
}

}  // namespace

std::string StudentBucket(absl::string_view student_id) {
  return absl::StrCat("student/", student_id);
}

const FieldInfo* RecordType::FieldByNumber(int number) const {
  for (const FieldInfo& field : fields) {
    if (field.number == number) return &field;
  }
  return nullptr;
}

const FieldInfo* RecordType::FieldByName(absl::string_view name) const {
  for (const FieldInfo& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

absl::StatusOr<std::unique_ptr<Schema>> Schema::Build(
    const google::protobuf::FileDescriptor* file) {
  auto schema = std::make_unique<Schema>();
  for (int i = 0; i < file->message_type_count(); ++i) {
    const google::protobuf::Descriptor* descriptor = file->message_type(i);
    if (!descriptor->options().HasExtension(v1::record)) continue;
    ASSIGN_OR_RETURN(auto type, BuildType(descriptor));
    schema->by_name_[type->full_name] = type.get();
    schema->by_name_[type->short_name] = type.get();
    schema->by_full_name_[type->full_name] = type.get();
    schema->types_.push_back(std::move(type));
  }
  // Resolve references once every type is known.
  for (auto& type : schema->types_) {
    for (FieldInfo& field : type->fields) {
      const std::string& ref =
          field.descriptor->options().GetExtension(v1::field).ref();
      if (ref.empty()) continue;
      auto it = schema->by_name_.find(ref);
      if (it == schema->by_name_.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field.descriptor->full_name(),
                         ": references unknown record type ", ref));
      }
      if (field.column_type != ColumnType::kText) {
        return absl::InvalidArgumentError(absl::StrCat(
            field.descriptor->full_name(), ": a reference must be a string"));
      }
      field.ref = it->second;
    }
  }
  return schema;
}

const Schema& Schema::Get() {
  static const Schema* schema = [] {
    auto built = Build(v1::Student::descriptor()->file());
    if (!built.ok()) {
      std::fprintf(stderr, "plansync: invalid records.proto: %s\n",
                   std::string(built.status().message()).c_str());
      std::abort();
    }
    return built->release();
  }();
  return *schema;
}

const RecordType* Schema::Find(absl::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const RecordType* Schema::FindCanonical(absl::string_view full_name) const {
  auto it = by_full_name_.find(full_name);
  return it == by_full_name_.end() ? nullptr : it->second;
}

const RecordType* Schema::For(
    const google::protobuf::Descriptor* descriptor) const {
  return FindCanonical(descriptor->full_name());
}

std::unique_ptr<google::protobuf::Message> NewRecordMessage(
    const RecordType& type) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type.descriptor)
          ->New());
}

std::string BucketOf(const RecordType& type,
                     const google::protobuf::Message& record) {
  if (type.bucket_key == nullptr) return std::string(kDirectoryBucket);
  std::string student =
      record.GetReflection()->GetString(record, type.bucket_key->descriptor);
  if (student.empty()) return "";
  return StudentBucket(student);
}

}  // namespace plansync
