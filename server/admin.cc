#include "server/admin.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/change_check.h"
#include "core/district.h"
#include "core/errors.h"
#include "core/schema.h"
#include "core/status_macros.h"
#include "core/validate.h"
#include "core/value.h"
#include "server/access.h"

namespace plansync::server {

Admin::Admin(ServerStore* store, ClockSource* clock, uint64_t seed)
    : store_(store),
      clock_(clock),
      days_(store, clock),
      hlc_(clock),
      ids_(clock, seed),
      replica_id_(ids_.Next()),
      merger_(store, &hlc_, &ids_, replica_id_) {}

template <typename T>
absl::StatusOr<std::vector<T>> Admin::ReadAll(
    const std::vector<std::string>& buckets) {
  const RecordType& type = *Schema::Get().For(T::descriptor());
  std::map<std::string, T> records;
  for (const std::string& bucket : buckets) {
    int64_t after = 0;
    while (true) {
      std::vector<FeedItem> items;
      RETURN_IF_ERROR(store_->ReadFeed(bucket, after, 1000, &items));
      if (items.empty()) break;
      for (const FeedItem& item : items) {
        after = item.seq;
        const v1::Change& change = item.change;
        if (change.record_type() != type.full_name ||
            !change.has_field_write()) {
          continue;
        }
        T& record = records[change.record_id()];
        record.set_id(change.record_id());
        const FieldInfo* field =
            type.FieldByNumber(change.field_write().field_number());
        if (field == nullptr) continue;
        // A stored value is valid; one this build cannot set is skipped.
        SetFieldValue(type, *field, change.field_write().value(), &record)
            .IgnoreError();
      }
    }
  }
  std::vector<T> out;
  for (auto& [id, record] : records) out.push_back(std::move(record));
  return out;
}

absl::StatusOr<std::vector<v1::User>> Admin::ListUsers() {
  ASSIGN_OR_RETURN(std::vector<v1::User> users,
                   ReadAll<v1::User>({std::string(kDirectoryBucket)}));
  std::sort(users.begin(), users.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.display_name(), a.id()) <
           std::make_tuple(b.display_name(), b.id());
  });
  return users;
}

absl::StatusOr<std::vector<v1::Student>> Admin::ListStudents() {
  ASSIGN_OR_RETURN(std::vector<std::string> all, store_->Buckets());
  std::vector<std::string> buckets;
  for (const std::string& bucket : all) {
    if (!StudentOfBucket(bucket).empty()) buckets.push_back(bucket);
  }
  ASSIGN_OR_RETURN(std::vector<v1::Student> students,
                   ReadAll<v1::Student>(buckets));
  std::sort(students.begin(), students.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.family_name(), a.given_name(), a.id()) <
           std::make_tuple(b.family_name(), b.given_name(), b.id());
  });
  return students;
}

absl::StatusOr<bool> Admin::RecordExists(const RecordType& type,
                                         absl::string_view id) {
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(std::optional<RecordHome> home, txn->GetRecordHome(id));
  // The transaction rolls back: nothing written.
  return home.has_value() && home->record_type == type.full_name;
}

