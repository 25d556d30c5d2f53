#include "server/admin_main.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/status_macros.h"
#include "core/uuid.h"
#include "server/admin.h"
#include "server/open_store.h"

namespace plansync::server {
namespace {

constexpr char kUsage[] =
    R"(usage: plansync-server admin COMMAND --db FILE [OPTIONS]

Administers the users, students, assignments and device tokens of a server
store. Works whether or not a server is running on the same file.

commands:
  add-user --name NAME [--admin]          add a user; prints the user id
  archive-user --user ID                  end every role of a user and revoke
                                          every live token (open Watch
                                          streams close)
  add-student --given NAME --family NAME [--grade G] [--school S]
              [--local-id ID] [--id UUID] add a student; prints the id
  add-holiday --day YYYY-MM-DD [--school S] [--name TEXT]
                                          a day the school (every school if
                                          none named) is closed; prints the id
  set-district [--time-zone ZONE] [--name TEXT] [--jurisdiction J]
               [--report-card-days D,D,...]
                                          the district's IANA time zone (e.g.
                                          America/Chicago; default UTC): it
                                          decides "today" on every device,
                                          the access log's days and every
                                          legal clock; its jurisdiction (US,
                                          or US-MO, US-CA ...): the rules a
                                          parent's request is held to while
                                          the student has no plan; the days
                                          report cards go out (goals reported
                                          with report cards are due then)
  assign --user ID --student ID --role ROLE [--class TEXT]
         [--subject TEXT] [--start YYYY-MM-DD] [--end YYYY-MM-DD]
                                          ROLE: guardian, teacher, provider,
                                          case-manager; prints the id
  end-assignment --assignment ID --end YYYY-MM-DD
  issue-token --user ID [--label TEXT] [--out FILE]
                                          the token is shown once: written to
                                          FILE (owner-only) or printed
  list-users                              every user: id, name, role, archived
  list-students                           every student: id, name, school,
                                          grade
  list-tokens [--user ID]                 token ids, users (with names),
                                          labels, states
  revoke-token --token-id ID              calls with it fail from now on;
                                          open Watch streams close
  backup --out FILE                       a consistent copy of a SQLite store
                                          in the new file FILE (owner-only),
                                          while the server runs; it opens as
                                          a store (--db FILE). PostgreSQL:
                                          pg_dump

examples:
  plansync-server admin add-user --db server.db --name "Ms. Rivera"
  plansync-server admin assign --db server.db --user U --student S --role teacher
  plansync-server admin issue-token --db server.db --user U --out rivera.token
)";

struct Args {
  std::string command;
  std::map<std::string, std::string> options;  // "--name" -> value
  bool admin = false;
};

absl::StatusOr<Args> Parse(int argc, char** argv) {
  Args args;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return absl::CancelledError("help");
    if (arg == "--admin") {
      args.admin = true;
    } else if (arg.rfind("--", 0) == 0) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        args.options[arg.substr(0, eq)] = arg.substr(eq + 1);
      } else if (i + 1 < argc) {
        args.options[arg] = argv[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      }
    } else if (args.command.empty()) {
      args.command = arg;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument \"", arg, "\""));
    }
  }
  if (args.command.empty()) return absl::CancelledError("help");
  return args;
}

absl::StatusOr<std::string> Need(const Args& args, const std::string& name) {
  auto it = args.options.find(name);
  if (it == args.options.end() || it->second.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(args.command, " needs ", name));
  }
  return it->second;
}

std::string Optional(const Args& args, const std::string& name) {
  auto it = args.options.find(name);
  return it == args.options.end() ? "" : it->second;
}

absl::StatusOr<v1::Role> ParseRole(absl::string_view text) {
  std::string name = absl::AsciiStrToUpper(
      absl::StrReplaceAll(text, {{"-", "_"}, {" ", "_"}}));
  v1::Role role;
  if (!v1::Role_Parse(name, &role) || role == v1::ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", text,
        "\" is not a role: guardian, teacher, provider or case-manager"));
  }
  return role;
}

