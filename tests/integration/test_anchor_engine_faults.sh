#!/usr/bin/env bash
# The anchor against engine faults that a real Docker Engine does not produce on demand, so
# against a stand-in (tests/lib/fake_docker_engine.py): an event stream that ends right after its
# 200 is reconnected with backoff, not every 200 ms with a reconcile each time; a storm of events
# gives about one reconcile a second, not one per event; an engine that answers /_ping and hangs
# on the rest is reported at start instead of silence, and does not hold SIGTERM past the bound
# (the stack's grace period is 30 s; the anchor must be gone well within it). No root needed.
# ctest-engines: 26.1 28.5:1.44
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_command python3
[ -x "${KS_BINARY:-}" ] || { echo "SKIP: KS_BINARY is not set to the built keepalived-swarm" >&2; exit 77; }

FAKE_ENGINE="$(dirname "$0")/../lib/fake_docker_engine.py"
LAB_DIR=$(mktemp -d /tmp/ks-engine-faults.XXXXXX)
trap lab_cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$LAB_DIR/run"
RUN=0

# Starts the fake engine (EVENTS and extra flags as fake_docker_engine.py takes them) and an
# anchor against it; names them engineN and anchorN.
start_pair() {
  RUN=$((RUN + 1))
  ENGINE="engine$RUN" ANCHOR="anchor$RUN"
  SOCKET="$LAB_DIR/docker$RUN.sock" REQUESTS="$LAB_DIR/requests$RUN.txt"
  : >"$REQUESTS"
  python3 "$FAKE_ENGINE" "$SOCKET" "$REQUESTS" "$@" >"$LAB_DIR/$ENGINE.log" 2>&1 &
  LAB_PID[$ENGINE]=$!
  lab_wait_for 10 test -S "$SOCKET" || lab_fail "the fake engine did not start"
  "$KS_BINARY" anchor --docker-host "unix://$SOCKET" --run-dir "$LAB_DIR/run" --interface eth0 \
    --vip 10.98.0.100/24 --float-image keepalived-swarm:fake --stop-timeout 3 \
    --log-level debug >"$LAB_DIR/$ANCHOR.log" 2>&1 &
  LAB_PID[$ANCHOR]=$!
}

anchor_log_has() { grep -qF -- "$1" "$LAB_DIR/$ANCHOR.log"; }
requests_matching() { grep -cF -- "$1" "$REQUESTS" || true; }
float_started() { [ "$(requests_matching '/start')" -ge 1 ]; }

# Starts an engine whose event streams behave as EVENTS says and an anchor against it; once the
# float runs, counts the requests matching PATTERN over 3 s into COUNTED.
count_with_events() {
  local events=$1 pattern=$2 before
  start_pair "$events"
  lab_wait_for 20 float_started || lab_fail "the anchor did not start a float on the fake engine"
  sleep 1
  before=$(requests_matching "$pattern")
  sleep 3
  COUNTED=$(($(requests_matching "$pattern") - before))
}

# Sends SIGTERM and waits for the exit; sets STOP_SECONDS and LAB_EXIT_STATUS.
stop_anchor() {
  local started
  started=$(lab_now)
  lab_signal "$ANCHOR" TERM
  lab_reap "$ANCHOR"
  STOP_SECONDS=$(lab_elapsed "$started" "$(lab_now)")
}

stop_engine() {
  kill -TERM "${LAB_PID[$ENGINE]}" 2>/dev/null || true
  lab_reap "$ENGINE"
}

# 1. An event stream that ends at once: few reconnects in 3 s (200 ms each would be 15), and the
# log says what to check instead of a line per reconnect.
count_with_events end-at-once 'GET /v1.43/events'
reconnects=$COUNTED
lab_log "MEASURED: a stream that ends at once: $reconnects reconnects in 3 s"
[ "$reconnects" -le 5 ] || lab_fail "$reconnects reconnects in 3 s: no backoff on a stream that ends at once"
[ "$reconnects" -ge 1 ] || lab_fail "the anchor gave up reconnecting the event stream"
anchor_log_has "Docker event stream keeps ending soon after it starts" ||
  lab_fail "the log does not say that the stream keeps ending"
stream_warnings=$(grep -F 'Docker event stream' "$LAB_DIR/$ANCHOR.log" | grep -c ' warn ' || true)
[ "$stream_warnings" -le 3 ] || lab_fail "$stream_warnings warnings about the event stream: not rate-limited"
stop_anchor
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "the anchor exited $LAB_EXIT_STATUS after SIGTERM"
lab_log "warnings about the event stream in the log: $stream_warnings"
stop_engine

# 2. A storm of float events (250 a second): reconciles are coalesced, about one a second.
count_with_events storm 'GET /v1.43/containers/json'
reconciles=$COUNTED
lab_log "MEASURED: an event storm: $reconciles reconciles in 3 s"
[ "$reconciles" -le 6 ] || lab_fail "$reconciles reconciles in 3 s under an event storm: not coalesced"
[ "$reconciles" -ge 1 ] || lab_fail "no reconcile at all under an event storm: events are ignored"
# Above debug, the storm of other containers' events is not one line per event.
loud_lines=$(grep -vc ' debug ' "$LAB_DIR/$ANCHOR.log" || true)
[ "$loud_lines" -le 30 ] || lab_fail "$loud_lines log lines above debug under an event storm"
stop_anchor
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "the anchor exited $LAB_EXIT_STATUS after SIGTERM"
stop_engine

# 3. The engine hangs while the float runs: SIGTERM ends the anchor within the bound, with an
# error that says what is left and what to do.
start_pair quiet
lab_wait_for 20 float_started || lab_fail "the anchor did not start a float on the fake engine"
kill -USR1 "${LAB_PID[$ENGINE]}"
sleep 1
stop_anchor
lab_log "MEASURED: engine hanging: SIGTERM -> exit in $STOP_SECONDS s (status $LAB_EXIT_STATUS)"
awk -v s="$STOP_SECONDS" 'BEGIN { exit !(s < 15) }' ||
  lab_fail "the anchor took $STOP_SECONDS s to exit after SIGTERM (the stack kills it at 30 s)"
anchor_log_has "could not remove the float before the stop deadline" ||
  lab_fail "the anchor did not say that the float may be left"
[ "$LAB_EXIT_STATUS" -ne 0 ] || lab_fail "the anchor exited 0 without removing the float"
stop_engine

# 4. The engine hangs from the start: reported within seconds, and SIGTERM still ends the anchor.
start_pair quiet --hang
lab_wait_for 15 anchor_log_has "the Docker Engine has not answered yet" ||
  lab_fail "a hanging engine was not reported at start"
lab_log "hanging engine at start: $(grep -m1 -F 'has not answered yet' "$LAB_DIR/$ANCHOR.log")"
stop_anchor
lab_log "MEASURED: engine hanging at start: SIGTERM -> exit in $STOP_SECONDS s"
awk -v s="$STOP_SECONDS" 'BEGIN { exit !(s < 15) }' ||
  lab_fail "the anchor took $STOP_SECONDS s to exit after SIGTERM while starting"
stop_engine
lab_log "PASS"
