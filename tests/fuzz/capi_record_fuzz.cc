// Record bytes handed to the C API, as an app would pass them: the first
// byte picks a record type and whether to create, append or update; the rest
// is the serialized message. The store (in memory) is made once; it grows as
// inputs are accepted. No input may get INTERNAL or an empty message.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "plansync/plansync.h"

namespace {

constexpr const char* kTypes[] = {"Student",
                                  "Plan",
                                  "Accommodation",
                                  "Service",
                                  "ImplementationConfirmation",
                                  "LapseReport",
                                  "Comment",
                                  "Correction",
                                  "ServiceSession",
                                  "Meeting",
                                  "plansync.v1.Plan",
                                  "Unknown"};
constexpr const char* kFields[] = {"status", "title", "end_date", "id"};

void Check(int code, const plansync_error& error, const char* what) {
  if (code == PLANSYNC_CODE_OK) return;
  if (code == PLANSYNC_CODE_INTERNAL || error.message[0] == '\0') {
    std::fprintf(stderr, "%s: %s %s\n", what, plansync_code_name(code),
                 error.message);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static plansync_store* store = [] {
    plansync_store* opened = nullptr;
    plansync_error error;
    if (plansync_store_open(":memory:", "0190a000-0000-7000-8000-000000000001",
                            &opened, &error) != PLANSYNC_CODE_OK) {
      std::abort();
    }
    return opened;
  }();
  if (size == 0) return 0;
  const char* type = kTypes[data[0] % (sizeof(kTypes) / sizeof(kTypes[0]))];
  const int op = (data[0] / 16) % 3;
  plansync_error error;
  char* id = nullptr;
  int code = PLANSYNC_CODE_OK;
  switch (op) {
    case 0:
      code = plansync_create(store, type, data + 1, size - 1, &id, &error);
      break;
    case 1:
      code = plansync_append(store, type, data + 1, size - 1, &id, &error);
      break;
    default:
      code = plansync_update(store, type, data + 1, size - 1, kFields,
                             1 + data[0] % 4, &error);
      break;
  }
  Check(code, error, type);
  plansync_free(id);
  return 0;
}
