#!/usr/bin/env bash
# Many VRRP instances: keepalived-swarm's float with --spread (each VIP its own instance, homed
# round-robin over the nodes) next to keepalived with one vrrp_instance block per VIP, same
# namespaces, same peers, same run. Two nodes (10.97.0.1 and .2), unicast, VRRPv3, 100 ms
# adverts; instance i (from 0) has VRID 1 + i, VIP 10.97.{1,2}.x/16 and its home on node
# 1 + i mod 2. Ours derives the priorities from its --priority 101 and its rank among the sorted
# node addresses: 101 at home, 91 elsewhere; keepalived is given the same, so the backups' skew
# times (and Master_Down_Interval) are the same too.
#
#  1. The cost of the instances: for each count, both nodes started and settled (every VIP on
#     its home), then the CPU of each node's processes over 20 s (user + system ticks of
#     /proc/PID/stat, keepalived's parent and VRRP child together) and their RSS and private
#     (anonymous) RSS at the end, per node and both nodes together.
#  2. Failover of a node's VIPs with 64 instances: node 1 (home of 32) SIGKILLed, then the time
#     until all 32 VIPs are on node 2 (`ip -ts monitor address` in node 2, which stamps the
#     kernel's notices as it reads them) and until all 32 answer a client (10.97.0.250, a
#     namespace of its own that pings each VIP every 20 ms, so up to 20 ms late) from node 2's
#     MAC address, i.e. once node 2's gratuitous ARP has moved the client's ARP entry. The
#     killed process leaves its addresses behind, as a crash does, so node 1's kernel answers
#     until then.
#
#   bench/float/instances.sh [REPETITIONS]     (root; builds a static release binary first;
#                                               REPETITIONS of the failover, default 3)
#   KS_BENCH_INSTANCES="1 8 64 255"            the instance counts of part 1
#   KS_BENCH_KEEPALIVED=sid                    keepalived 2.3 of Debian sid's root file system
#                                              (deploy/lab/lib/engine.sh) instead of the host's
#
# The subnet 10.97.0.0/16 is this benchmark's alone, so it can run beside the others.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
source tests/lib/lab.sh
source bench/float/lib.sh
lab_require_root
lab_require_command keepalived
REPS=${1:-3}
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || lab_fail "REPETITIONS must be a positive whole number"
read -r -a COUNTS <<<"${KS_BENCH_INSTANCES:-1 8 64 255}"
for count in "${COUNTS[@]}"; do
  if ! [[ "$count" =~ ^[1-9][0-9]*$ ]] || [ "$count" -gt 255 ]; then
    lab_fail "KS_BENCH_INSTANCES: $count is not an instance count of 1-255 (one VRID each)"
  fi
done
FAILOVER_COUNT=64
WINDOW=20

bench_build build/bench-instances
# Without --spread (an older binary) ours runs one instance only, and the other points say so.
SPREAD=false
help=$("$BIN" float --help 2>&1 || true)
grep -q -- --spread <<<"$help" && SPREAD=true

lab_init
bench_keepalived
for n in 1 2; do lab_add_node "$n" "10.97.0.$n/16"; done
lab_add_node c 10.97.0.250/16
NODE2_MAC=$(lab_exec 2 cat /sys/class/net/eth0/address)

vip_of() { echo "10.97.$((1 + $1 / 128)).$((1 + $1 % 128))"; }
home_of() { echo $((1 + $1 % 2)); }
other_of() { echo $((3 - $1)); }

# The VIPs of COUNT instances whose home is NODE, sorted, one a line.
homed_vips() { # node count
  local i
  for ((i = 0; i < $2; i++)); do [ "$(home_of "$i")" = "$1" ] && vip_of "$i"; done | sort
  return 0
}

# The VIPs NODE holds now, sorted, one a line.
held_vips() {
  ip -n "$(lab_ns "$1")" -o -4 addr show dev eth0 |
    awk '{ split($4, a, "/") } a[1] ~ /^10\.97\.[12]\./ { print a[1] }' | sort
}

