#include "tests/fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace plansync::testing {
namespace {

// The armed fault and the operation counts. `target` 0 means disarmed.
struct FaultState {
  std::atomic<int> op{0};
  std::atomic<int> kind{0};
  std::atomic<int64_t> target{0};
  std::atomic<bool> fired{false};
  std::atomic<int64_t> counts[3] = {0, 0, 0};
};

FaultState& State() {
  static FaultState state;
  return state;
}

sqlite3_vfs* g_real = nullptr;  // the wrapped default VFS
sqlite3_vfs g_vfs;              // the shim
sqlite3_io_methods g_methods;   // the shim's file methods

// The code an operation `op` gets now, or SQLITE_OK to let it through.
int Check(FaultOp op) {
  FaultState& state = State();
  const int64_t n = ++state.counts[static_cast<int>(op)];
  if (state.target.load() == 0) return SQLITE_OK;
  const auto kind = static_cast<FaultKind>(state.kind.load());
  const bool sticky_full = kind == FaultKind::kDiskFull && state.fired.load() &&
                           op != FaultOp::kOpen;
  if (!sticky_full) {
    if (static_cast<int>(op) != state.op.load() || n != state.target.load()) {
      return SQLITE_OK;
    }
    state.fired.store(true);
  }
  if (kind == FaultKind::kDiskFull) return SQLITE_FULL;
  switch (op) {
    case FaultOp::kOpen:
      return SQLITE_CANTOPEN;
    case FaultOp::kWrite:
      return SQLITE_IOERR_WRITE;
    case FaultOp::kSync:
      return SQLITE_IOERR_FSYNC;
  }
  return SQLITE_IOERR;
}

// A file of the shim: the real file's handle follows it in the same block.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* file) {
  return reinterpret_cast<ShimFile*>(file)->real;
}

int ShimClose(sqlite3_file* file) {
  sqlite3_file* real = Real(file);
  const int rc = real->pMethods->xClose(real);
  file->pMethods = nullptr;
  return rc;
}
int ShimRead(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xRead(real, out, amount, offset);
}
int ShimWrite(sqlite3_file* file, const void* data, int amount,
              sqlite3_int64 offset) {
  if (const int rc = Check(FaultOp::kWrite); rc != SQLITE_OK) return rc;
  sqlite3_file* real = Real(file);
  return real->pMethods->xWrite(real, data, amount, offset);
}
int ShimTruncate(sqlite3_file* file, sqlite3_int64 size) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xTruncate(real, size);
}
int ShimSync(sqlite3_file* file, int flags) {
  if (const int rc = Check(FaultOp::kSync); rc != SQLITE_OK) return rc;
  sqlite3_file* real = Real(file);
  return real->pMethods->xSync(real, flags);
}
int ShimFileSize(sqlite3_file* file, sqlite3_int64* size) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xFileSize(real, size);
}
int ShimLock(sqlite3_file* file, int level) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xLock(real, level);
}
int ShimUnlock(sqlite3_file* file, int level) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xUnlock(real, level);
}
int ShimCheckReservedLock(sqlite3_file* file, int* out) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xCheckReservedLock(real, out);
}
int ShimFileControl(sqlite3_file* file, int op, void* arg) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xFileControl(real, op, arg);
}
int ShimSectorSize(sqlite3_file* file) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xSectorSize(real);
}
int ShimDeviceCharacteristics(sqlite3_file* file) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xDeviceCharacteristics(real);
}
int ShimShmMap(sqlite3_file* file, int page, int page_size, int extend,
               void volatile** out) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xShmMap(real, page, page_size, extend, out);
}
int ShimShmLock(sqlite3_file* file, int offset, int n, int flags) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xShmLock(real, offset, n, flags);
}
void ShimShmBarrier(sqlite3_file* file) {
  sqlite3_file* real = Real(file);
  real->pMethods->xShmBarrier(real);
}
int ShimShmUnmap(sqlite3_file* file, int delete_flag) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xShmUnmap(real, delete_flag);
}
int ShimFetch(sqlite3_file* file, sqlite3_int64 offset, int amount,
              void** out) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xFetch(real, offset, amount, out);
}
int ShimUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  sqlite3_file* real = Real(file);
  return real->pMethods->xUnfetch(real, offset, page);
}

int ShimOpen(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags,
             int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  shim->base.pMethods = nullptr;
  if (const int rc = Check(FaultOp::kOpen); rc != SQLITE_OK) return rc;
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  const int rc = g_real->xOpen(g_real, name, shim->real, flags, out_flags);
  if (rc == SQLITE_OK) shim->base.pMethods = &g_methods;
  return rc;
}

