#!/usr/bin/env bash
# Failover time and idle footprint of keepalived-swarm's float next to keepalived, same namespaces,
# same settings, same run. For each setting and each way the master dies (SIGKILL: a crash;
# SIGTERM: a graceful stop that sends priority 0; and, for keepalived-swarm alone, the death of the
# anchor at the other end of the master's tether) it measures, over several repetitions, the time
# from the signal to the VIP appearing on the backup (kernel timestamps from `ip -ts monitor`),
# then the idle RSS and CPU of a master of each.
#
#   bench/float/failover.sh [REPETITIONS]      (root; builds a static release binary first)
#   KS_BENCH_KEEPALIVED=sid bench/float/failover.sh   the same against keepalived 2.3 of Debian
#                                                 sid's root file system (deploy/lab/lib/engine.sh)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
source tests/lib/lab.sh
source bench/float/lib.sh
lab_require_root
lab_require_command keepalived
REPS=${1:-5}

bench_build build/bench

lab_init
bench_keepalived
VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done

TETHER_PEER=$PWD/tests/lib/tether_peer.py

stop_all() {
  local name
  for name in "${!LAB_PID[@]}"; do
    # shellcheck disable=SC2046
    kill -KILL $(bench_pids "$name") 2>/dev/null || true
    lab_reap "$name"
  done
  rm -f "$LAB_DIR"/*.pid "$LAB_DIR"/tether.*
  for n in 1 2; do lab_exec "$n" ip addr del "$VIP/24" dev eth0 2>/dev/null || true; done
}

# A failure inside measure_once or idle, which run in command substitutions: that subshell's
# spawns are unknown to the lab's own clean-up, so they are stopped here first.
measure_fail() {
  stop_all
  lab_fail "$@"
}

# One failover: master on node 1, backup on node 2, kill the master (or, for TETHER, the anchor's
# end of the master's tether), time until node 2 has the VIP.
measure_once() { # impl version interval signal
  local impl=$1 version=$2 interval=$3 signal=$4 tether=()
  if [ "$signal" = TETHER ]; then
    mkfifo "$LAB_DIR/tether.control"
    lab_spawn anchor 1 python3 "$TETHER_PEER" "$LAB_DIR/tether.sock" "$LAB_DIR/tether.control"
    lab_wait_for 5 test -S "$LAB_DIR/tether.sock" || measure_fail "the tether peer did not start"
    tether=(--tether "$LAB_DIR/tether.sock")
  fi
  bench_start_router "$impl" master 1 70 "$version" "$interval" 150 "${tether[@]}"
  # A tethered float competes once its anchor has named the peers, as in the stack (sent once
  # it is connected: the peer sends each line only to the floats connected then).
  if [ "$signal" = TETHER ]; then
    lab_wait_for 10 grep -q "float connected" "$LAB_DIR/anchor.log" ||
      measure_fail "the float did not connect to the tether"
    echo '{"type":"peers","peers":["10.99.0.2"]}' >"$LAB_DIR/tether.control"
  fi
  lab_wait_for 15 lab_has_address 1 "$VIP" || measure_fail "$impl: no master"
  bench_start_router "$impl" backup 2 70 "$version" "$interval" 100
  sleep "$(awk -v i="$interval" 'BEGIN { print 4 * i + 0.3 }')"
  # Spawned (not `lab_exec ... &`, whose pid is a subshell's: killing it left the monitor running
  # and writing into the next repetition's file).
  lab_spawn monitor 2 ip -ts monitor address dev eth0
  sleep 0.2
  local t0 victims
  victims=$(bench_pids master)
  [ "$signal" = TETHER ] && victims=${LAB_PID[anchor]}
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  kill "-${signal/TETHER/KILL}" $victims
  lab_wait_for 15 lab_has_address 2 "$VIP" || measure_fail "$impl: no failover"
  sleep 0.05
  lab_signal monitor TERM
  lab_reap monitor
  local added
  added=$(lab_monitor_times "inet $VIP/" "$LAB_DIR/monitor.log" | awk 'NR == 1')
  stop_all
  awk -v t0="$t0" -v t1="$added" 'BEGIN { printf "%.4f\n", t1 - t0 }'
}

bound() { # version interval priority signal -> seconds the RFC allows
  awk -v v="$1" -v i="$2" -v p="$3" -v s="$4" 'BEGIN {
    skew = (v == 2) ? (256 - p) / 256 : (256 - p) * i / 256
    printf "%.3f", (s == "KILL") ? 3 * i + skew : skew }'
}

printf '\nFailover to the backup (priority 100), %d repetitions, seconds (median / max)\n' "$REPS"
printf '%-22s %-15s %-8s %-17s %-17s\n' setting event "RFC" "keepalived-swarm" "keepalived $KA_VERSION"
for setting in "3 0.1" "3 1" "2 1"; do
  read -r version interval <<<"$setting"
  for signal in KILL TERM TETHER; do
    row=()
    for impl in ours keepalived; do
      if [ "$signal" = TETHER ] && [ "$impl" = keepalived ]; then
        row+=("(no tether)")
        continue
      fi
      values=()
      for _ in $(seq 1 "$REPS"); do values+=("$(measure_once "$impl" "$version" "$interval" "$signal")"); done
      read -r median max <<<"$(bench_summary "${values[@]}")"
      row+=("$median / $max")
    done
    label=SIG$signal
    [ "$signal" = TETHER ] && label="anchor SIGKILL"
    printf '%-22s %-15s %-8s %-17s %-17s\n' "VRRPv$version ${interval}s" "$label" \
      "$(bound "$version" "$interval" 100 "$signal")" "${row[0]}" "${row[1]}"
  done
done

idle() { # impl -> RSS, private (anonymous) RSS and CPU of an idle master over 10 s
  local impl=$1 pids rss anon ticks0 ticks1
  bench_start_router "$impl" master 1 70 3 0.1 150
  lab_wait_for 15 lab_has_address 1 "$VIP" || measure_fail "$impl: no master"
  sleep 1
  pids=$(bench_pids master)
  # shellcheck disable=SC2086
  ticks0=$(bench_ticks $pids)
  sleep 10
  # shellcheck disable=SC2086
  ticks1=$(bench_ticks $pids)
  # shellcheck disable=SC2086
  read -r rss anon <<<"$(bench_memory $pids)"
  stop_all
  awk -v r="$rss" -v a="$anon" -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%8.1f MiB %8.1f MiB %6.2f%%", r / 1024, a / 1024, 100 * t / hz / 10 }'
}
# RSS and private: see bench_memory.
printf '\nIdle master, VRRPv3 100 ms adverts, all processes, over 10 s (CPU in steps of one clock tick, %s%%)\n' "$(awk -v hz="$(getconf CLK_TCK)" 'BEGIN { print 100 / hz / 10 }')"
printf '%-18s %12s %12s %7s\n' "" RSS private CPU
printf '%-18s %s\n' keepalived-swarm "$(idle ours)" "keepalived $KA_VERSION" "$(idle keepalived)"
