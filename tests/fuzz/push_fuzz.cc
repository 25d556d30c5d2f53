// A PushRequest, as bytes from the network, through the server's Push
// handler over a fresh in-memory store holding a student (fuzz_district.h). The
// caller is a teacher of that student (authorized, not unrestricted), so the
// merge, the checks and the authorization all run.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "plansync/v1/sync.pb.h"
#include "server/sync_handlers.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_district.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace plansync;
  v1::PushRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto district = fuzz::MakeDistrict();
  if (!district.ok()) std::abort();
  server::SyncHandlers handlers(district->store.get(), district->clock.get(),
                                server::ServerLimits{},
                                /*seed=*/11);
  server::AuthContext auth;
  auth.principal_id = district->teacher_id;
  fuzz::CheckRefusal(handlers.Push(auth, request).status(), "Push");
  return 0;
}
