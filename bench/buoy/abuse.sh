#!/usr/bin/env bash
# The buoy and the original's express 4 server under the same abuse, one after the other, in one
# run: ATTACK connections (default 2,000) from 127.0.0.1, while /health is asked from 127.0.0.2
# twice a second. Prints, per server and attack: how many /health answered, their median and
# max latency, and the server's RSS idle, during the attack and after it.
#
#   bench/buoy/abuse.sh [BUILD_DIR]     default build/release (must have ks_http_abuser built)
#   BENCH_ATTACKS="slowloris idle" BENCH_ATTACK_SECONDS=15 BENCH_ATTACK=2000 bench/buoy/abuse.sh
#
# Not a test: it prints figures. Everything stays on loopback.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(readlink -f "$here/../..")
build=${1:-$root/build/release}
attacks=${BENCH_ATTACKS:-slowloris idle slow-reader}
attack_seconds=${BENCH_ATTACK_SECONDS:-15}
attack_count=${BENCH_ATTACK:-2000}
buoy_port=${BENCH_BUOY_PORT:-39110}
express_port=${BENCH_EXPRESS_PORT:-39111}
abuser=$build/tests/ks_http_abuser

source "$here/lib.sh"
bench_require_tools curl node npm
for program in "$build/keepalived-swarm" "$abuser"; do
  [ -x "$program" ] || { echo "bench: $program is missing; build it with: cmake --build $build" >&2; exit 1; }
done
bench_install_express
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bench_init

# One attack on one server: prints "answered/asked median-ms max-ms rss-during rss-after".
attack() { # mode port pid
  local mode=$1 port=$2 pid=$3 attacker rss_during asked=0 answered=0 time
  : >"$tmp/latencies"
  "$abuser" "$mode" 127.0.0.1 "$port" "$attack_count" "$attack_seconds" >"$tmp/abuser.out" 2>&1 &
  attacker=$!
  sleep 2
  local deadline=$((SECONDS + attack_seconds - 4))
  while [ "$SECONDS" -lt "$deadline" ]; do
    asked=$((asked + 1))
    if time=$(curl -fsS -o /dev/null --interface 127.0.0.2 --max-time 5 -w '%{time_total}' \
      "http://127.0.0.1:$port/health" 2>/dev/null); then
      answered=$((answered + 1))
      echo "$time" >>"$tmp/latencies"
    fi
    sleep 0.5
  done
  rss_during=$(rss_mib "$pid")
  wait "$attacker"
  sleep 2
  sort -n "$tmp/latencies" | awk -v asked="$asked" -v answered="$answered" \
    -v during="$rss_during" -v after="$(rss_mib "$pid")" '
    {t[NR] = $1 * 1000}
    END {
      median = NR ? t[int((NR + 1) / 2)] : 0; max = NR ? t[NR] : 0
      printf "%d/%d %.1f %.1f %s %s\n", answered, asked, median, max, during, after
    }'
}

bench_start_servers "$build" "$buoy_port" "$express_port" error
curl -fsS -o /dev/null "http://127.0.0.1:$express_port/health"
curl -fsS -o /dev/null "http://127.0.0.1:$buoy_port/health"
echo "idle RSS: buoy $(rss_mib "$buoy_pid") MiB, express $(rss_mib "$express_pid") MiB"
echo
printf '%-12s %-8s | %9s %10s %10s | %12s %11s\n' attack server "/health" "median ms" "max ms" \
  "RSS during" "RSS after"
for mode in $attacks; do
  for server in buoy express; do
    if [ "$server" = buoy ]; then port=$buoy_port pid=$buoy_pid; else port=$express_port pid=$express_pid; fi
    read -r answered median max during after < <(attack "$mode" "$port" "$pid")
    printf '%-12s %-8s | %9s %10s %10s | %8s MiB %7s MiB\n' "$mode" "$server" "$answered" \
      "$median" "$max" "$during" "$after"
  done
done
echo
echo "$attack_count connections from 127.0.0.1 for ${attack_seconds}s per attack (closed ones re-opened each second);"
echo "/health from 127.0.0.2 every 0.5 s, 5 s timeout. buoy $("$build/keepalived-swarm" --version) with its defaults, node $(node --version), $(nproc) CPUs"
