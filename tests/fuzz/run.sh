#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR for SECONDS each, from its seed corpus; fails when any
# of them finds an input that crashes, hangs or trips a sanitizer (those inputs are kept in
# BUILD_DIR/fuzz-artifacts/<name>/).
#   tests/fuzz/run.sh BUILD_DIR SECONDS
# fuzz_<name> starts from a copy of tests/fuzz/corpus/<name>/ (the seeds stay as committed) and
# takes extra libFuzzer flags, if any, from tests/fuzz/fuzz_<name>.flags.
set -euo pipefail
build_dir=$1
seconds=${2:-30}
here=$(dirname "$(readlink -f "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shopt -s nullglob

targets=()
for candidate in "$build_dir"/tests/fuzz/fuzz_*; do
  [[ -f $candidate && -x $candidate ]] && targets+=("$candidate")
done
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz_* target in $build_dir/tests/fuzz (configure with -DKS_FUZZ=ON)" >&2
  exit 1
fi

stat_of() {  # stat_of LOG NAME: the value libFuzzer's -print_final_stats gives for stat::NAME
  sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

summary=()
failed=0
for target in "${targets[@]}"; do
  name=${target##*/fuzz_}
  corpus=$work/$name/corpus
  artifacts=$work/$name/artifacts
  log=$work/$name/log
  mkdir -p "$corpus" "$artifacts"
  seeds=("$here/corpus/$name"/*)
  if ((${#seeds[@]} > 0)); then
    cp "${seeds[@]}" "$corpus/"
  else
    echo "fuzz: fuzz_$name has no seeds in tests/fuzz/corpus/$name/, it starts from nothing" >&2
  fi
  flags=()
  if [[ -f $here/fuzz_$name.flags ]]; then
    read -r -a flags <<<"$(grep -v '^#' "$here/fuzz_$name.flags" | tr '\n' ' ')"
  fi

  echo "fuzz: fuzz_$name for ${seconds}s from ${#seeds[@]} seeds ${flags[*]}"
  status=0
  "$target" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "${flags[@]}" "$corpus" >"$log" 2>&1 || status=$?

  executions=$(stat_of "$log" number_of_executed_units)
  per_second=$(stat_of "$log" average_exec_per_sec)
  new_units=$(stat_of "$log" new_units_added)
  line="fuzz_$name: ${executions:-?} executions, ${per_second:-?} exec/s, ${new_units:-?} new inputs"
  echo "  $line"

  found=("$artifacts"/*)
  if ((${#found[@]} > 0 || status != 0)); then
    failed=1
    tail -n 40 "$log" >&2
    if ((${#found[@]} > 0)); then
      mkdir -p "$build_dir/fuzz-artifacts/$name"
      cp "${found[@]}" "$build_dir/fuzz-artifacts/$name/"
      echo "fuzz: fuzz_$name found ${#found[@]} failing inputs, kept in $build_dir/fuzz-artifacts/$name/" >&2
    fi
    summary+=("FAIL $line (exit status $status)")
  else
    summary+=("ok   $line")
  fi
done

echo "fuzz: ${#targets[@]} targets, ${seconds}s each"
printf '  %s\n' "${summary[@]}"
exit "$failed"
