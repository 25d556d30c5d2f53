// plansync-tour: a short tour of the device core. Three devices — a case
// manager's laptop, a teacher's tablet and a parent's phone — each keep their
// own SQLite store. The case manager records two students (one IEP, one 504
// plan); the teacher confirms accommodations; the parent reports a lapse. The
// devices exchange their outboxes directly (the sync server takes this role
// in the sync issue), and the case manager's consolidated record is printed.
//
//   plansync-tour [--dir DIR]   (default: a new temporary directory)
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/device_store.h"
#include "core/status_macros.h"
#include "plansync/v1/records.pb.h"

namespace plansync {
namespace {

struct Device {
  std::string label;
  std::unique_ptr<DeviceStore> store;
};

absl::StatusOr<Device> OpenDevice(const std::string& dir,
                                  const std::string& label,
                                  const std::string& principal) {
  DeviceStoreOptions options;
  options.path = absl::StrCat(dir, "/", label, ".db");
  options.principal_id = principal;
  ASSIGN_OR_RETURN(auto store, DeviceStore::Open(options));
  return Device{label, std::move(store)};
}

// Moves every pending change of `from` to each of `to`, as a server would,
// and acknowledges them on `from`.
absl::Status Exchange(Device& from, std::vector<Device*> to) {
  ASSIGN_OR_RETURN(std::vector<OutboxEntry> pending,
                   from.store->PendingChanges(100000));
  std::vector<v1::Change> changes;
  std::vector<uint64_t> seqs;
  for (OutboxEntry& entry : pending) {
    changes.push_back(std::move(entry.change));
    seqs.push_back(entry.seq);
  }
  for (Device* device : to) {
    ASSIGN_OR_RETURN(std::vector<RemoteResult> results,
                     device->store->ApplyRemote(changes));
    for (const RemoteResult& result : results) {
      if (result.outcome == RemoteOutcome::kRejected) return result.error;
    }
  }
  RETURN_IF_ERROR(from.store->Write([&](WriteTransaction& txn) {
    return from.store->Acknowledge(txn, seqs);
  }));
  std::printf("  %-8s -> %zu changes delivered\n", from.label.c_str(),
              changes.size());
  return absl::OkStatus();
}

const char* StatusWord(v1::ConfirmationStatus status) {
  switch (status) {
    case v1::CONFIRMATION_STATUS_PROVIDED:
      return "provided";
    case v1::CONFIRMATION_STATUS_OFFERED_AND_DECLINED:
      return "offered, declined";
    case v1::CONFIRMATION_STATUS_NOT_APPLICABLE:
      return "not applicable";
    case v1::CONFIRMATION_STATUS_NOT_PROVIDED:
      return "NOT provided";
    default:
      return "?";
  }
}

// Prints the consolidated record of one student from `store`.
absl::Status PrintRecord(DeviceStore& store, const v1::Student& student) {
  std::printf("\n%s %s (grade %s)\n", student.given_name().c_str(),
              student.family_name().c_str(), student.grade().c_str());
  ASSIGN_OR_RETURN(auto plans, store.ListByStudent<v1::Plan>(student.id()));
  for (const v1::Plan& plan : plans) {
    std::printf("  %s plan v%d, %s, annual review due %s\n",
                plan.kind() == v1::PLAN_KIND_IEP ? "IEP" : "Section 504",
                plan.version(), plan.jurisdiction().c_str(),
                plan.annual_review_due().c_str());
  }
  ASSIGN_OR_RETURN(auto goals, store.ListByStudent<v1::Goal>(student.id()));
  for (const v1::Goal& goal : goals) {
    std::printf("  goal [%s] %s\n", goal.area().c_str(),
                goal.description().c_str());
  }
  ASSIGN_OR_RETURN(auto services,
                   store.ListByStudent<v1::Service>(student.id()));
  for (const v1::Service& service : services) {
    std::printf("  service %s: %d minutes per week\n",
                service.service_type().c_str(), service.minutes_per_period());
  }
  ASSIGN_OR_RETURN(auto lapses,
                   store.ListByStudent<v1::LapseReport>(student.id()));
  ASSIGN_OR_RETURN(auto accommodations,
                   store.ListByStudent<v1::Accommodation>(student.id()));
  for (const v1::Accommodation& accommodation : accommodations) {
    std::printf("  accommodation: %s\n", accommodation.title().c_str());
    ASSIGN_OR_RETURN(auto confirmations,
                     store.List<v1::ImplementationConfirmation>(
                         "accommodation_id", accommodation.id()));
    std::map<std::string, std::vector<std::string>> by_day;
    for (const auto& c : confirmations) {
      by_day[c.day()].push_back(
          absl::StrCat("teacher: ", StatusWord(c.status()),
                       c.class_or_period().empty()
                           ? ""
                           : absl::StrCat(" (", c.class_or_period(), ")")));
    }
    for (const auto& lapse : lapses) {
      if (lapse.accommodation_id() != accommodation.id()) continue;
      by_day[lapse.day()].push_back(
          absl::StrCat("parent: lapse - \"", lapse.what_happened(), "\""));
    }
    for (const auto& [day, lines] : by_day) {
      bool provided = false, lapse = false;
      for (const auto& line : lines) {
        provided |= line.find("teacher: provided") == 0;
        lapse |= line.find("parent: lapse") == 0;
      }
      for (const auto& line : lines) {
        std::printf("    %s  %s\n", day.c_str(), line.c_str());
      }
      if (provided && lapse) {
        std::printf(
            "    %s  >> DISPUTE: confirmed and reported missing; "
            "both stand for the case manager\n",
            day.c_str());
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Tour(const std::string& dir) {
  std::printf("plansync tour: three devices, each with its own store in %s\n",
              dir.c_str());
  ASSIGN_OR_RETURN(Device manager,
                   OpenDevice(dir, "manager", "user-ms-okafor"));
  ASSIGN_OR_RETURN(Device teacher, OpenDevice(dir, "teacher", "user-mr-lee"));
  ASSIGN_OR_RETURN(Device parent, OpenDevice(dir, "parent", "user-ms-diaz"));

  // The case manager records two students and their plans.
  v1::Student maya, jonah;
  v1::Accommodation extended_time, seating, breaks;
  RETURN_IF_ERROR(
      manager.store->Write([&](WriteTransaction& txn) -> absl::Status {
        maya.set_given_name("Maya");
        maya.set_family_name("Diaz");
        maya.set_grade("5");
        RETURN_IF_ERROR(manager.store->Create(txn, maya).status());
        v1::Plan iep;
        iep.set_student_id(maya.id());
        iep.set_kind(v1::PLAN_KIND_IEP);
        iep.set_status(v1::PLAN_STATUS_ACTIVE);
        iep.set_version(1);
        iep.set_jurisdiction("US-MO");
        iep.set_start_date("2026-08-24");
        iep.set_annual_review_due("2027-08-23");
        RETURN_IF_ERROR(manager.store->Create(txn, iep).status());
        v1::Goal goal;
        goal.set_student_id(maya.id());
        goal.set_plan_id(iep.id());
        goal.set_area("Reading fluency");
        goal.set_description(
            "Reads grade-5 text aloud at 110 words per minute");
        goal.set_baseline_value(72);
        goal.set_target_value(110);
        goal.set_unit("words per minute");
        RETURN_IF_ERROR(manager.store->Create(txn, goal).status());
        v1::Service speech;
        speech.set_student_id(maya.id());
        speech.set_plan_id(iep.id());
        speech.set_service_category(v1::SERVICE_CATEGORY_RELATED_SERVICE);
        speech.set_service_type("Speech-language therapy");
        speech.set_minutes_per_period(60);
        speech.set_period(v1::SERVICE_PERIOD_WEEK);
        RETURN_IF_ERROR(manager.store->Create(txn, speech).status());
        extended_time.set_student_id(maya.id());
        extended_time.set_plan_id(iep.id());
        extended_time.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
        extended_time.set_category(
            v1::ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING);
        extended_time.set_title("Extended time (1.5x) on tests and quizzes");
        extended_time.set_applies_to(v1::APPLIES_TO_TESTS_ONLY);
        RETURN_IF_ERROR(manager.store->Create(txn, extended_time).status());
        seating.set_student_id(maya.id());
        seating.set_plan_id(iep.id());
        seating.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
        seating.set_category(v1::ACCOMMODATION_CATEGORY_SETTING);
        seating.set_title("Preferential seating near instruction");
        RETURN_IF_ERROR(manager.store->Create(txn, seating).status());

        jonah.set_given_name("Jonah");
        jonah.set_family_name("Park");
        jonah.set_grade("7");
        RETURN_IF_ERROR(manager.store->Create(txn, jonah).status());
        v1::Plan section504;
        section504.set_student_id(jonah.id());
        section504.set_kind(v1::PLAN_KIND_SECTION_504);
        section504.set_status(v1::PLAN_STATUS_ACTIVE);
        section504.set_version(1);
        section504.set_jurisdiction("US-MO");
        section504.set_annual_review_due("2027-05-14");
        RETURN_IF_ERROR(manager.store->Create(txn, section504).status());
        breaks.set_student_id(jonah.id());
        breaks.set_plan_id(section504.id());
        breaks.set_kind(v1::ACCOMMODATION_KIND_ACCOMMODATION);
        breaks.set_category(v1::ACCOMMODATION_CATEGORY_HEALTH);
        breaks.set_title("Movement break every 30 minutes");
        return manager.store->Create(txn, breaks).status();
      }));
  std::printf(
      "\ncase manager recorded 2 students, 2 plans, 3 accommodations "
      "(%lld changes in the outbox)\n",
      static_cast<long long>(*manager.store->PendingCount()));

  std::printf("\nexchange (standing in for the sync server):\n");
  RETURN_IF_ERROR(Exchange(manager, {&teacher, &parent}));

  // Offline, the teacher confirms and the parent reports a lapse.
  RETURN_IF_ERROR(teacher.store->Write([&](WriteTransaction& txn)
                                           -> absl::Status {
    struct Confirmation {
      const v1::Accommodation* accommodation;
      const char* day;
      v1::ConfirmationStatus status;
    };
    for (const Confirmation& c : std::vector<Confirmation>{
             {&extended_time, "2026-09-14", v1::CONFIRMATION_STATUS_PROVIDED},
             {&extended_time, "2026-09-17", v1::CONFIRMATION_STATUS_PROVIDED},
             {&seating, "2026-09-17", v1::CONFIRMATION_STATUS_PROVIDED},
             {&breaks, "2026-09-17",
              v1::CONFIRMATION_STATUS_OFFERED_AND_DECLINED}}) {
      v1::ImplementationConfirmation entry;
      entry.set_student_id(c.accommodation->student_id());
      entry.set_accommodation_id(c.accommodation->id());
      entry.set_day(c.day);
      entry.set_class_or_period("Period 2 Math");
      entry.set_status(c.status);
      RETURN_IF_ERROR(teacher.store->Append(txn, entry).status());
    }
    return absl::OkStatus();
  }));
  std::printf("\nteacher confirmed 4 accommodations on the tablet (offline)\n");
  RETURN_IF_ERROR(parent.store->Write([&](WriteTransaction& txn) {
    v1::LapseReport lapse;
    lapse.set_student_id(maya.id());
    lapse.set_accommodation_id(extended_time.id());
    lapse.set_day("2026-09-17");
    lapse.set_what_happened(
        "Maya says the math quiz was collected at the bell; no extra time.");
    return parent.store->Append(txn, lapse).status();
  }));
  std::printf("parent reported a lapse on the phone (offline)\n");

  std::printf("\nexchange:\n");
  RETURN_IF_ERROR(Exchange(teacher, {&manager, &parent}));
  RETURN_IF_ERROR(Exchange(parent, {&manager, &teacher}));

  std::printf(
      "\n=== consolidated record, read from the case manager's store ===");
  for (const v1::Student* student : {&maya, &jonah}) {
    RETURN_IF_ERROR(PrintRecord(*manager.store, *student));
  }
  std::printf(
      "\ncontent hash  manager %016llx  teacher %016llx  parent %016llx\n",
      static_cast<unsigned long long>(*manager.store->ContentHash()),
      static_cast<unsigned long long>(*teacher.store->ContentHash()),
      static_cast<unsigned long long>(*parent.store->ContentHash()));
  if (*manager.store->ContentHash() != *teacher.store->ContentHash() ||
      *manager.store->ContentHash() != *parent.store->ContentHash()) {
    return absl::InternalError("the three devices did not converge");
  }
  std::printf("all three devices hold the same record.\n");
  return absl::OkStatus();
}

}  // namespace
}  // namespace plansync

int main(int argc, char** argv) {
  std::string dir;
  bool remove_dir = false;
  if (argc == 3 && std::strcmp(argv[1], "--dir") == 0) {
    dir = argv[2];
    std::filesystem::create_directories(dir);
  } else if (argc == 1) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "plansync-tour-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("plansync-tour: cannot make a temporary directory");
      return 1;
    }
    dir = pattern;
    remove_dir = true;
  } else {
    std::fprintf(stderr, "usage: plansync-tour [--dir DIR]\n");
    return 2;
  }
  const absl::Status status = plansync::Tour(dir);
  if (remove_dir) std::filesystem::remove_all(dir);
  if (!status.ok()) {
    std::fprintf(stderr, "plansync-tour: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
