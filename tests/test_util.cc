#include "tests/test_util.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/corrections.h"
#include "gtest/gtest.h"
#include "plansync/v1/records.pb.h"

namespace plansync::testing {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "plansync-test-XXXXXX")
          .string();
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::unique_ptr<DeviceStore> OpenStore(const std::string& path,
                                       const std::string& principal,
                                       ClockSource* clock, uint64_t seed) {
  DeviceStoreOptions options;
  options.path = path;
  options.principal_id = principal;
  options.clock = clock;
  options.seed = seed;
  auto store = DeviceStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::unique_ptr<Message> NewRecord(const RecordType& type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type.descriptor)
          ->New());
}

namespace {

// `value`, moved into the field's range if it has one.
double InRange(const FieldInfo& field, double value) {
  if (field.min.has_value()) value = std::max(value, *field.min);
  if (field.max.has_value()) value = std::min(value, *field.max);
  return value;
}

}  // namespace

void FillRecord(const RecordType& type, const std::string& student_id,
                const std::map<std::string, std::string>& existing, int variant,
                Message* record) {
  const auto* reflection = record->GetReflection();
  for (const FieldInfo& field : type.fields) {
    const FieldDescriptor* fd = field.descriptor;
    if (field.is_id || field.store_assigned || field.name == "deleted")
      continue;
    if (field.is_bucket_key) {
      reflection->SetString(record, fd, student_id);
      continue;
    }
    // A lapse names one accommodation or one service, not both.
    if (type.short_name == "LapseReport" && field.name == "service_id")
      continue;
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (field.ref_type_field != nullptr) {
          // A typed reference (a Comment's subject, a Correction's entry):
          // the student itself, or for log-only types a log entry made
          // earlier.
          std::string target = "plansync.v1.Student";
          if (field.ref_type_field->log_only) {
            target.clear();
            for (const auto& [name, id] : existing) {
              const RecordType* held = Schema::Get().FindCanonical(name);
              if (held != nullptr && held->is_log() &&
                  held->bucket_key != nullptr && held != &type) {
                target = name;
                break;
              }
            }
          }
          auto it = existing.find(target);
          if (it != existing.end()) {
            reflection->SetString(record, fd, it->second);
            reflection->SetString(record, field.ref_type_field->descriptor,
                                  target);
          }
        } else if (field.record_type_name) {
          // Set with its typed reference, above.
        } else if (field.ref != nullptr) {
          auto it = existing.find(field.ref->full_name);
          if (it != existing.end())
            reflection->SetString(record, fd, it->second);
        } else if (field.date) {
          reflection->SetString(record, fd,
                                absl::StrCat("2026-09-", 10 + variant % 18));
        } else if (field.date_list) {
          reflection->SetString(record, fd,
                                absl::StrCat("2026-09-", 10 + variant % 18,
                                             ",2026-11-0", 1 + variant % 9));
        } else if (field.instant) {
          reflection->SetString(
              record, fd,
              absl::StrCat("2026-09-", 10 + variant % 18, "T14:30:00Z"));
        } else if (field.time_zone) {
          reflection->SetString(record, fd,
                                variant % 2 == 0 ? "America/Chicago" : "UTC");
        } else {
          reflection->SetString(record, fd,
                                absl::StrCat(field.name, " #", variant));
        }
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        reflection->SetInt32(
            record, fd, static_cast<int32_t>(InRange(field, 30 + variant)));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        reflection->SetInt64(
            record, fd, static_cast<int64_t>(InRange(field, 1000 + variant)));
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* values = fd->enum_type();
        reflection->SetEnumValue(
            record, fd,
            values->value(1 + variant % (values->value_count() - 1))->number());
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        reflection->SetBool(record, fd, variant % 2 == 1);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        reflection->SetDouble(record, fd, InRange(field, 1.5 * variant));
        break;
      default:
        break;
    }
  }
  // A correction changes one correctable text field of the entry it names
  // (its own bounds), or withdraws it when it names none.
  if (auto* correction = dynamic_cast<v1::Correction*>(record)) {
    correction->clear_field_name();
    correction->clear_corrected_value();
    const RecordType* entry =
        Schema::Get().FindCanonical(correction->corrected_entry_type());
    const FieldInfo* text = nullptr;
    for (size_t i = 0; entry != nullptr && i < entry->fields.size(); ++i) {
      const FieldInfo& f = entry->fields[i];
      if (IsCorrectable(f) && !f.date && !f.instant &&
          f.descriptor->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        text = &f;
        break;
      }
    }
    if (text != nullptr) {
      correction->set_field_name(text->name);
      correction->set_corrected_value(absl::StrCat("corrected #", variant));
    }
  }
}