absl::Status Admin::Write(const google::protobuf::Message& record, bool create,
                          const std::vector<std::string>& fields) {
  const RecordType& type = *Schema::Get().For(record.GetDescriptor());
  if (create) RETURN_IF_ERROR(ValidateNewRecord(type, record));
  const std::string& id = record.GetReflection()->GetStringReference(
      record, type.fields.front().descriptor, nullptr);
  const std::string bucket = type.bucket_key == nullptr
                                 ? std::string(kDirectoryBucket)
                                 : BucketOf(type, record);
  // Updates name the stored winner they overwrite, so they are not taken
  // for concurrent edits.
  absl::flat_hash_map<int, Hlc> base;
  if (!create) {
    ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
    for (const std::string& name : fields) {
      const FieldInfo* field = type.FieldByName(name);
      ASSIGN_OR_RETURN(std::optional<StoredItem> item,
                       txn->GetItem(type.full_name, id, field->number));
      if (item.has_value()) base[field->number] = item->hlc;
    }
  }
  google::protobuf::RepeatedPtrField<v1::Change> changes;
  for (const FieldInfo& field : type.fields) {
    if (field.is_id || field.store_assigned) continue;
    if (create ? IsDefaultValue(record, field)
               : std::find(fields.begin(), fields.end(), field.name) ==
                     fields.end()) {
      continue;
    }
    const Hlc hlc = hlc_.Now();
    v1::Change& change = *changes.Add();
    change.set_replica_id(replica_id_);
    change.set_replica_seq(hlc);
    change.set_record_type(type.full_name);
    change.set_record_id(id);
    change.set_bucket(bucket);
    change.set_author_id(std::string(kServerPrincipal));
    change.set_hlc(hlc);
    v1::FieldWrite& write = *change.mutable_field_write();
    write.set_field_number(static_cast<uint32_t>(field.number));
    *write.mutable_value() = GetFieldValue(record, field);
    write.set_base_hlc(base.contains(field.number) ? base[field.number] : 0);
  }
  ASSIGN_OR_RETURN(
      BatchOutcome outcome,
      merger_.Apply(Access::Unrestricted(std::string(kServerPrincipal)),
                    changes));
  for (const v1::ChangeResult& result : outcome.results) {
    if (result.status() == v1::ChangeResult::REJECTED) {
      return ReasonError(result.reason(), result.message());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Admin::AddUser(absl::string_view display_name,
                                           v1::Role district_role) {
  if (district_role != v1::ROLE_UNSPECIFIED && district_role != v1::ADMIN) {
    return absl::InvalidArgumentError(
        "the only district-wide role is admin; other roles come from "
        "assignments to students");
  }
  v1::User user;
  user.set_id(ids_.Next());
  user.set_display_name(std::string(display_name));
  user.set_district_role(district_role);
  RETURN_IF_ERROR(Write(user, /*create=*/true, {}));
  return user.id();
}

absl::StatusOr<int> Admin::ArchiveUser(absl::string_view user_id) {
  ASSIGN_OR_RETURN(bool exists,
                   RecordExists(*Schema::Get().Find("User"), user_id));
  if (!exists) {
    return absl::NotFoundError(absl::StrCat("there is no user ", user_id));
  }
  ASSIGN_OR_RETURN(std::vector<TokenRecord> tokens,
                   store_->ListTokens(user_id));
  int revoked = 0;
  for (const TokenRecord& token : tokens) {
    if (token.revoked_ms != 0) continue;
    absl::Status status =
        store_->RevokeToken(token.token_id, clock_->NowMillis());
    // NOT_FOUND: revoked meanwhile by another admin run, which is as good.
    if (!status.ok() && !absl::IsNotFound(status)) return status;
    if (status.ok()) ++revoked;
  }
  v1::User user;
  user.set_id(std::string(user_id));
  user.set_deleted(true);
  RETURN_IF_ERROR(Write(user, /*create=*/false, {"deleted"}));
  return revoked;
}

absl::StatusOr<std::string> Admin::AddStudent(v1::Student student) {
  if (student.id().empty()) student.set_id(ids_.Next());
  RETURN_IF_ERROR(Write(student, /*create=*/true, {}));
  return student.id();
}

absl::StatusOr<std::string> Admin::AddHoliday(v1::SchoolHoliday holiday) {
  if (holiday.id().empty()) holiday.set_id(ids_.Next());
  RETURN_IF_ERROR(Write(holiday, /*create=*/true, {}));
  return holiday.id();
}

absl::StatusOr<v1::District> Admin::SetDistrict(
    const DistrictSettings& settings) {
  if (!settings.time_zone && !settings.name && !settings.jurisdiction &&
      !settings.report_card_days) {
    return absl::InvalidArgumentError(
        "set-district needs --time-zone, --name, --jurisdiction or "
        "--report-card-days");
  }
  if (settings.report_card_days && !settings.report_card_days->empty() &&
      !IsDayList(*settings.report_card_days)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--report-card-days \"", *settings.report_card_days,
        "\" is not a list of days: write YYYY-MM-DD days joined by commas, "
        "in increasing order, e.g. 2026-11-06,2027-01-22"));
  }
  if (settings.time_zone) {
    RETURN_IF_ERROR(LoadDistrictZone(*settings.time_zone).status());
  }
  if (settings.jurisdiction && !settings.jurisdiction->empty() &&
      !IsJurisdiction(*settings.jurisdiction)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--jurisdiction \"", *settings.jurisdiction,
        "\" is not one: write US for the federal rules or US- and the "
        "state's two letters, e.g. US-MO"));
  }
  ASSIGN_OR_RETURN(std::vector<v1::District> all,
                   ReadAll<v1::District>({std::string(kDirectoryBucket)}));
  // The record that counts (core/district.h): the live one with the
  // smallest id.
  const v1::District* current = nullptr;
  for (const v1::District& district : all) {
    if (!district.deleted() &&
        (current == nullptr || district.id() < current->id())) {
      current = &district;
    }
  }
  v1::District district;
  if (current != nullptr) district = *current;
  std::vector<std::string> fields;
  if (settings.time_zone) {
    district.set_time_zone(*settings.time_zone);
    fields.push_back("time_zone");
  }
  if (settings.name) {
    district.set_name(*settings.name);
    fields.push_back("name");
  }
  if (settings.jurisdiction) {
    district.set_jurisdiction(*settings.jurisdiction);
    fields.push_back("jurisdiction");
  }
  if (settings.report_card_days) {
    district.set_report_card_days(*settings.report_card_days);
    fields.push_back("report_card_days");
  }
  if (current == nullptr) {
    district.set_id(ids_.Next());
    RETURN_IF_ERROR(Write(district, /*create=*/true, {}));
  } else {
    RETURN_IF_ERROR(Write(district, /*create=*/false, fields));
  }
  return district;
}

