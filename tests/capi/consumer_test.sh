#!/usr/bin/env bash
# The C API as an app developer gets it: installs the plansync build into a
# temporary prefix (cmake --install), then builds and runs consumer/main.c
# twice against the installed files only: with consumer/CMakeLists.txt
# (find_package(plansync CONFIG) and plansync::plansync), and with the C
# compiler and `pkg-config --cflags --libs plansync`; and consumer/main.cc, a
# C++ app with its own classes generated from the installed .proto files.
# Also checks that the library exports plansync_* and nothing else, and
# (PRIVATE_PROTOBUF=ON) that it needs no shared protobuf.
#
# usage: consumer_test.sh BUILD_DIR CMAKE C_COMPILER SANITIZE PRIVATE_PROTOBUF
#        (SANITIZE and PRIVATE_PROTOBUF: ON or OFF)
# Under SANITIZE=ON the library is built with ASan and UBSan, so the consumer
# is built with them too (an uninstrumented program cannot load it).
set -euo pipefail
build_dir="$1"
cmake="$2"
cc="$3"
sanitize="$4"
private_protobuf="$5"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

"$cmake" --install "$build_dir" --prefix "$prefix" >"$work/install.log"
pc_file="$(find "$prefix" -name plansync.pc)"
[ -n "$pc_file" ] || fail "plansync.pc not installed"
libdir="$(dirname "$(dirname "$pc_file")")"
for file in include/plansync/plansync.h include/plansync/plansync_codes.h; do
  [ -f "$prefix/$file" ] || fail "$file not installed"
done
[ -f "$libdir/cmake/plansync/plansyncConfig.cmake" ] ||
  fail "the CMake package is not installed"
[ -L "$libdir/libplansync.so" ] || fail "libplansync.so not installed"
for proto in records change errors options views sync; do
  [ -f "$prefix/share/plansync/proto/plansync/v1/$proto.proto" ] ||
    fail "$proto.proto not installed under share/plansync/proto"
done
echo "installed into $prefix:"
(cd "$prefix" && find . -type f -o -type l | sort)

# Exported symbols: the C API alone.
others="$(nm -D --defined-only "$libdir/libplansync.so" |
  awk '{print $NF}' | grep -v '^plansync_' || true)"
[ -z "$others" ] || fail "libplansync.so exports more than plansync_*: $others"
if [ "$private_protobuf" = "ON" ]; then
  shared_protobuf="$(objdump -p "$libdir/libplansync.so" |
    awk '/NEEDED/ {print $2}' | grep protobuf ||
    true)"
  [ -z "$shared_protobuf" ] ||
    fail "libplansync.so needs the shared protobuf: $shared_protobuf"
fi
soname="$(objdump -p "$libdir/libplansync.so" | awk '/SONAME/ {print $2}')"
echo "soname $soname"
[ -e "$libdir/$soname" ] || fail "no $soname installed"

flags=""
if [ "$sanitize" = "ON" ]; then
  flags="-fsanitize=address,undefined -fno-omit-frame-pointer"
fi

echo "--- find_package(plansync)"
"$cmake" -S "$here/consumer" -B "$work/cmake-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  >"$work/configure.log" || { cat "$work/configure.log"; fail "configure"; }
"$cmake" --build "$work/cmake-build" >"$work/build.log" ||
  { cat "$work/build.log"; fail "build"; }
"$work/cmake-build/app" "$work/cmake.db" | tee "$work/cmake.out"
grep -q "consumer ok" "$work/cmake.out" || fail "the CMake-built app"
# A C++ app with its own classes of the installed .proto files: were
# libplansync's protobuf the shared one, it would abort at load ("File
# already exists in database").
"$work/cmake-build/cpp_app" "$work/cpp.db" | tee "$work/cpp.out"
grep -q "cpp consumer ok" "$work/cpp.out" || fail "the C++ app"

echo "--- pkg-config"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
version="$(pkg-config --modversion plansync)"
grep -q "plansync $version" "$work/cmake.out" ||
  fail "pkg-config says version $version"
protodir="$(pkg-config --variable=protodir plansync)"
[ -f "$protodir/plansync/v1/records.proto" ] ||
  fail "pkg-config's protodir ($protodir) holds no plansync/v1/records.proto"
# shellcheck disable=SC2046,SC2086
"$cc" $flags -std=c99 -Wall -Wextra -Werror -Wpedantic "$here/consumer/main.c" \
  -o "$work/pc-app" $(pkg-config --cflags --libs plansync)
# No LD_LIBRARY_PATH: the run path from pkg-config finds the library.
"$work/pc-app" "$work/pc.db" | tee "$work/pc.out"
grep -q "consumer ok" "$work/pc.out" || fail "the pkg-config-built app"
echo "consumer test ok"
