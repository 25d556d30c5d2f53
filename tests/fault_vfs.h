// A SQLite VFS shim for storage-fault tests: it wraps the platform's default
// VFS, becomes the process's default VFS, and fails the k-th open, write or
// sync that SQLite asks of it, with an I/O error or "disk full". Every file
// SQLite opens (database, WAL, shared-memory index, temporary files) goes
// through it; :memory: databases do not touch it.
//
// Counting starts when a fault is armed. An I/O error fails one operation;
// a full disk fails the k-th write and every write and sync after it, until
// Clear(). Thread-safe.
#ifndef PLANSYNC_TESTS_FAULT_VFS_H_
#define PLANSYNC_TESTS_FAULT_VFS_H_

#include <cstdint>

namespace plansync::testing {

enum class FaultOp { kOpen, kWrite, kSync };
enum class FaultKind { kIoError, kDiskFull };

const char* FaultOpName(FaultOp op);
const char* FaultKindName(FaultKind kind);

class FaultVfs {
 public:
  // Registers the shim as the default VFS (once per process) and returns it,
  // as armed or cleared last.
  static FaultVfs& Install();

  // Fails the k-th (1-based) operation `op` from now on with `kind`.
  void Arm(FaultOp op, int64_t k, FaultKind kind);
  // Lets every operation through again, and starts a new count (a clean run
  // sizes a campaign this way).
  void Clear();

  // Operations of `op` since the last Arm or Clear.
  int64_t count(FaultOp op) const;
  // Whether the armed fault has failed an operation yet.
  bool fired() const;

 private:
  FaultVfs() = default;
};

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_FAULT_VFS_H_