settled() { # count: every VIP on its home, and only there
  [ "$(held_vips 1)" = "$(homed_vips 1 "$1")" ] && [ "$(held_vips 2)" = "$(homed_vips 2 "$1")" ]
}

start_impl() { # impl node count
  local impl=$1 node=$2 count=$3 other i vips=()
  other=$(other_of "$node")
  for ((i = 0; i < count; i++)); do vips+=("$(vip_of "$i")/16"); done
  if [ "$impl" = ours ]; then
    local placement=()
    if [ "$SPREAD" = true ]; then
      placement=(--spread --priority 101)
    else
      [ "$count" = 1 ] || lab_fail "this float has no --spread: one instance only"
      placement=(--priority "$([ "$node" = 1 ] && echo 101 || echo 91)")
    fi
    # --preempt-delay 0s: keepalived preempts at once (the float's --spread waits 30 s by
    # default); --garp-refresh-delay 0: keepalived's vrrp_garp_master_delay 0 below.
    lab_start_float "ours$node" "$node" --interface eth0 --node-address "10.97.0.$node" \
      --unicast-peer "10.97.0.$other" --vip "$(IFS=,; echo "${vips[*]}")" --vrid 1 \
      "${placement[@]}" --preempt --preempt-delay 0s --vrrp-version 3 --advert-interval 100ms \
      --garp-refresh-delay 0 --status-socket none --log-level warn
  else
    local conf="$LAB_DIR/keepalived$node.conf"
    # vrrp_garp_master_delay 0: no second burst of gratuitous ARPs 5 s after becoming master
    # (255 instances' bursts otherwise land in the measuring window); the float gets
    # --garp-refresh-delay 0 to match.
    cat >"$conf" <<CONF
global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 0
}
CONF
    for ((i = 0; i < count; i++)); do
      cat >>"$conf" <<CONF
vrrp_instance VI_$((i + 1)) {
  state BACKUP
  interface eth0
  virtual_router_id $((i + 1))
  priority $([ "$(home_of "$i")" = "$node" ] && echo 101 || echo 91)
  advert_int 0.1
  unicast_src_ip 10.97.0.$node
  unicast_peer {
    10.97.0.$other
  }
  virtual_ipaddress {
    ${vips[$i]}
  }
}
CONF
    done
    # -l -G: its log in the lab's log file and not through syslog(3), which with no syslog
    # daemon listening falls back to writing /dev/console: on a serial console that took
    # keepalived about 100 ms per instance becoming master (a log line or three each, at 9600
    # baud), 3 s for 32. Without -D, as the float runs with --log-level warn.
    lab_spawn "keepalived$node" "$node" "${KEEPALIVED[@]}" -n -l -G --vrrp -f "$conf" \
      -p "$LAB_DIR/keepalived$node.pid" -r "$LAB_DIR/keepalived$node.vrrp.pid" \
      -c "$LAB_DIR/keepalived$node.chk.pid"
  fi
}

# Every pid of an implementation's process tree on a node (keepalived: a parent and a VRRP child).
pids_of() { # impl node
  echo "${LAB_PID[$1$2]}"
  [ "$1" = keepalived ] && cat "$LAB_DIR/keepalived$2.vrrp.pid" 2>/dev/null
  return 0
}

start_both() { # impl count
  local node
  for node in 1 2; do start_impl "$1" "$node" "$2"; done
  if [ "$1" = keepalived ]; then
    for node in 1 2; do
      lab_wait_for 10 test -s "$LAB_DIR/keepalived$node.vrrp.pid" || lab_fail "keepalived: no VRRP process"
    done
  fi
  lab_wait_for 30 settled "$2" || lab_fail "$1, $2 instances: the VIPs did not settle on their homes"
}

