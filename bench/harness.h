// A small harness for the benchmarks in bench/: a monotonic timer,
// percentiles, a scratch directory, the `--quick` flag, and the metric line
// that scripts/bench collects.
//
// Every benchmark binary prints human-readable lines and, for each figure it
// measures, one machine-readable line on stdout:
//
//   METRIC <name> <number>
//
// and accepts `--quick` (smaller sizes, for a smoke run) and `--only=PART`
// (one part of it, for a profiler). Header-only.
#ifndef PLANSYNC_BENCH_HARNESS_H_
#define PLANSYNC_BENCH_HARNESS_H_

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace plansync::bench {

// Wall time on the monotonic clock since construction or the last Restart().
class Timer {
 public:
  Timer() : start_(std::chrono::steady_clock::now()) {}
  void Restart() { start_ = std::chrono::steady_clock::now(); }
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  }
  double Millis() const { return Seconds() * 1e3; }

 private:
  std::chrono::steady_clock::time_point start_;
};

// The p-th percentile (0 < p <= 100) of `samples` by the nearest-rank method:
// the smallest sample with at least p% of the samples at or below it. 0 for
// no samples.
inline double Percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const double rank =
      std::ceil(p / 100.0 * static_cast<double>(samples.size()));
  const size_t index =
      rank < 1 ? 0
               : std::min(samples.size() - 1, static_cast<size_t>(rank) - 1);
  return samples[index];
}

inline double Mean(const std::vector<double>& samples) {
  if (samples.empty()) return 0;
  double sum = 0;
  for (double s : samples) sum += s;
  return sum / static_cast<double>(samples.size());
}

// Prints `name = value unit` for people and `METRIC name value` for
// scripts/bench, with `decimals` digits after the point. A value that is not
// finite is printed as 0 in the metric line (JSON has no NaN).
inline void PrintMetric(absl::string_view name, double value,
                        absl::string_view unit, int decimals) {
  const std::string label(name);
  const std::string units(unit);
  std::printf("  %-32s %14.*f %s\n", label.c_str(), decimals, value,
              units.c_str());
  std::printf("METRIC %s %.*f\n", label.c_str(), decimals,
              std::isfinite(value) ? value : 0.0);
  std::fflush(stdout);
}

// A fresh directory under the system's temporary directory ($TMPDIR or /tmp),
// removed with its contents on destruction.
class ScratchDir {
 public:
  static absl::StatusOr<ScratchDir> Make(absl::string_view prefix) {
    std::error_code error;
    std::filesystem::path base = std::filesystem::temp_directory_path(error);
    if (error) base = "/tmp";
    std::string pattern = (base / absl::StrCat(prefix, "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return absl::InternalError(
          absl::StrCat("cannot make a scratch directory ", pattern));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }
  // `name` inside the directory.
  std::string File(absl::string_view name) const {
    return absl::StrCat(path_, "/", name);
  }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The flags every benchmark accepts.
struct Flags {
  bool quick = false;  // --quick: smaller sizes, for a smoke run
  std::string only;    // --only=PART: run one part of the benchmark
};

// Parses argv; false (after printing usage) on an unknown argument.
inline bool ParseFlags(int argc, char** argv, Flags* flags) {
  constexpr absl::string_view kOnly = "--only=";
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--quick") {
      flags->quick = true;
    } else if (arg.substr(0, kOnly.size()) == kOnly) {
      flags->only = std::string(arg.substr(kOnly.size()));
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--only=PART]\n", argv[0]);
      return false;
    }
  }
  return true;
}

// The whole main() of a benchmark named `name`: parses the flags, runs
// `run`, and reports its error on stderr. Exit status 0, 1 (failed) or 2
// (bad flags).
inline int BenchMain(int argc, char** argv, const char* name,
                     absl::Status (*run)(const Flags&)) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) return 2;
  const absl::Status status = run(flags);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, status.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace plansync::bench

#endif  // PLANSYNC_BENCH_HARNESS_H_
