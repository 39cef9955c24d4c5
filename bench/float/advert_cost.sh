#!/usr/bin/env bash
# What one VRRP advert costs a master (sending it) and a backup (receiving it), keepalived-swarm's
# float next to keepalived, same namespaces, same settings, same run. For each advert interval a
# master (node 1) and a backup (node 2) of one implementation run together; after they settle,
# their CPU time is read at the start and the end of a window: utime + stime of every process
# (keepalived runs a parent and a VRRP child), in clock ticks as `top` sees them, and the run time
# the scheduler counts in nanoseconds (/proc/PID/task/*/schedstat), which resolves the cost of one
# advert where a clock tick cannot. Adverts are counted as packets: what the master's eth0 sent
# and the backup's eth0 received in the window (nothing else talks on the lab's link).
#
#   bench/float/advert_cost.sh [SECONDS] [INTERVALS...]   (root; builds a static release binary
#                                                          first; defaults: 20, 0.01 0.1)
#   KS_BENCH_ROUNDS=3 bench/float/advert_cost.sh          each window that many times, the two
#                                                          implementations taking turns (a shared
#                                                          machine's load varies)
#   KS_BENCH_KEEPALIVED=sid bench/float/advert_cost.sh    the same against keepalived 2.3 of
#                                                          Debian sid's root file system
#   KS_BENCH_BASELINE=BINARY bench/float/advert_cost.sh   also another keepalived-swarm binary
#                                                          (an earlier build), in the same turns
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
source tests/lib/lab.sh
source bench/float/lib.sh
lab_require_root
lab_require_command keepalived
WINDOW=${1:-20}
shift || true
INTERVALS=("$@")
[ "${#INTERVALS[@]}" -gt 0 ] || INTERVALS=(0.01 0.1)

bench_build build/bench-advert
IMPLEMENTATIONS=(ours keepalived)
if [ -n "${KS_BENCH_BASELINE:-}" ]; then
  [ -x "$KS_BENCH_BASELINE" ] || lab_fail "KS_BENCH_BASELINE: no executable $KS_BENCH_BASELINE"
  IMPLEMENTATIONS=(baseline ours keepalived)
fi

lab_init
bench_keepalived
# Its own subnet: other benchmarks may run their labs at the same time.
VIP=10.96.0.100
VRID=96
for n in 1 2; do lab_add_node "$n" "10.96.0.$n/24"; done
HZ=$(getconf CLK_TCK)

start_router() { # impl name node interval priority
  local binary=$BIN
  [ "$1" = baseline ] && binary=$KS_BENCH_BASELINE
  LAB_FLOAT_BINARY=$binary bench_start_router "$1" "$2" "$3" "$VRID" 3 "$4" "$5"
}

stop_all() {
  local name
  for name in "${!LAB_PID[@]}"; do
    # shellcheck disable=SC2046
    kill -KILL $(bench_pids "$name") 2>/dev/null || true
    lab_reap "$name" 2>/dev/null
  done
  rm -f "$LAB_DIR"/*.pid
  for n in 1 2; do lab_exec "$n" ip addr del "$VIP/24" dev eth0 2>/dev/null || true; done
}

run_ns() { # pids... -> nanoseconds on a CPU of every thread of all
  local pid task total=0
  for pid in "$@"; do
    for task in /proc/"$pid"/task/*/schedstat; do
      total=$((total + $(awk '{ print $1 }' "$task")))
    done
  done
  echo "$total"
}

packets() { # node counter -> the counter of eth0 in the node (tx_packets, rx_packets)
  lab_exec "$1" cat "/sys/class/net/eth0/statistics/$2"
}

master_on_1() { lab_has_address 1 "$VIP" && lab_lacks_address 2 "$VIP"; }

# One window: master and backup of IMPL at INTERVAL; prints one line per role.
measure() { # impl interval
  local impl=$1 interval=$2 master_pids backup_pids
  start_router "$impl" master 1 "$interval" 150
  lab_wait_for 15 lab_has_address 1 "$VIP" || lab_fail "$impl: no master"
  start_router "$impl" backup 2 "$interval" 100
  sleep 2
  master_on_1 || lab_fail "$impl: the VIP moved"
  master_pids=$(bench_pids master)
  backup_pids=$(bench_pids backup)
  local m_t0 m_n0 b_t0 b_n0 sent0 received0
  # shellcheck disable=SC2086
  {
    sent0=$(packets 1 tx_packets)
    received0=$(packets 2 rx_packets)
    m_t0=$(bench_ticks $master_pids)
    m_n0=$(run_ns $master_pids)
    b_t0=$(bench_ticks $backup_pids)
    b_n0=$(run_ns $backup_pids)
  }
  sleep "$WINDOW"
  local m_t1 m_n1 b_t1 b_n1 sent1 received1
  # shellcheck disable=SC2086
  {
    m_t1=$(bench_ticks $master_pids)
    m_n1=$(run_ns $master_pids)
    b_t1=$(bench_ticks $backup_pids)
    b_n1=$(run_ns $backup_pids)
    sent1=$(packets 1 tx_packets)
    received1=$(packets 2 rx_packets)
  }
  master_on_1 || lab_fail "$impl: the VIP moved"
  stop_all
  local label=keepalived-swarm
  [ "$impl" = baseline ] && label="(baseline)"
  [ "$impl" = keepalived ] && label="keepalived $KA_VERSION"
  row "$label" master "$interval" $((m_t1 - m_t0)) $((m_n1 - m_n0)) $((sent1 - sent0))
  row "$label" backup "$interval" $((b_t1 - b_t0)) $((b_n1 - b_n0)) $((received1 - received0))
}

row() { # label role interval ticks nanoseconds adverts
  awk -v l="$1" -v r="$2" -v i="$3" -v t="$4" -v ns="$5" -v a="$6" -v hz="$HZ" -v w="$WINDOW" '
    BEGIN {
      printf "%-18s %-7s %6.0f ms %8.2f%% %9.3f%% %8d %9.1f %9.1f\n", l, r, i * 1000,
        100 * t / hz / w, 100 * ns / 1e9 / w, a, a ? t / hz * 1e6 / a : 0, a ? ns / 1e3 / a : 0
    }'
}

printf '\nCPU per VRRPv3 advert, master (priority 150) and backup (100) together, %s s windows\n' \
  "$WINDOW"
printf 'load before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %-7s %9s %9s %10s %8s %9s %9s\n' "" role interval "CPU(tick)" "CPU(sched)" adverts \
  "us/adv" "us/adv"
printf '%-18s %-7s %9s %9s %10s %8s %9s %9s\n' "" "" "" "" "" "" "(ticks)" "(sched)"
for interval in "${INTERVALS[@]}"; do
  for _ in $(seq 1 "${KS_BENCH_ROUNDS:-1}"); do
    for impl in "${IMPLEMENTATIONS[@]}"; do measure "$impl" "$interval"; done
  done
done
printf 'load after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'CPU(tick): utime + stime, one tick = %s%% of the window; CPU(sched): run time from\n' \
  "$(awk -v hz="$HZ" -v w="$WINDOW" 'BEGIN { print 100 / hz / w }')"
printf 'schedstat. adverts: packets the master sent / the backup received in the window.\n'
