#!/usr/bin/env bash
# The buoy process end to end on loopback: its routes with a stand-in float, the float going away
# and coming back, probe, malformed and oversized requests, a slowloris client, a flood of idle
# connections (bounded memory), and SIGTERM with a request in flight (answered, then exit 0).
# ctest-labels: sanitize
set -euo pipefail
source "$KS_SOURCE_DIR/tests/lib/buoy.sh"
buoy_require_tools curl
buoy_init
fixture="$KS_SOURCE_DIR/tests/fixtures/float_status_master.json"

expect_eq() { [ "$2" = "$3" ] || lab_fail "$1: expected '$3', got '$2'"; }
expect_has() { [[ "$2" == *"$3"* ]] || lab_fail "$1: '$3' not in: $2"; }

# Sends raw bytes on a new connection and prints the status line of the answer (empty when the
# buoy closed the connection without one).
raw_status_line() {
  local fd line=""
  exec {fd}<>"/dev/tcp/127.0.0.1/$BUOY_PORT"
  printf '%b' "$1" >&"$fd" || true
  IFS= read -r -t 5 -u "$fd" line || true
  exec {fd}>&-
  printf '%s' "${line%$'\r'}"
}

buoy_start_float "$fixture"
# No per-client limit: the flood below comes from the same address as the checks, and tests the
# global cap (test_buoy_abuse.sh tests the per-client limit).
buoy_start --node-hostname manager-1 --request-timeout 1s --idle-timeout 3s --max-connections 64 \
  --max-connections-per-client 0
buoy_wait_for 10 sh -c "curl -fsS '$BUOY_URL/status' | grep -q '\"state\":\"MASTER\"'"

