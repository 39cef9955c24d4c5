# shellcheck shell=bash
# Helpers for the buoy's tests: loopback only, no root. Source this file (it sources lab.sh for
# lab_log, lab_fail, lab_wait_for, lab_require_command and, from deploy/lab/lib/process.sh,
# ks_stop_pids), then:
#
#   buoy_require_tools TOOL...       exit 77 (skipped) unless the tools and test programs exist
#   buoy_init                        temp folder; cleanup runs on EXIT (processes by pid: TERM,
#                                    KILL after 10 s; files)
#   buoy_start_float FIXTURE.json    a stand-in float serving FIXTURE on $BUOY_FLOAT_SOCKET
#   buoy_stop_float                  stop it (the socket goes away)
#   buoy_start [BUOY OPTIONS...]     a buoy on 127.0.0.1:<free port>; sets BUOY_PID, BUOY_PORT,
#                                    BUOY_URL; its log is $BUOY_TMP/buoy.log
#   buoy_wait_for SECONDS CMD...     poll CMD until it succeeds; fail after SECONDS
#   buoy_rss_kib PID                 resident memory of PID in KiB

source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

BUOY_TMP=""
BUOY_FLOAT_SOCKET=""
BUOY_FLOAT_PID=""
BUOY_PID=""
BUOY_PORT=""
BUOY_URL=""

buoy_require_tools() {
  : "${KS_BINARY:?set KS_BINARY to the keepalived-swarm executable}"
  : "${KS_FLOAT_STATUS_SERVER:?set KS_FLOAT_STATUS_SERVER to the ks_float_status_server test helper}"
  lab_require_command "$@"
}

buoy_cleanup() {
  local pid pids=()
  for pid in "$BUOY_PID" "$BUOY_FLOAT_PID"; do [ -z "$pid" ] || pids+=("$pid"); done
  ks_stop_pids 10 "${pids[@]}"
  if [ -n "$BUOY_TMP" ]; then
    if [ "${BUOY_KEEP_LOGS:-0}" = 1 ]; then lab_log "logs kept in $BUOY_TMP"; else rm -rf "$BUOY_TMP"; fi
  fi
}

buoy_init() {
  BUOY_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ks-buoy-test.XXXXXX")
  BUOY_FLOAT_SOCKET="$BUOY_TMP/float.sock"
  trap buoy_cleanup EXIT
  # Writes to connections the buoy closed must fail, not end the test.
  trap '' PIPE
}

buoy_wait_for() { lab_wait_for "$@" || lab_fail "gave up waiting"; }

buoy_start_float() {
  "$KS_FLOAT_STATUS_SERVER" "$BUOY_FLOAT_SOCKET" "$1" >"$BUOY_TMP/float.log" 2>&1 &
  BUOY_FLOAT_PID=$!
  buoy_wait_for 10 test -S "$BUOY_FLOAT_SOCKET"
}

buoy_stop_float() {
  kill -TERM "$BUOY_FLOAT_PID"
  wait "$BUOY_FLOAT_PID" || lab_fail "the stand-in float exited with status $?"
  BUOY_FLOAT_PID=""
}

buoy_start() {
  "$KS_BINARY" buoy --listen 127.0.0.1:0 --float-socket "$BUOY_FLOAT_SOCKET" "$@" \
    >"$BUOY_TMP/buoy.log" 2>&1 &
  BUOY_PID=$!
  buoy_wait_for 20 grep -q 'buoy listening' "$BUOY_TMP/buoy.log"
  BUOY_PORT=$(sed -n 's/.*buoy listening address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$BUOY_TMP/buoy.log")
  [ -n "$BUOY_PORT" ] || lab_fail "no port in the buoy's log: $(cat "$BUOY_TMP/buoy.log")"
  BUOY_URL="http://127.0.0.1:$BUOY_PORT"
}

buoy_rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
