// A PullPage, as bytes from the network, applied by a device store (in
// memory, made once) inside a transaction that is rolled back, so every
// input meets the same store. ApplyRemote refuses bad changes one by one and
// fails as a whole only when the store itself fails: any error is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/clock.h"
#include "core/device_store.h"
#include "plansync/v1/sync.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace plansync;
  static FakeClock* clock = new FakeClock(1788868800000);
  static DeviceStore* store = [] {
    DeviceStoreOptions options;
    options.path = ":memory:";
    options.principal_id = "0190a000-0000-7000-8000-000000000001";
    options.clock = clock;
    options.seed = 3;
    auto opened = DeviceStore::Open(options);
    if (!opened.ok()) std::abort();
    return opened->release();
  }();
  v1::PullPage page;
  if (!page.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto txn = store->BeginWrite();
  if (!txn.ok()) std::abort();
  auto results = store->ApplyRemote(*txn, page.changes());
  if (!results.ok()) {
    std::fprintf(stderr, "ApplyRemote failed: %s\n",
                 results.status().ToString().c_str());
    std::abort();
  }
  return 0;  // the transaction rolls back
}
