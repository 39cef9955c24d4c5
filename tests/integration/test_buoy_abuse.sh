#!/usr/bin/env bash
# The buoy under abuse from one address, on loopback: 2,000 slowloris connections, 2,000 idle
# keep-alive connections, clients reading their answers a byte a second. Meanwhile GET /health
# from another address answers within 1 s every time, `keepalived-swarm probe` stays green, RSS
# stays under 16 MiB, and afterwards memory returns to near idle. Also: an oversized float status
# is relayed on /metrics within bounds, and a too long --float-socket is refused at start.
# Needs no root beyond a large `ulimit -n`.
# ctest-labels: sanitize
set -euo pipefail
source "$KS_SOURCE_DIR/tests/lib/buoy.sh"
: "${KS_HTTP_ABUSER:?set KS_HTTP_ABUSER to the ks_http_abuser test helper}"
buoy_require_tools curl
buoy_init
fixture="$KS_SOURCE_DIR/tests/fixtures/float_status_master.json"

# 2,000 connections on each side of loopback, plus slack.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 4200 ] || { echo "SKIP: ulimit -n $(ulimit -n) is below 4200" >&2; exit 77; }

readonly attack_seconds=8
readonly rss_limit_kib=16384

expect_eq() { [ "$2" = "$3" ] || lab_fail "$1: expected '$3', got '$2'"; }

# Asks /health from 127.0.0.2 (an address the attacker does not use) every half second while
# the attack runs; each answer must come within 1 s.
health_stays_green() { # label
  local i body
  for i in $(seq $((attack_seconds * 2 - 4))); do
    body=$(curl -sS --interface 127.0.0.2 --max-time 1 "$BUOY_URL/health" 2>&1) ||
      lab_fail "$1: GET /health from 127.0.0.2 failed within 1 s (try $i): $body"
    expect_eq "$1: GET /health" "$body" "Ok"
    sleep 0.5
  done
}

# Runs `probe` (from 127.0.0.1, as the stack's healthcheck inside the container) during the
# attack; the attacker must be elsewhere for this, or its per-client limit is ours.
probe_stays_green() { # label
  local i
  for i in $(seq $((attack_seconds - 2))); do
    "$KS_BINARY" probe --timeout 1s "$BUOY_URL/health" ||
      lab_fail "$1: probe of /health failed (try $i)"
    sleep 0.5
  done
}

# Under ASan (the sanitize stage) shadow memory alone is above 16 MiB and its quarantine keeps
# freed memory, so there RSS is reported, not bounded; the release stage bounds it.
rss_bounded=1
if grep -q -a -m1 __asan_init "$KS_BINARY"; then rss_bounded=0; fi
check_rss() { # label
  local rss
  rss=$(buoy_rss_kib "$BUOY_PID")
  lab_log "$1: RSS ${rss} KiB"
  [ "$rss_bounded" = 0 ] || [ "$rss" -lt "$rss_limit_kib" ] ||
    lab_fail "$1: RSS ${rss} KiB, not under ${rss_limit_kib} KiB"
}

# attack MODE ATTACKER_ADDRESS CHECK: 2,000 connections of MODE from ATTACKER_ADDRESS for
# attack_seconds while CHECK runs, then the RSS.
attack() {
  local mode=$1 attacker=$2 check=$3 abuser
  lab_log "$mode: 2000 connections from $attacker; $check"
  "$KS_HTTP_ABUSER" "$mode" "$attacker" "$BUOY_PORT" 2000 "$attack_seconds" \
    >"$BUOY_TMP/abuser.out" 2>&1 &
  abuser=$!
  sleep 2  # let the attacker open its connections
  "$check" "$mode"
  check_rss "$mode during the attack"
  wait "$abuser" || lab_fail "the abuser failed: $(cat "$BUOY_TMP/abuser.out")"
  lab_log "$mode: abuser $(cat "$BUOY_TMP/abuser.out")"
}

lab_log "a --float-socket longer than a unix socket path can be is refused at start"
set +e
"$KS_BINARY" buoy --listen 127.0.0.1:0 --float-socket "/$(head -c 120 /dev/zero | tr '\0' s)" \
  >"$BUOY_TMP/long.out" 2>&1
