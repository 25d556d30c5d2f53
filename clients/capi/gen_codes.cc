// Writes plansync_codes.h, the C API's status codes and refusal reasons, from
// their one source each: absl::StatusCode (the canonical gRPC codes) and the
// plansync.v1.Reason enum of proto/plansync/v1/errors.proto, read through its
// descriptor. Run by the build; the header is never edited by hand.
//
// usage: plansync_gen_codes OUTPUT_FILE
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "plansync/v1/errors.pb.h"

namespace {

// The highest code absl::StatusCode may grow to; unnamed numbers are skipped.
constexpr int kMaxStatusCode = 63;

std::string Header() {
  std::string out =
      "/* plansync_codes.h: status codes and refusal reasons of the plansync C "
      "API.\n"
      " *\n"
      " * Generated at build time by clients/capi/gen_codes.cc from "
      "absl::StatusCode\n"
      " * (the canonical gRPC status codes) and from the enum "
      "plansync.v1.Reason of\n"
      " * proto/plansync/v1/errors.proto, which says what each reason means. "
      "Do not\n"
      " * edit. Include plansync/plansync.h rather than this file. */\n"
      "#ifndef PLANSYNC_PLANSYNC_CODES_H_\n"
      "#define PLANSYNC_PLANSYNC_CODES_H_\n\n"
      "/* plansync_error.code: the canonical status code of an error "
      "(PLANSYNC_CODE_OK,\n"
      " * 0, on success). */\n"
      "typedef enum plansync_code {\n";
  for (int code = 0; code <= kMaxStatusCode; ++code) {
    const std::string name =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    if (name.empty()) continue;
    absl::StrAppend(&out, "  PLANSYNC_CODE_", name, " = ", code, ",\n");
  }
  absl::StrAppend(
      &out,
      "} plansync_code;\n\n"
      "/* plansync_error.reason and plansync_rejected_change.reason: why "
      "plansync\n"
      " * refused a write or a change (plansync.v1.Reason), "
      "PLANSYNC_REASON_UNSPECIFIED\n"
      " * (0) when the error is not such a refusal. */\n"
      "typedef enum plansync_reason {\n");
  const google::protobuf::EnumDescriptor* reasons =
      plansync::v1::Reason_descriptor();
  for (int i = 0; i < reasons->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = reasons->value(i);
    std::string name = value->name();
    // REASON_UNSPECIFIED -> PLANSYNC_REASON_UNSPECIFIED, ROLE_NOT_PERMITTED
    // -> PLANSYNC_REASON_ROLE_NOT_PERMITTED.
    name = std::string(absl::StripPrefix(name, "REASON_"));
    absl::StrAppend(&out, "  PLANSYNC_REASON_", name, " = ", value->number(),
                    ",\n");
  }
  absl::StrAppend(&out,
                  "} plansync_reason;\n\n"
                  "#endif /* PLANSYNC_PLANSYNC_CODES_H_ */\n");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_FILE\n", argv[0]);
    return 2;
  }
  const std::string text = Header();
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[1]);
    return 1;
  }
  return 0;
}
