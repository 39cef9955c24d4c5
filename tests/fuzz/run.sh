#!/usr/bin/env bash
# Runs the decoder fuzzer for N seconds from the seed corpus; fails on any crash it finds.
#   tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build_dir=$1
seconds=${2:-60}
here=$(dirname "$(readlink -f "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp "$here"/corpus/* "$work/corpus/"
"$build_dir/tests/fuzz/fuzz_vrrp_decode" -max_total_time="$seconds" -max_len=512 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" 2>&1 | tail -n 12
if compgen -G "$work/artifacts/*" >/dev/null; then
  echo "fuzz: the fuzzer found inputs that crash the decoder:" >&2
  ls -l "$work/artifacts" >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds}s"