// The VFS-level calls other than xOpen go to the real VFS unchanged.
int ShimDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int ShimAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int ShimFullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return g_real->xFullPathname(g_real, name, size, out);
}
void* ShimDlOpen(sqlite3_vfs*, const char* name) {
  return g_real->xDlOpen(g_real, name);
}
void ShimDlError(sqlite3_vfs*, int size, char* out) {
  g_real->xDlError(g_real, size, out);
}
void (*ShimDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_real->xDlSym(g_real, handle, symbol);
}
void ShimDlClose(sqlite3_vfs*, void* handle) {
  g_real->xDlClose(g_real, handle);
}
int ShimRandomness(sqlite3_vfs*, int size, char* out) {
  return g_real->xRandomness(g_real, size, out);
}
int ShimSleep(sqlite3_vfs*, int micros) {
  return g_real->xSleep(g_real, micros);
}
int ShimCurrentTime(sqlite3_vfs*, double* out) {
  return g_real->xCurrentTime(g_real, out);
}
int ShimGetLastError(sqlite3_vfs*, int size, char* out) {
  return g_real->xGetLastError(g_real, size, out);
}
int ShimCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}

void Register() {
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr || g_real->iVersion < 2) std::abort();

  g_methods = sqlite3_io_methods{};
  g_methods.iVersion = 3;
  g_methods.xClose = ShimClose;
  g_methods.xRead = ShimRead;
  g_methods.xWrite = ShimWrite;
  g_methods.xTruncate = ShimTruncate;
  g_methods.xSync = ShimSync;
  g_methods.xFileSize = ShimFileSize;
  g_methods.xLock = ShimLock;
  g_methods.xUnlock = ShimUnlock;
  g_methods.xCheckReservedLock = ShimCheckReservedLock;
  g_methods.xFileControl = ShimFileControl;
  g_methods.xSectorSize = ShimSectorSize;
  g_methods.xDeviceCharacteristics = ShimDeviceCharacteristics;
  g_methods.xShmMap = ShimShmMap;
  g_methods.xShmLock = ShimShmLock;
  g_methods.xShmBarrier = ShimShmBarrier;
  g_methods.xShmUnmap = ShimShmUnmap;
  g_methods.xFetch = ShimFetch;
  g_methods.xUnfetch = ShimUnfetch;

  g_vfs = sqlite3_vfs{};
  g_vfs.iVersion = 2;
  g_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + g_real->szOsFile;
  g_vfs.mxPathname = g_real->mxPathname;
  g_vfs.zName = "plansync-fault";
  g_vfs.xOpen = ShimOpen;
  g_vfs.xDelete = ShimDelete;
  g_vfs.xAccess = ShimAccess;
  g_vfs.xFullPathname = ShimFullPathname;
  g_vfs.xDlOpen = ShimDlOpen;
  g_vfs.xDlError = ShimDlError;
  g_vfs.xDlSym = ShimDlSym;
  g_vfs.xDlClose = ShimDlClose;
  g_vfs.xRandomness = ShimRandomness;
  g_vfs.xSleep = ShimSleep;
  g_vfs.xCurrentTime = ShimCurrentTime;
  g_vfs.xGetLastError = ShimGetLastError;
  g_vfs.xCurrentTimeInt64 = ShimCurrentTimeInt64;
  if (sqlite3_vfs_register(&g_vfs, /*makeDflt=*/1) != SQLITE_OK) std::abort();
}

void ResetCounts() {
  for (auto& count : State().counts) count.store(0);
}

}  // namespace

const char* FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kOpen:
      return "open";
    case FaultOp::kWrite:
      return "write";
    case FaultOp::kSync:
      return "sync";
  }
  return "?";
}

const char* FaultKindName(FaultKind kind) {
  return kind == FaultKind::kDiskFull ? "disk full" : "I/O error";
}

FaultVfs& FaultVfs::Install() {
  static std::once_flag once;
  std::call_once(once, Register);
  static FaultVfs vfs;  // disarmed until armed
  return vfs;
}

void FaultVfs::Arm(FaultOp op, int64_t k, FaultKind kind) {
  FaultState& state = State();
  state.target.store(0);
  ResetCounts();
  state.fired.store(false);
  state.op.store(static_cast<int>(op));
  state.kind.store(static_cast<int>(kind));
  state.target.store(k);
}

void FaultVfs::Clear() {
  State().target.store(0);
  State().fired.store(false);
  ResetCounts();
}

int64_t FaultVfs::count(FaultOp op) const {
  return State().counts[static_cast<int>(op)].load();
}

bool FaultVfs::fired() const { return State().fired.load(); }

}  // namespace plansync::testing