lab_log "routes"
identity=$(curl -fsS "$BUOY_URL/")
[[ "$identity" =~ ^\{\"hostname\":\"manager-1\",\"containerId\":\"[^\"]+\",\"containerUptime\":\"[0-9]{2}:[0-9]{2}:[0-9]{2}\"\}$ ]] ||
  lab_fail "GET / is not the original buoy's shape: $identity"
expect_eq "GET /health" "$(curl -fsS "$BUOY_URL/health")" "Ok"
status=$(curl -fsS "$BUOY_URL/status")
expect_has "GET /status" "$status" '"vips":["10.99.0.100/24"]'
expect_has "GET /status" "$status" '"hostname":"manager-1"'
metrics=$(curl -fsS "$BUOY_URL/metrics")
expect_has "GET /metrics" "$metrics" 'keepalived_swarm_vrrp_state{node="manager-1",instance="VI_77",interface="eth0",vrid="77",state="MASTER"} 1'
expect_has "GET /metrics" "$metrics" 'keepalived_swarm_buoy_float_reachable{node="manager-1"} 1'
expect_eq "GET /nope" "$(curl -s -o /dev/null -w '%{http_code}' "$BUOY_URL/nope")" 404
expect_eq "DELETE /" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$BUOY_URL/")" 405

lab_log "probe"
"$KS_BINARY" probe "$BUOY_URL/health" || lab_fail "probe of /health failed"
for url in "$BUOY_URL/nope" "http://127.0.0.1:1/health"; do
  if "$KS_BINARY" probe --timeout 2s "$url" 2>"$BUOY_TMP/probe.err"; then
    lab_fail "probe of $url succeeded"
  fi
  [ -s "$BUOY_TMP/probe.err" ] || lab_fail "probe of $url failed without saying why"
done
set +e
"$KS_BINARY" probe "ftp://example/" 2>/dev/null
code=$?
set -e
expect_eq "probe of a bad URL" "$code" 2

lab_log "the float goes away and comes back"
buoy_stop_float
buoy_wait_for 10 sh -c "curl -fsS '$BUOY_URL/status' | grep -q '\"float\":\"unreachable\"'"
expect_eq "/status without a float" "$(curl -s -o /dev/null -w '%{http_code}' "$BUOY_URL/status")" 200
expect_has "/metrics without a float" "$(curl -fsS "$BUOY_URL/metrics")" \
  'keepalived_swarm_buoy_float_reachable{node="manager-1"} 0'
buoy_start_float "$fixture"
buoy_wait_for 10 sh -c "curl -fsS '$BUOY_URL/status' | grep -q '\"state\":\"MASTER\"'"

lab_log "malformed and oversized requests"
for request in 'GARBAGE\r\n\r\n' 'GET / HTTP/9.9\r\n\r\n' 'GET / HTTP/1.1\r\nno colon\r\n\r\n' \
  'GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n' '\x00\x01\x02\x03\r\n\r\n'; do
  line=$(raw_status_line "$request")
  [ -z "$line" ] || [ "$line" = "HTTP/1.1 400 Bad Request" ] ||
    lab_fail "malformed request $request: answered '$line'"
done
big_header="GET / HTTP/1.1\r\nX-Big: $(head -c 20000 /dev/zero | tr '\0' a)\r\n\r\n"
line=$(raw_status_line "$big_header")
[ -z "$line" ] || [ "$line" = "HTTP/1.1 431 Request Header Fields Too Large" ] ||
  lab_fail "oversized header answered '$line'"
line=$(raw_status_line 'POST / HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n')
[ -z "$line" ] || [ "$line" = "HTTP/1.1 413 Payload Too Large" ] ||
  lab_fail "oversized body answered '$line'"
expect_eq "GET /health after abuse" "$(curl -fsS "$BUOY_URL/health")" "Ok"

lab_log "slowloris: a byte a second is cut at the request timeout (1s)"
exec {slow}<>"/dev/tcp/127.0.0.1/$BUOY_PORT"
cut=no
for byte in G E T ' ' / ' ' H T T P / 1 . 1; do
  if ! printf '%s' "$byte" >&"$slow" 2>/dev/null; then cut=yes; break; fi
  # read returns 1 at end of file (the buoy closed), more than 128 when it only timed out.
  if IFS= read -r -t 1 -u "$slow" _; then :; elif [ $? -le 128 ]; then cut=yes; break; fi
done
exec {slow}>&-
expect_eq "slowloris connection cut" "$cut" yes

lab_log "300 idle connections: the cap holds, /health answers, memory stays bounded"
rss_before=$(buoy_rss_kib "$BUOY_PID")
idle_fds=()
for _ in $(seq 300); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$BUOY_PORT"
  idle_fds+=("$fd")
done
expect_eq "GET /health during the flood" "$(curl -fsS --max-time 5 "$BUOY_URL/health")" "Ok"
connections=$(curl -fsS "$BUOY_URL/metrics" | sed -n 's/^keepalived_swarm_buoy_http_connections{node="manager-1"} //p')
[ "$connections" -le 64 ] || lab_fail "$connections connections open, above --max-connections 64"
for fd in "${idle_fds[@]}"; do exec {fd}>&-; done
rss_after=$(buoy_rss_kib "$BUOY_PID")
lab_log "RSS ${rss_before} KiB before, ${rss_after} KiB after"
[ $((rss_after - rss_before)) -lt 16384 ] ||
  lab_fail "RSS grew by $((rss_after - rss_before)) KiB during the flood"

lab_log "SIGTERM with a request in flight: it is answered, then the buoy exits 0"
exec {idle}<>"/dev/tcp/127.0.0.1/$BUOY_PORT"
exec {busy}<>"/dev/tcp/127.0.0.1/$BUOY_PORT"
printf 'GET /health HTTP/1.1\r\nHost: buoy\r\n' >&"$busy"
sleep 0.3
kill -TERM "$BUOY_PID"
sleep 0.3
printf '\r\n' >&"$busy"
answer=$(timeout 5 cat <&"$busy" || true)
exec {busy}>&-
expect_has "request in flight at SIGTERM" "$answer" "HTTP/1.1 200 OK"
expect_has "request in flight at SIGTERM" "$answer" "Connection: close"
if IFS= read -r -t 5 -u "$idle" _; then lab_fail "the idle connection got data at stop"; fi
exec {idle}>&-
set +e
wait "$BUOY_PID"
code=$?
set -e
BUOY_PID=""
expect_eq "buoy exit status after SIGTERM" "$code" 0
if curl -fsS --max-time 2 "$BUOY_URL/health" >/dev/null 2>&1; then lab_fail "still answering after exit"; fi

lab_log "PASS"
