#!/usr/bin/env bash
# The buoy against an express 4 server with the original buoy's routes, on this machine, in one
# run: wrk on / and /health (requests/s, p99 latency), and the resident memory of both.
#
#   bench/buoy/run.sh [BUILD_DIR]      default build/release (built when missing)
#   BENCH_DURATION=10s BENCH_CONNECTIONS="32 256" bench/buoy/run.sh
#
# Not a test: it prints figures. Both servers listen on 127.0.0.1 only; the load generator and
# the server share the machine, so run it on an otherwise quiet machine.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(readlink -f "$here/../..")
build=${1:-$root/build/release}
duration=${BENCH_DURATION:-10s}
connection_counts=${BENCH_CONNECTIONS:-32 256}
buoy_port=${BENCH_BUOY_PORT:-39100}
express_port=${BENCH_EXPRESS_PORT:-39101}

source "$here/lib.sh"
bench_require_tools wrk node npm cmake
if [ ! -x "$build/keepalived-swarm" ]; then
  echo "bench: building the release binary in $build" >&2
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --target keepalived-swarm
fi
bench_install_express
bench_init

# CPU time the process used so far, in clock ticks (user + system).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Prints "requests/s p99 cpu-us-per-request" of one wrk run against server process $3. The CPU
# time per request does not depend on what else the machine runs, unlike requests/s.
measure() {
  local before after
  before=$(cpu_ticks "$3")
  wrk -t1 -c"$2" -d"$duration" --latency "$1" >"$tmp/wrk.txt"
  after=$(cpu_ticks "$3")
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /^Requests\/sec:/ {rps = $2}
    $1 == "99%" {p99 = $2}
    / requests in / {requests = $1}
    END {printf "%.0f %s %.1f\n", rps, p99, (requests > 0 ? ticks / hz * 1e6 / requests : 0)}' \
    "$tmp/wrk.txt"
}

bench_start_servers "$build" "$buoy_port" "$express_port" warn
echo "idle RSS: buoy $(rss_mib "$buoy_pid") MiB, express $(rss_mib "$express_pid") MiB"

# Warm up both (JIT, caches), then measure one after the other so they never share the CPU.
wrk -t1 -c32 -d2s "http://127.0.0.1:$express_port/health" >/dev/null
wrk -t1 -c32 -d2s "http://127.0.0.1:$buoy_port/health" >/dev/null

printf '\n%-8s %-6s | %10s %9s %9s | %10s %9s %9s | %6s %6s\n' route conns "buoy req/s" \
  "p99" "CPU/req" "expr req/s" "p99" "CPU/req" "req/s" "CPU"
printf '%-8s %-6s | %30s | %30s | %13s\n' "" "" "" "" "buoy vs express"
for connections in $connection_counts; do
  for route in /health /; do
    read -r buoy_rps buoy_p99 buoy_cpu < <(measure "http://127.0.0.1:$buoy_port$route" \
      "$connections" "$buoy_pid")
    read -r express_rps express_p99 express_cpu < <(measure \
      "http://127.0.0.1:$express_port$route" "$connections" "$express_pid")
    rps_ratio=$(awk -v a="$buoy_rps" -v b="$express_rps" 'BEGIN {printf "%.1fx", (b > 0 ? a / b : 0)}')
    cpu_ratio=$(awk -v a="$buoy_cpu" -v b="$express_cpu" 'BEGIN {printf "%.1fx", (a > 0 ? b / a : 0)}')
    printf '%-8s %-6s | %10s %9s %7sus | %10s %9s %7sus | %6s %6s\n' "$route" "$connections" \
      "$buoy_rps" "$buoy_p99" "$buoy_cpu" "$express_rps" "$express_p99" "$express_cpu" \
      "$rps_ratio" "$cpu_ratio"
  done
done
echo
echo "RSS after load: buoy $(rss_mib "$buoy_pid") MiB (peak $(peak_mib "$buoy_pid")), express $(rss_mib "$express_pid") MiB (peak $(peak_mib "$express_pid"))"
echo "CPU/req: server CPU time (user+system) per request; the CPU ratio is express's over the buoy's."
echo "wrk -t1, $duration per run; buoy $("$build/keepalived-swarm" --version), node $(node --version), $(nproc) CPUs"
