// Prints docs/permissions.md: who may read and write each record type, from
// the options of records.proto as the schema reads them (ReadScope and
// WriteScope, core/permissions.h), so the table cannot drift from what the
// device store and the server enforce. ctest's PermissionsTableIsCurrent
// compares the file with this output.
#include <cstdio>
#include <string>

#include "core/permissions.h"
#include "core/schema.h"
#include "plansync/v1/options.pb.h"

namespace {

using plansync::RecordType;
using plansync::RoleBit;
using plansync::Scope;

std::string Cell(const RecordType& type, plansync::v1::Role role) {
  const Scope read = plansync::ReadScope(type, RoleBit(role));
  const Scope write = plansync::WriteScope(type, RoleBit(role));
  auto word = [](Scope scope, const char* all, const char* own) {
    return scope == Scope::kAll   ? std::string(all)
           : scope == Scope::kOwn ? std::string(own)
                                  : std::string();
  };
  std::string read_word = word(read, "read", "read own");
  std::string write_word = word(write, "write", "write own");
  if (read_word.empty() && write_word.empty()) return "-";
  if (write_word.empty()) return read_word;
  if (read_word.empty()) return write_word;
  return read_word + ", " + write_word;
}

}  // namespace

int main() {
  std::printf(
      "# Who may read and write what\n\n"
      "Generated from the options of `proto/plansync/v1/records.proto` by\n"
      "`tests/tools/permissions_table.cc`; a test fails when this file and\n"
      "the schema disagree (regenerate: `build/tests/permissions_table > "
      "docs/permissions.md`).\n\n"
      "Roles come from the student's `Assignment` records (and `admin` from "
      "the user's\ndistrict role). \"Own\" means records that concern the "
      "reader (their own\nassignments) or that the writer authors. The device "
      "store and the server both\nrefuse a write outside this table "
      "(`ROLE_NOT_PERMITTED`, `NOT_ASSIGNED`);\nrecords written only by the "
      "server are marked so.\n\n"
      "| record | kind | bucket | guardian | teacher | provider | case manager "
      "| admin |\n|---|---|---|---|---|---|---|---|\n");
  for (const auto& type : plansync::Schema::Get().types()) {
    std::printf("| `%s` | %s | %s |", type->short_name.c_str(),
                type->is_log() ? "log" : "mutable",
                type->bucket_key == nullptr ? "directory" : "student");
    for (plansync::v1::Role role :
         {plansync::v1::GUARDIAN, plansync::v1::TEACHER, plansync::v1::PROVIDER,
          plansync::v1::CASE_MANAGER, plansync::v1::ADMIN}) {
      std::string cell = Cell(*type, role);
      if (type->options.server_written() && cell != "-") {
        cell += " (written by the server)";
      }
      std::printf(" %s |", cell.c_str());
    }
    std::printf("\n");
  }
  return 0;
}