code=$?
set -e
expect_eq "exit status with a too long --float-socket" "$code" 2
grep -q -- '--float-socket (BUOY_FLOAT_SOCKET)' "$BUOY_TMP/long.out" ||
  lab_fail "the refusal does not name the option: $(cat "$BUOY_TMP/long.out")"

buoy_start_float "$fixture"
buoy_start --node-hostname manager-1
buoy_wait_for 10 sh -c "curl -fsS '$BUOY_URL/status' | grep -q '\"state\":\"MASTER\"'"
curl -fsS "$BUOY_URL/metrics" >/dev/null
rss_idle=$(buoy_rss_kib "$BUOY_PID")
lab_log "idle RSS ${rss_idle} KiB"

attack slowloris 127.0.0.1 health_stays_green
attack idle 127.0.0.1 health_stays_green
attack slow-reader 127.0.0.1 health_stays_green
attack slowloris 127.0.0.3 probe_stays_green

metrics=$(curl -fsS "$BUOY_URL/metrics")
refused=$(sed -n 's/^keepalived_swarm_buoy_http_rejected_total{node="manager-1",reason="connection_limit"} //p' <<<"$metrics")
[ "${refused:-0}" -gt 1000 ] || lab_fail "connections over the per-client limit were not refused ($refused)"
grep -q 'closing new HTTP connections of a client that holds too many' "$BUOY_TMP/buoy.log" ||
  lab_fail "the per-client refusals were not logged"
logged=$(grep -c 'closing new HTTP connections of a client that holds too many' "$BUOY_TMP/buoy.log")
[ "$logged" -lt 20 ] || lab_fail "per-client refusals logged $logged times: not rate-limited"

lab_log "after the attacks: memory back near idle"
buoy_wait_for 20 sh -c "[ \"\$(curl -fsS '$BUOY_URL/metrics' | sed -n 's/^keepalived_swarm_buoy_http_connections{node=\"manager-1\"} //p')\" -le 1 ]"
rss_after=$(buoy_rss_kib "$BUOY_PID")
lab_log "RSS ${rss_idle} KiB idle before, ${rss_after} KiB after"
[ "$rss_bounded" = 0 ] || [ $((rss_after - rss_idle)) -lt 4096 ] ||
  lab_fail "RSS stayed $((rss_after - rss_idle)) KiB above idle after the attacks"

lab_log "an oversized float status is relayed on /metrics within bounds"
buoy_stop_float
huge="$BUOY_TMP/huge_status.json"
long_name=$(head -c 10240 /dev/zero | tr '\0' n)
{
  printf '{"version":"test","node":"manager-1","tether":"standalone","instances":[{"name":"%s","interface":"eth0","vrid":77,"state":"MASTER","priority":100,"adverts_dropped":{' "$long_name"
  for i in $(seq 2000); do printf '%s"reason_%d":%d' "$([ "$i" = 1 ] || echo ,)" "$i" "$i"; done
  printf '}}]}\n'
} >"$huge"
buoy_start_float "$huge"
buoy_wait_for 10 sh -c "curl -fsS '$BUOY_URL/metrics' | grep -q 'keepalived_swarm_buoy_float_metrics_cut{node=\"manager-1\",what=\"series_dropped\"} [1-9]'"
fetches=()
for n in 1 2 3 4; do
  curl -fsS -o "$BUOY_TMP/metrics.$n" "$BUOY_URL/metrics" &
  fetches+=($!)
done
for pid in "${fetches[@]}"; do wait "$pid" || lab_fail "a concurrent GET /metrics failed"; done
size=$(stat -c %s "$BUOY_TMP/metrics.1")
lab_log "/metrics of the oversized status: $size bytes"
[ "$size" -lt 1200000 ] || lab_fail "/metrics is $size bytes for the oversized status"
check_rss "after 4 concurrent /metrics of the oversized status"
grep -q 'too large to relay whole on /metrics' "$BUOY_TMP/buoy.log" ||
  lab_fail "the cut metrics were not logged"

if grep -E "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$BUOY_TMP/buoy.log" >&2; then
  lab_fail "the buoy's log has a sanitizer report"
fi
lab_log "PASS"