absl::StatusOr<std::string> Admin::Assign(v1::Assignment assignment,
                                          bool* existing) {
  if (assignment.role() == v1::ADMIN ||
      assignment.role() == v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "an assignment needs a role: guardian, teacher, provider or case "
        "manager (admin is district-wide: add-user --admin)");
  }
  ASSIGN_OR_RETURN(bool user, RecordExists(*Schema::Get().Find("User"),
                                           assignment.user_id()));
  if (!user) {
    return absl::NotFoundError(
        absl::StrCat("there is no user ", assignment.user_id()));
  }
  ASSIGN_OR_RETURN(bool student, RecordExists(*Schema::Get().Find("Student"),
                                              assignment.student_id()));
  if (!student) {
    return absl::NotFoundError(
        absl::StrCat("there is no student ", assignment.student_id()));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> same, SameAssignment(assignment));
  if (existing != nullptr) *existing = same.has_value();
  if (same.has_value()) return *same;
  if (assignment.id().empty()) assignment.set_id(ids_.Next());
  RETURN_IF_ERROR(Write(assignment, /*create=*/true, {}));
  return assignment.id();
}

absl::StatusOr<std::optional<std::string>> Admin::SameAssignment(
    const v1::Assignment& assignment) {
  // Not ended before the new one starts (today if it states no start).
  std::string from = assignment.start_date();
  if (from.empty()) {
    ASSIGN_OR_RETURN(from, days_.Today());
  }
  ASSIGN_OR_RETURN(std::vector<Grant> grants,
                   store_->GrantsOf(assignment.user_id()));
  const int class_field = v1::Assignment::descriptor()
                              ->FindFieldByName("class_or_period")
                              ->number();
  for (const Grant& grant : grants) {
    if (grant.deleted || grant.student_id != assignment.student_id() ||
        grant.role != assignment.role() ||
        (!grant.end_date.empty() && grant.end_date < from)) {
      continue;
    }
    ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
    ASSIGN_OR_RETURN(std::optional<StoredItem> item,
                     txn->GetItem(v1::Assignment::descriptor()->full_name(),
                                  grant.id, class_field));
    const std::string held_class =
        item.has_value() ? item->change.field_write().value().string_value()
                         : "";
    if (absl::EqualsIgnoreCase(held_class, assignment.class_or_period())) {
      return grant.id;
    }
  }
  return std::nullopt;
}

absl::Status Admin::EndAssignment(absl::string_view assignment_id,
                                  absl::string_view end_date) {
  if (!IsIsoDay(end_date)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", end_date, "\" is not a day (YYYY-MM-DD)"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<ServerTransaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(std::optional<Grant> grant, txn->GetGrant(assignment_id));
  txn.reset();
  if (!grant.has_value() || grant->student_id.empty()) {
    return absl::NotFoundError(
        absl::StrCat("there is no assignment ", assignment_id));
  }
  v1::Assignment assignment;
  assignment.set_id(std::string(assignment_id));
  assignment.set_student_id(grant->student_id);
  assignment.set_end_date(std::string(end_date));
  return Write(assignment, /*create=*/false, {"end_date"});
}

absl::StatusOr<IssuedToken> Admin::IssueToken(absl::string_view user_id,
                                              absl::string_view label) {
  ASSIGN_OR_RETURN(std::vector<Grant> grants, store_->GrantsOf(user_id));
  bool live = false;
  for (const Grant& grant : grants) {
    if (grant.student_id.empty() && grant.id == user_id) live = !grant.deleted;
  }
  if (!live) {
    return absl::NotFoundError(absl::StrCat("there is no live user ", user_id,
                                            " (add one with add-user)"));
  }
  return server::IssueToken(*store_, user_id, label, clock_);
}

absl::StatusOr<std::vector<TokenRecord>> Admin::ListTokens(
    absl::string_view user_id) {
  return store_->ListTokens(user_id);
}

absl::Status Admin::RevokeToken(absl::string_view token_id) {
  return store_->RevokeToken(token_id, clock_->NowMillis());
}

}  // namespace plansync::server