stop_all() {
  local name node
  for name in "${!LAB_PID[@]}"; do
    # shellcheck disable=SC2046
    case $name in
      keepalived?) kill -KILL $(pids_of keepalived "${name#keepalived}") 2>/dev/null || true ;;
      *) kill -KILL "${LAB_PID[$name]}" 2>/dev/null || true ;;
    esac
    # (bash's "Killed" notice of the job is no news here)
    lab_reap "$name" 2>/dev/null
  done
  rm -f "$LAB_DIR"/*.pid
  # A SIGKILLed router leaves its VIPs behind; the client forgets where they were.
  for node in 1 2; do
    held_vips "$node" | sed 's|.*|addr del &/16 dev eth0|' | ip -n "$(lab_ns "$node")" -batch -
  done
  ip -n "$(lab_ns c)" neigh flush dev eth0
}

load() { awk '{ print $1 }' /proc/loadavg; }

# Part 1. Sets COST[impl,count] to the markdown cells "CPU node 1 | node 2 | both" and so on.
declare -A CPU RSS
hz=$(getconf CLK_TCK)
cost() { # impl count
  local impl=$1 count=$2 node t0=() t1=() rss anon total_ticks=0 total_rss=0 total_anon=0 cells=()
  start_both "$impl" "$count"
  # Past the start's bursts of gratuitous ARPs and the first preemptions.
  sleep 2
  # shellcheck disable=SC2046
  for node in 1 2; do t0[node]=$(bench_ticks $(pids_of "$impl" "$node")); done
  sleep "$WINDOW"
  for node in 1 2; do
    # shellcheck disable=SC2046
    t1[node]=$(bench_ticks $(pids_of "$impl" "$node"))
    # shellcheck disable=SC2046
    read -r rss anon <<<"$(bench_memory $(pids_of "$impl" "$node"))"
    total_ticks=$((total_ticks + t1[node] - t0[node]))
    total_rss=$((total_rss + rss))
    total_anon=$((total_anon + anon))
    cells+=("$(percent $((t1[node] - t0[node])))" "$(mib "$rss" "$anon")")
  done
  # A VIP that moved during the window (a router starved of CPU misses adverts) costs CPU of its
  # own: the row says so.
  local note=""
  settled "$count" || note=" (a VIP moved)"
  stop_all
  CPU[$impl,$count]=$(percent "$total_ticks")
  RSS[$impl,$count]=$(mib "$total_rss" "$total_anon")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$count" "$(impl_name "$impl")" \
    "${cells[0]}" "${cells[2]}" "${CPU[$impl,$count]}" "${cells[1]}" "${cells[3]}" \
    "${RSS[$impl,$count]}" "$(load)$note"
}
percent() { awk -v t="$1" -v hz="$hz" -v w="$WINDOW" 'BEGIN { printf "%.2f %%", 100 * t / hz / w }'; }
mib() { awk -v r="$1" -v a="$2" 'BEGIN { printf "%.1f MiB (%.1f)", r / 1024, a / 1024 }'; }
impl_name() { if [ "$1" = ours ]; then echo keepalived-swarm; else echo "keepalived $KA_VERSION"; fi; }

printf '\nload before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '\nPer node, VRRPv3 100 ms adverts, CPU over %d s once settled (one clock tick is %s %%), RSS (private in parentheses) at its end, 1-minute load at its end\n\n' \
  "$WINDOW" "$(awk -v hz="$hz" -v w="$WINDOW" 'BEGIN { print 100 / hz / w }')"
echo '| instances | router | CPU node 1 | CPU node 2 | CPU both | RSS node 1 | RSS node 2 | RSS both | load |'
echo '|---|---|---|---|---|---|---|---|---|'
for count in "${COUNTS[@]}"; do
  for impl in ours keepalived; do
    if [ "$impl" = ours ] && [ "$SPREAD" = false ] && [ "$count" != 1 ]; then
      CPU[$impl,$count]="(no --spread)"
      RSS[$impl,$count]="(no --spread)"
      continue
    fi
    cost "$impl" "$count"
  done
done

printf '\nBoth nodes together (RSS: private in parentheses)\n\n'
echo "| instances | ours CPU | keepalived CPU | ours RSS | keepalived RSS |"
echo '|---|---|---|---|---|'
for count in "${COUNTS[@]}"; do
  printf '| %s | %s | %s | %s | %s |\n' "$count" "${CPU[ours,$count]}" "${CPU[keepalived,$count]}" \
    "${RSS[ours,$count]}" "${RSS[keepalived,$count]}"
done
# The goal at 64 instances, reported rather than asserted: the figures are noisy on a shared
# machine.
if [ -n "${CPU[ours,64]:-}" ] && [ "${CPU[ours,64]}" != "(no --spread)" ]; then
  awk -v oc="${CPU[ours,64]%% *}" -v kc="${CPU[keepalived,64]%% *}" \
    -v orss="${RSS[ours,64]%% *}" -v krss="${RSS[keepalived,64]%% *}" 'BEGIN {
    printf "\ngoal at 64 instances: ours CPU %.2f %% <= keepalived %.2f %%: %s; ", oc, kc,
      (oc <= kc) ? "met" : "NOT met"
    printf "ours RSS %.1f MiB <= 1/3 of keepalived %.1f MiB (%.1f): %s\n", orss, krss, krss / 3,
      (orss <= krss / 3) ? "met" : "NOT met" }'
fi

# Part 2. The client's prober: an ICMP echo to each VIP every INTERVAL seconds, and from a packet
# socket (which sees the sender's MAC address) one line "EPOCH VIP MAC" the first time each VIP
# answers from each MAC address.
PROBER='
import socket, struct, sys, time
out, interval, vips = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
def checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF
sender = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
sender.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # its copies of replies are unread
listener = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
listener.bind(("eth0", 0))
wanted = {socket.inet_aton(vip): vip for vip in vips}
seen = set()
ident, sequence = 0x4B53, 0
with open(out, "a", buffering=1) as log:
    due = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= due:
            sequence = (sequence + 1) & 0xFFFF
            header = struct.pack("!BBHHH", 8, 0, 0, ident, sequence)
            packet = struct.pack("!BBHHH", 8, 0, checksum(header), ident, sequence)
            for vip in vips:
                try:
                    sender.sendto(packet, (vip, 0))
                except OSError:
                    pass
            due += interval
            continue
        listener.settimeout(due - now)
        try:
            frame, (_, _, kind, _, _) = listener.recvfrom(2048)
        except socket.timeout:
            continue
        if kind == socket.PACKET_OUTGOING or len(frame) < 42:
            continue
        header_length = (frame[14] & 0x0F) * 4
        source = frame[26:30]
        if frame[23] != 1 or source not in wanted or frame[14 + header_length] != 0:
            continue
        mac = ":".join("%02x" % b for b in frame[6:12])
        if (source, mac) not in seen:
            seen.add((source, mac))
            log.write("%.6f %s %s\n" % (time.time(), wanted[source], mac))
'

# True when FILE has at least N lines naming MAC (any MAC when ""): N VIPs answered from it.
answered() { # file mac n
  [ -f "$1" ] && awk -v mac="$2" -v n="$3" 'mac == "" || $3 == mac { c++ } END { exit !(c >= n) }' "$1"
}
holds_all() { [ "$(held_vips "$1" | wc -l)" -eq "$2" ]; } # node count

# One failover. Sets ADDED (seconds from the kill until node 2 has the last of node 1's VIPs) and
# ANSWERED (until the last of them answers the client from node 2).
failover_once() { # impl
  local impl=$1 victims vips t0 stamp count=$FAILOVER_COUNT
  mapfile -t vips < <(homed_vips 1 "$count")
  start_both "$impl" "$count"
  rm -f "$LAB_DIR/answers.txt"
  lab_spawn prober c "$LAB_PYTHON" -c "$PROBER" "$LAB_DIR/answers.txt" 0.02 "${vips[@]}"
  # The client talks to every VIP at node 1 before the crash, as clients would.
  lab_wait_for 10 answered "$LAB_DIR/answers.txt" "" "${#vips[@]}" ||
    lab_fail "$impl: node 1's VIPs do not answer the client"
  lab_spawn monitor 2 ip -ts monitor address dev eth0
  sleep 0.5
  victims=$(pids_of "$impl" 1)
  t0=$(lab_now)
  # shellcheck disable=SC2086
  kill -KILL $victims
  lab_wait_for 15 holds_all 2 "$count" ||
    lab_fail "$impl: node 2 did not take node 1's VIPs"
  lab_wait_for 10 answered "$LAB_DIR/answers.txt" "$NODE2_MAC" "${#vips[@]}" ||
    lab_fail "$impl: node 1's VIPs do not answer the client from node 2"
  sleep 0.05
  lab_signal monitor TERM
  lab_reap monitor
  # The latest first appearance of each of node 1's VIPs; ISO timestamps sort as text.
  stamp=$(printf '%s\n' "${vips[@]}" | awk 'NR == FNR { want["inet " $1 "/"] = 1; next }
    /^\[/ && !/Deleted/ { for (v in want) if (index($0, v) && !(v in first)) first[v] = $1 }
    END { for (v in first) print first[v]; if (length(first) < length(want)) print "MISSING" }' \
    - "$LAB_DIR/monitor.log" | sort | tail -n 1)
  [ "$stamp" != MISSING ] || lab_fail "$impl: a VIP's arrival is missing from node 2's monitor"
  stamp=${stamp#[}
  ADDED=$(lab_elapsed "$t0" "$(date -d "${stamp%]}" +%s.%N)")
  ANSWERED=$(awk -v mac="$NODE2_MAC" '$3 == mac { print $1 }' "$LAB_DIR/answers.txt" | sort -n |
    tail -n 1)
  ANSWERED=$(lab_elapsed "$t0" "$ANSWERED")
  stop_all
}

printf '\nFailover of node 1'"'"'s %d VIPs (of %d instances) after SIGKILL, seconds from the kill (median / max of %d)\n\n' \
  "$((FAILOVER_COUNT / 2))" "$FAILOVER_COUNT" "$REPS"
declare -A ADDS ANSWERS
if [ "$SPREAD" = true ]; then impls=(ours keepalived); else impls=(keepalived); fi
for _ in $(seq 1 "$REPS"); do
  # Alternated, so both see the same load.
  for impl in "${impls[@]}"; do
    # Its stderr to a log of the lab (shown on failure): bash's "Killed" notice of the victim
    # lands there, at whatever moment bash notices.
    failover_once "$impl" 2>>"$LAB_DIR/failover.log"
    ADDS[$impl]+=" $ADDED"
    ANSWERS[$impl]+=" $ANSWERED"
  done
done
cell() { # impl kind
  local values
  if [ "$1" = ours ] && [ "$SPREAD" = false ]; then echo "(no --spread)"; return; fi
  if [ "$2" = added ]; then values=${ADDS[$1]}; else values=${ANSWERS[$1]}; fi
  # shellcheck disable=SC2086
  bench_summary $values | awk '{ print $1 " / " $2 }'
}
echo "| all of node 1's VIPs | keepalived-swarm | keepalived $KA_VERSION |"
echo '|---|---|---|'
echo "| on node 2 (ip monitor) | $(cell ours added) | $(cell keepalived added) |"
echo "| answer the client from node 2 | $(cell ours answered) | $(cell keepalived answered) |"
# Each repetition's figures too: `ip -ts` stamps a change when ip reads it from netlink, so a
# loaded machine can put an arrival after the answer it made possible.
echo
for impl in "${impls[@]}"; do
  printf '%s, each repetition: on node 2%s; answer%s\n' "$(impl_name "$impl")" "${ADDS[$impl]}" \
    "${ANSWERS[$impl]}"
done
printf '\nload after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