std::string CreateRecord(DeviceStore& store, Message& record) {
  std::string id;
  absl::Status status = store.Write([&](WriteTransaction& txn) {
    auto made = store.Create(txn, record);
    if (made.ok()) id = *made;
    return made.status();
  });
  EXPECT_TRUE(status.ok()) << status;
  return id;
}

std::string AppendEntry(DeviceStore& store, Message& entry) {
  std::string id;
  absl::Status status = store.Write([&](WriteTransaction& txn) {
    auto made = store.Append(txn, entry);
    if (made.ok()) id = *made;
    return made.status();
  });
  EXPECT_TRUE(status.ok()) << status;
  return id;
}

std::map<std::string, std::string> CreateOneOfEach(DeviceStore& store,
                                                   int variant) {
  std::map<std::string, std::string> ids;
  std::string student_id;
  // Repeat until every type is created: a type waits until the types its
  // required references point at exist.
  const auto& types = Schema::Get().types();
  for (size_t round = 0; round < types.size() && ids.size() < types.size();
       ++round) {
    for (const auto& type : types) {
      if (ids.count(type->full_name)) continue;
      bool ready = true;
      for (const FieldInfo& field : type->fields) {
        if (field.ref != nullptr && field.required && !field.is_bucket_key &&
            !ids.count(field.ref->full_name)) {
          ready = false;
        }
      }
      if (!ready || (type->bucket_key != nullptr && student_id.empty() &&
                     type->short_name != "Student")) {
        continue;
      }
      auto record = NewRecord(*type);
      FillRecord(*type, student_id, ids, variant, record.get());
      absl::Status status = store.Write([&](WriteTransaction& txn) {
        auto id = type->is_log() ? store.Append(txn, *record)
                                 : store.Create(txn, *record);
        if (!id.ok()) return id.status();
        ids[type->full_name] = *id;
        if (type->short_name == "Student") student_id = *id;
        return absl::OkStatus();
      });
      EXPECT_TRUE(status.ok()) << type->short_name << ": " << status;
    }
  }
  EXPECT_EQ(ids.size(), types.size());
  return ids;
}

// Random local writes on `store`: edits of the shared plan and accommodation
// (concurrent with the other devices' edits) and log entries.
absl::Status RandomWrites(DeviceStore& store, FakeClock& clock,
                          std::mt19937_64& rng,
                          const std::map<std::string, std::string>& ids) {
  const int writes = 1 + static_cast<int>(rng() % 6);
  for (int i = 0; i < writes; ++i) {
    clock.Advance(static_cast<int64_t>(rng() % 50));
    absl::Status status = store.Write([&](WriteTransaction& txn)
                                          -> absl::Status {
      switch (rng() % 4) {
        case 0: {
          auto plan = store.Get<v1::Plan>(ids.at("plansync.v1.Plan"));
          if (!plan.ok()) return plan.status();
          plan->set_jurisdiction(rng() % 2 ? "US-MO" : "US-CA");
          plan->set_eligibility_category(absl::StrCat("category ", rng() % 5));
          const absl::string_view fields[] = {"jurisdiction",
                                              "eligibility_category"};
          return store.Update(txn, *plan, fields);
        }
        case 1: {
          auto accommodation =
              store.Get<v1::Accommodation>(ids.at("plansync.v1.Accommodation"));
          if (!accommodation.ok()) return accommodation.status();
          accommodation->set_description(absl::StrCat("text ", rng() % 7));
          const absl::string_view fields[] = {"description"};
          return store.Update(txn, *accommodation, fields);
        }
        default: {
          v1::ImplementationConfirmation entry;
          entry.set_student_id(ids.at("plansync.v1.Student"));
          entry.set_accommodation_id(ids.at("plansync.v1.Accommodation"));
          entry.set_day("2026-09-08");
          entry.set_status(rng() % 2 ? v1::CONFIRMATION_STATUS_PROVIDED
                                     : v1::CONFIRMATION_STATUS_NOT_PROVIDED);
          return store.Append(txn, entry).status();
        }
      }
    });
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace plansync::testing
