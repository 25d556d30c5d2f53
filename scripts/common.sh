# Shared by scripts/test, scripts/demo and scripts/bench: install what is
# missing, configure and build. Source it; do not run it.

PLANSYNC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the build, the tests and the benchmarks need.
PLANSYNC_PACKAGES=(
  cmake g++ make pkg-config
  libsqlite3-dev
  libpq-dev
  libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc
  libabsl-dev
  libgtest-dev libgmock-dev
  libbenchmark-dev
  openssl
  tzdata
  dpkg-dev
)

# What only the tests need: the HTML report is checked in headless Chromium;
# the Java binding is built and tested with the JDK, protobuf-java and JUnit;
# the PostgreSQL server store is tested against a real PostgreSQL.
PLANSYNC_TEST_PACKAGES=(chromium openjdk-17-jdk-headless libprotobuf-java junit4
  postgresql postgresql-common)

# Installs the packages above (and any named as arguments) that are missing
# (apt-get; sudo when not root).
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "${PLANSYNC_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "plansync: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# configure_and_build BUILD_DIR [extra cmake args...]: configures BUILD_DIR
# (relative to the repository root) and builds every target.
configure_and_build() {
  local dir="$1"
  shift
  cmake -S "$PLANSYNC_ROOT" -B "$PLANSYNC_ROOT/$dir" "$@" >/dev/null
  cmake --build "$PLANSYNC_ROOT/$dir" --parallel "$(nproc)"
}
