#!/usr/bin/env bash
# The test command (README, CI): installs what is missing, builds with warnings as errors, runs the
# unit and integration tests, then the unit tests again under ASan+UBSan, then the static arm64
# binary and its unit tests under qemu, then a short fuzz run.
# Integration tests need root (namespaces, dockerd, keepalived) and report "skipped" without it.
#
#   tests/run.sh                 everything
#   KS_STAGES="build unit" tests/run.sh   only some stages: deps build unit integration
#                                         sanitize arm64 fuzz
#   KS_FUZZ_SECONDS=30           length of the fuzz run, for each fuzz target
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

stages=${KS_STAGES:-"deps build unit integration sanitize arm64 fuzz"}
jobs=${KS_JOBS:-$(nproc)}
has_stage() { [[ " $stages " == *" $1 "* ]]; }
step() { printf '\n=== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

if has_stage deps; then
  step "dependencies"
  bash tests/lib/install-deps.sh
fi

if has_stage build || has_stage unit || has_stage integration; then
  step "build (release, -Werror)"
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_WERROR=ON >/dev/null
  cmake --build build/release -j "$jobs"
fi

if has_stage unit; then
  step "unit tests"
  ctest --test-dir build/release -L unit --output-on-failure -j "$jobs"
fi

if has_stage integration; then
  step "integration tests"
  ctest --test-dir build/release -L 'integration|robustness' --output-on-failure
fi

if has_stage sanitize; then
  step "ASan+UBSan build and unit tests"
  cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKS_WERROR=ON \
    -DKS_SANITIZE=ON >/dev/null
  cmake --build build/sanitize -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/sanitize -L 'unit|sanitize' --output-on-failure -j "$jobs"
fi

if has_stage arm64; then
  step "arm64: static cross build, unit tests under qemu"
  # -O2, without debug information (half the cross build's time). Not -O3: GCC 12 then warns
  # falsely (-Wrestrict) inside std::string; not -Os, as the image is built (without -Werror):
  # the aarch64 GCC 12 then warns falsely (-Wmaybe-uninitialized) about a std::optional.
  cmake -S . -B build/arm64 -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DKS_WERROR=ON -DKS_STATIC=ON -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake >/dev/null
  cmake --build build/arm64 -j "$jobs" --target keepalived-swarm ks_unit_tests
  # What a Raspberry Pi would run: the binary itself, static, answering under the emulator.
  kind=$(file build/arm64/keepalived-swarm)
  [[ $kind == *"ARM aarch64"*"statically linked"* ]] ||
    { echo "the arm64 binary is not a static aarch64 executable: $kind" >&2; exit 1; }
  qemu-aarch64-static build/arm64/keepalived-swarm --version
  ctest --test-dir build/arm64 -L unit --output-on-failure -j "$jobs" --timeout 300
fi

if has_stage fuzz; then
  step "fuzzing every parser of outside bytes, ${KS_FUZZ_SECONDS:-30}s each"
  CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKS_FUZZ=ON \
    >/dev/null
  cmake --build build/fuzz -j "$jobs"
  bash tests/fuzz/run.sh build/fuzz "${KS_FUZZ_SECONDS:-30}"
fi

step "all stages passed: $stages"