// Writes `token` to a new owner-only file; never replaces a file.
absl::Status WriteTokenFile(const std::string& path, const std::string& token) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create ", path,
        " (it must not exist yet: a token file is never replaced)"));
  }
  const std::string line = token + "\n";
  const bool ok =
      write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool closed = close(fd) == 0;
  if (!ok || !closed) {
    unlink(path.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::Status Run(const Args& args) {
  ASSIGN_OR_RETURN(std::string db, Need(args, "--db"));
  StoreChoice choice;
  choice.db = db;
  choice.pool_size = 2;
  ASSIGN_OR_RETURN(std::unique_ptr<ServerStore> store, OpenServerStore(choice));
  Admin admin(store.get(), SystemClock::Get(), IdGenerator::RandomSeed());
  const std::string& command = args.command;
  if (command == "add-user") {
    ASSIGN_OR_RETURN(std::string name, Need(args, "--name"));
    ASSIGN_OR_RETURN(
        std::string id,
        admin.AddUser(name, args.admin ? v1::ADMIN : v1::ROLE_UNSPECIFIED));
    std::printf("%s\n", id.c_str());
  } else if (command == "archive-user") {
    ASSIGN_OR_RETURN(std::string user, Need(args, "--user"));
    ASSIGN_OR_RETURN(int revoked, admin.ArchiveUser(user));
    std::printf("archived user %s; revoked %d live token%s\n", user.c_str(),
                revoked, revoked == 1 ? "" : "s");
  } else if (command == "add-student") {
    v1::Student student;
    ASSIGN_OR_RETURN(*student.mutable_given_name(), Need(args, "--given"));
    ASSIGN_OR_RETURN(*student.mutable_family_name(), Need(args, "--family"));
    student.set_grade(Optional(args, "--grade"));
    student.set_school(Optional(args, "--school"));
    student.set_local_id(Optional(args, "--local-id"));
    student.set_id(Optional(args, "--id"));
    if (!student.id().empty() && !IsUuid(student.id())) {
      return absl::InvalidArgumentError("--id must be a UUID");
    }
    ASSIGN_OR_RETURN(std::string id, admin.AddStudent(student));
    std::printf("%s\n", id.c_str());
  } else if (command == "add-holiday") {
    v1::SchoolHoliday holiday;
    ASSIGN_OR_RETURN(*holiday.mutable_day(), Need(args, "--day"));
    holiday.set_school(Optional(args, "--school"));
    holiday.set_name(Optional(args, "--name"));
    ASSIGN_OR_RETURN(std::string id, admin.AddHoliday(holiday));
    std::printf("%s\n", id.c_str());
  } else if (command == "set-district") {
    Admin::DistrictSettings settings;
    auto given = [&](const char* name) -> std::optional<std::string> {
      auto it = args.options.find(name);
      if (it == args.options.end()) return std::nullopt;
      return it->second;
    };
    settings.time_zone = given("--time-zone");
    settings.name = given("--name");
    settings.jurisdiction = given("--jurisdiction");
    settings.report_card_days = given("--report-card-days");
    ASSIGN_OR_RETURN(v1::District district, admin.SetDistrict(settings));
    std::printf(
        "district %s: time zone %s, rules %s; today in the district is %s\n",
        district.id().c_str(),
        district.time_zone().empty() ? "UTC" : district.time_zone().c_str(),
        district.jurisdiction().empty() ? "US (federal)"
                                        : district.jurisdiction().c_str(),
        admin.Today().value_or("unknown").c_str());
  } else if (command == "assign") {
    v1::Assignment assignment;
    ASSIGN_OR_RETURN(*assignment.mutable_user_id(), Need(args, "--user"));
    ASSIGN_OR_RETURN(*assignment.mutable_student_id(), Need(args, "--student"));
    ASSIGN_OR_RETURN(std::string role_text, Need(args, "--role"));
    ASSIGN_OR_RETURN(v1::Role role, ParseRole(role_text));
    assignment.set_role(role);
    assignment.set_class_or_period(Optional(args, "--class"));
    assignment.set_subject(Optional(args, "--subject"));
    assignment.set_start_date(Optional(args, "--start"));
    assignment.set_end_date(Optional(args, "--end"));
    bool existing = false;
    ASSIGN_OR_RETURN(std::string id, admin.Assign(assignment, &existing));
    std::printf("%s\n", id.c_str());
    if (existing) {
      std::fprintf(
          stderr,
          "already assigned: the user holds this role on this "
          "student%s (assignment %s); nothing created\n",
          assignment.class_or_period().empty()
              ? ""
              : absl::StrCat(" in \"", assignment.class_or_period(), "\"")
                    .c_str(),
          id.c_str());
    }
  } else if (command == "end-assignment") {
    ASSIGN_OR_RETURN(std::string id, Need(args, "--assignment"));
    ASSIGN_OR_RETURN(std::string end, Need(args, "--end"));
    RETURN_IF_ERROR(admin.EndAssignment(id, end));
    std::printf("assignment %s ends on %s\n", id.c_str(), end.c_str());
  } else if (command == "issue-token") {
    ASSIGN_OR_RETURN(std::string user, Need(args, "--user"));
    const std::string out = Optional(args, "--out");
    ASSIGN_OR_RETURN(IssuedToken issued,
                     admin.IssueToken(user, Optional(args, "--label")));
    if (out.empty()) {
      std::printf("%s\n", issued.token.c_str());
      std::fprintf(stderr,
                   "token %s issued; it is shown this once and cannot be "
                   "recovered\n",
                   issued.record.token_id.c_str());
    } else {
      absl::Status written = WriteTokenFile(out, issued.token);
      if (!written.ok()) {
        // Unusable without its secret: revoke it at once.
        admin.RevokeToken(issued.record.token_id).IgnoreError();
        return written;
      }
      std::printf("token %s written to %s\n", issued.record.token_id.c_str(),
                  out.c_str());
    }
  } else if (command == "list-users") {
    ASSIGN_OR_RETURN(std::vector<v1::User> users, admin.ListUsers());
    for (const v1::User& user : users) {
      std::printf("%s  %s%s%s\n", user.id().c_str(),
                  user.display_name().c_str(),
                  user.district_role() == v1::ADMIN ? "  (administrator)" : "",
                  user.deleted() ? "  (archived)" : "");
    }
    if (users.empty()) std::printf("no users yet: add-user --name NAME\n");
  } else if (command == "list-students") {
    ASSIGN_OR_RETURN(std::vector<v1::Student> students, admin.ListStudents());
    for (const v1::Student& student : students) {
      std::printf("%s  %s %s  school=%s  grade=%s%s\n", student.id().c_str(),
                  student.given_name().c_str(), student.family_name().c_str(),
                  student.school().c_str(), student.grade().c_str(),
                  student.deleted() ? "  (archived)" : "");
    }
    if (students.empty()) {
      std::printf("no students yet: add-student --given G --family F\n");
    }
  } else if (command == "list-tokens") {
    ASSIGN_OR_RETURN(std::vector<TokenRecord> tokens,
                     admin.ListTokens(Optional(args, "--user")));
    ASSIGN_OR_RETURN(std::vector<v1::User> users, admin.ListUsers());
    std::map<std::string, std::string> names;
    for (const v1::User& user : users) {
      names[user.id()] = user.display_name();
    }
    for (const TokenRecord& token : tokens) {
      const std::string created = absl::FormatTime(
          "%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMillis(token.created_ms),
          absl::UTCTimeZone());
      auto name = names.find(token.principal_id);
      std::printf(
          "%s  user=%s (%s)  created=%s  %s  label=%s\n",
          token.token_id.c_str(), token.principal_id.c_str(),
          name == names.end() ? "not in the directory" : name->second.c_str(),
          created.c_str(), token.revoked_ms != 0 ? "revoked" : "live",
          token.label.c_str());
    }
  } else if (command == "backup") {
    ASSIGN_OR_RETURN(std::string out, Need(args, "--out"));
    RETURN_IF_ERROR(store->Backup(out));
    std::printf("backed up to %s\n", out.c_str());
  } else if (command == "revoke-token") {
    ASSIGN_OR_RETURN(std::string id, Need(args, "--token-id"));
    RETURN_IF_ERROR(admin.RevokeToken(id));
    std::printf("revoked %s\n", id.c_str());
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown admin command \"", command, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

int RunAdmin(int argc, char** argv) {
  absl::StatusOr<Args> args = Parse(argc, argv);
  if (!args.ok()) {
    const bool help = absl::IsCancelled(args.status());
    if (!help) {
      std::fprintf(stderr, "plansync-server admin: %s\n",
                   std::string(args.status().message()).c_str());
    }
    std::fputs(kUsage, help ? stdout : stderr);
    return help ? 0 : 2;
  }
  absl::Status status = Run(*args);
  if (!status.ok()) {
    std::fprintf(stderr, "plansync-server admin: %s\n",
                 std::string(status.message()).c_str());
    return absl::IsInvalidArgument(status) ? 2 : 1;
  }
  return 0;
}

}  // namespace plansync::server
