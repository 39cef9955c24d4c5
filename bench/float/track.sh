#!/usr/bin/env bash
# Detection-to-move time of keepalived-swarm's HTTP and TCP trackers next to keepalived with an
# equivalent vrrp_script (curl / a TCP connect), same namespaces, same run. Two routers (master
# priority 150, backup 100, VRRPv3), each namespace with a tiny HTTP server on 127.0.0.1:8088
# that both routers check (fall 2, rise 2, timeout = interval, a failed check resigns the VIP).
# The master's server is SIGKILLed at a random phase of the check interval; the time runs from
# the kill to the kernel timestamp (`ip -ts monitor address`) of the VIP's arrival on the backup.
# Servers and routers are restarted for every repetition, so each starts with the master holding
# the VIP and both checks up.
#
#   bench/float/track.sh [REPETITIONS]    (root; default 5; uses the release binary as built,
#                                          or $KS_BINARY)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
source tests/lib/lab.sh
lab_require_root
lab_require_command keepalived curl python3
REPS=${1:-5}
[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || lab_fail "REPETITIONS must be a positive whole number"

BIN=${KS_BINARY:-$PWD/build/release/keepalived-swarm}
[ -x "$BIN" ] || lab_fail "no binary at $BIN: build the release tree first"
LAB_FLOAT_BINARY=$BIN
KA_VERSION=$(keepalived --version 2>&1 | awk 'NR == 1 { sub(/^v/, "", $2); print $2 }')

lab_init
VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done

# keepalived's TCP check: nc when one is installed, else bash's /dev/tcp (timeout: keepalived's).
if command -v nc >/dev/null 2>&1; then
  KA_TCP_SCRIPT="$(command -v nc) -z -w 1 127.0.0.1 8088"
else
  KA_TCP_SCRIPT="$(command -v bash) -c 'exec 3<>/dev/tcp/127.0.0.1/8088'"
fi
KA_HTTP_SCRIPT="$(command -v curl) -sf --max-time 1 http://127.0.0.1:8088/health"

server() { # name node
  lab_spawn "$1" "$2" "$LAB_PYTHON" -c '
import socket
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8088)); listener.listen(16)
while True:
    connection, _ = listener.accept()
    connection.recv(4096)
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    connection.close()'
}
serving() { lab_exec "$1" curl -sf --max-time 1 http://127.0.0.1:8088/health; }

ka_conf() { # file tracker advert check_interval priority
  local file=$1 tracker=$2 advert=$3 check=$4 priority=$5 script
  if [ "$tracker" = http ]; then script=$KA_HTTP_SCRIPT; else script=$KA_TCP_SCRIPT; fi
  cat >"$file" <<CONF
global_defs {
  vrrp_version 3
  enable_script_security
  script_user root
}
vrrp_script chk {
  script "$script"
  interval $check
  timeout $check
  fall 2
  rise 2
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 71
  priority $priority
  advert_int $advert
  virtual_ipaddress {
    $VIP/24
  }
  track_script {
    chk
  }
}
CONF
}

start_impl() { # impl name node tracker advert(s) priority
  local impl=$1 name=$2 node=$3 tracker=$4 advert=$5 priority=$6 duration track
  if [ "$impl" = ours ]; then
    duration=$(awk -v a="$advert" 'BEGIN { print (a < 1) ? a * 1000 "ms" : a "s" }')
    if [ "$tracker" = http ]; then track=(--track-http http://127.0.0.1:8088/health); else
      track=(--track-tcp 127.0.0.1:8088); fi
    lab_start_float "$name" "$node" --vip "$VIP/24" --vrid 71 --vrrp-version 3 \
      --advert-interval "$duration" --priority "$priority" --log-level info "${track[@]}" \
      --track-interval "$duration" --track-timeout "$duration" --track-fall 2 --track-rise 2
  else
    # vrrp_script's interval and timeout are whole seconds: 1 s is as fast as it goes.
    ka_conf "$LAB_DIR/$name.conf" "$tracker" "$advert" 1 "$priority"
    lab_spawn "$name" "$node" keepalived -n -l -D --vrrp -f "$LAB_DIR/$name.conf" \
      -p "$LAB_DIR/$name.pid" -r "$LAB_DIR/$name.vrrp.pid" -c "$LAB_DIR/$name.chk.pid"
  fi
}

# The state a router last reported: ours from its status socket, keepalived from its log.
in_state() { # impl name STATE
  if [ "$1" = ours ]; then
    lab_status_has "$LAB_DIR/$2.sock" "\"state\":\"$3\""
  else
    [ "$(grep -aoE 'Entering [A-Z]+ STATE' "$LAB_DIR/$2.log" | tail -n 1)" = "Entering $3 STATE" ]
  fi
}

# Stops everything the last repetition started (routers gracefully, then by force), by pid.
stop_all() {
  local name pid children=()
  # keepalived's VRRP child, in case its parent has to be killed.
  for name in master backup; do
    if [ -f "$LAB_DIR/$name.vrrp.pid" ]; then children+=("$(cat "$LAB_DIR/$name.vrrp.pid")"); fi
  done
  lab_stop_all 2
  for pid in "${children[@]}"; do
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = keepalived ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -f "$LAB_DIR"/*.pid "$LAB_DIR"/*.sock
  for n in 1 2; do lab_exec "$n" ip addr del "$VIP/24" dev eth0 2>/dev/null || true; done
}

# Keeps keepalived's warnings and errors (without the date) for the end of the run.
keep_ka_warnings() {
  grep -ahiE 'warn|notice|unsafe|secur|error|invalid|ignoring|cannot' "$LAB_DIR/master.log" \
    "$LAB_DIR/backup.log" 2>/dev/null |
    sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9:.]+ [0-9]{4}: //' \
      >>"$LAB_DIR/ka-warnings.txt" || true
}

# One repetition; sets RESULT to the seconds from the kill to the VIP on node 2, or "fail".
# (Runs in this shell, not in $(...): the lab must know every pid it started.)
RESULT=""
measure_once() { # impl tracker advert check
  local impl=$1 tracker=$2 advert=$3 check=$4 t0 added phase
  RESULT=fail
  server s1 1
  server s2 2
  if ! lab_wait_for 5 serving 1 || ! lab_wait_for 5 serving 2; then
    lab_log "$impl: the HTTP servers did not start"
    stop_all
    return
  fi
  start_impl "$impl" master 1 "$tracker" "$advert" 150
  if ! lab_wait_for 20 lab_has_address 1 "$VIP" || ! lab_wait_for 5 in_state "$impl" master MASTER; then
    lab_log "$impl: node 1 did not become master"
    stop_all
    return
  fi
  start_impl "$impl" backup 2 "$tracker" "$advert" 100
  if ! lab_wait_for 20 in_state "$impl" backup BACKUP; then
    lab_log "$impl: node 2 did not settle as backup"
    stop_all
    return
  fi
  # A few adverts from the master, and the backup's check past its rise.
  sleep "$(awk -v a="$advert" -v c="$check" 'BEGIN { print 3 * a + 2 * c + 0.2 }')"
  if ! in_state "$impl" backup BACKUP || [ "$(lab_holders "$VIP")" != 1 ]; then
    lab_log "$impl: not the starting state (holders: [$(lab_holders "$VIP")])"
    stop_all
    return
  fi
  lab_spawn monitor 2 ip -ts monitor address dev eth0
  sleep 0.2
  phase=$(awk -v r="$RANDOM" -v c="$check" 'BEGIN { printf "%.3f", r / 32768 * c }')
  sleep "$phase"
  t0=$(lab_now)
  kill -KILL "${LAB_PID[s1]}"
  { lab_reap s1; } 2>/dev/null # (no "Killed" notice from bash)
  if lab_wait_for 15 lab_has_address 2 "$VIP"; then
    sleep 0.05
    lab_signal monitor TERM
    lab_reap monitor
    added=$(lab_monitor_times "\] [0-9]+: eth0 +inet ${VIP//./\\.}/" "$LAB_DIR/monitor.log" |
      awk 'NR == 1')
    if [ -n "$added" ]; then
      RESULT=$(awk -v t0="$t0" -v t1="$added" 'BEGIN { printf "%.4f", t1 - t0 }')
    else
      lab_log "$impl: the VIP's arrival is not in the monitor's output"
    fi
    lab_wait_for 2 lab_lacks_address 1 "$VIP" || lab_log "$impl: node 1 kept the VIP as well"
  else
    lab_log "$impl: no move within 15 s"
  fi
  if [ "$impl" = keepalived ]; then keep_ka_warnings; fi
  stop_all
}

summary() { # values... -> "median / max", failures counted apart
  local ok=() failed=0 value
  for value in "$@"; do
    if [ "$value" = fail ]; then failed=$((failed + 1)); else ok+=("$value"); fi
  done
  if [ "${#ok[@]}" -eq 0 ]; then
    printf 'all %d failed' "$failed"
    return
  fi
  printf '%s\n' "${ok[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f / %.3f", m, v[NR] }'
  [ "$failed" -eq 0 ] || printf ' (%d failed)' "$failed"
}

# fall x check interval + Skew_Time of the backup (VRRPv3: (256 - 100) x advert / 256).
bound() { # check advert
  awk -v c="$1" -v a="$2" 'BEGIN { printf "%.3f", 2 * c + (256 - 100) * a / 256 }'
}

# What keepalived says to a vrrp_script at 100 ms (a configuration test, nothing runs).
ka_conf "$LAB_DIR/fast.conf" http 0.1 0.1 150
KA_FAST=$(lab_exec 1 keepalived -t -l -n -f "$LAB_DIR/fast.conf" -p "$LAB_DIR/fast.pid" \
  -r "$LAB_DIR/fast.vrrp.pid" -c "$LAB_DIR/fast.chk.pid" 2>&1 | grep -m 1 -o "vrrp script interval.*" ||
  true)
rm -f "$LAB_DIR"/fast.*

declare -A CELL=()
for advert in 0.1 1; do
  for tracker in http tcp; do
    for impl in ours keepalived; do
      check=$advert
      [ "$impl" = keepalived ] && check=1
      values=()
      for rep in $(seq 1 "$REPS"); do
        measure_once "$impl" "$tracker" "$advert" "$check"
        lab_log "$impl $tracker adverts ${advert}s checks ${check}s #$rep: $RESULT"
        values+=("$RESULT")
      done
      CELL[$impl,$tracker,$advert]=$(summary "${values[@]}")
    done
  done
done

printf '\nDetection-to-move time, master'"'"'s HTTP server SIGKILLed at a random phase, %d repetitions,\n' "$REPS"
printf 'seconds from the kill to the VIP on the backup (kernel timestamp), median / max\n\n'
printf '| setting | tracker | event | bound | keepalived-swarm | keepalived %s |\n' "$KA_VERSION"
printf '|---|---|---|---|---|---|\n'
for advert in 0.1 1; do
  label="VRRPv3, $(awk -v a="$advert" 'BEGIN { print (a < 1) ? a * 1000 " ms" : a " s" }') adverts"
  for tracker in http tcp; do
    name=HTTP
    [ "$tracker" = tcp ] && name=TCP
    ka=${CELL[keepalived,$tracker,$advert]}
    b=$(bound "$advert" "$advert")
    if [ "$advert" != 1 ]; then
      ka="$ka (checks at 1 s¹)"
      b="$b (keepalived¹: $(bound 1 "$advert"))"
    fi
    printf '| %s | %s | server SIGKILL | %s | %s | %s |\n' "$label" "$name" "$b" \
      "${CELL[ours,$tracker,$advert]}" "$ka"
  done
done
printf '| any | service (Swarm) | task dies | - | service trackers: see tests/integration/test_anchor_track_service.sh | - |\n'

printf '\nbound: fall (2) x check interval + Skew_Time of the backup, (256 - 100) x advert interval / 256\n'
printf '(0.061 s at 100 ms, 0.609 s at 1 s): the last failing check comes at most fall x interval\n'
printf 'after the kill, the master then resigns with priority 0 and the backup waits Skew_Time. The\n'
printf 'time a check itself takes (a refused connection; for keepalived, starting the process) is on top.\n'
printf 'keepalived-swarm: --track-interval and --track-timeout = the advert interval.\n'
printf 'keepalived: vrrp_script interval 1, timeout 1, fall 2, rise 2; HTTP: %s;\n' "$KA_HTTP_SCRIPT"
printf 'TCP: %s.\n' "$KA_TCP_SCRIPT"
printf '¹ keepalived'"'"'s vrrp_script interval and timeout are whole seconds (keepalived.conf(5): interval\n'
printf '<INTEGER>); at 0.1 it says "%s".\n' "${KA_FAST:-(nothing)}"
printf 'Its checks run at its minimum, 1 s, with 100 ms adverts; the bound in brackets is for that.\n'
if [ -s "$LAB_DIR/ka-warnings.txt" ]; then
  printf '\nkeepalived'"'"'s warnings and notices (each line once):\n'
  sort -u "$LAB_DIR/ka-warnings.txt" | sed 's/^/  /'
else
  printf '\nkeepalived logged no warnings (script_user root, enable_script_security).\n'
fi
