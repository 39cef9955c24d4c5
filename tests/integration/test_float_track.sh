#!/usr/bin/env bash
# The VIP follows a healthy service: two floats, each tracking a small HTTP server in its own
# namespace. The master's server stops: the VIP moves within fall x interval + Skew_Time (+ the
# polling here); it comes back: no move back without --preempt. A hung server (accepts, never
# answers) is down at the check's timeout. A weighted check only lowers the priority.
# ctest-labels: sanitize
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command python3 curl
lab_init

VIP=10.99.0.100
for n in 1 2 3; do lab_add_node "$n" "10.99.0.$n/24"; done
server() { # name node [hang]
  lab_spawn "$1" "$2" python3 -c '
import socket, sys, time
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 8088)); listener.listen(16)
while True:
    connection, _ = listener.accept()
    if sys.argv[1] == "hang":
        time.sleep(3600)
    connection.recv(4096)
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    connection.close()' "${3:-serve}"
}
lab_float_defaults --vip "$VIP/24" --vrid 62 --track-http http://127.0.0.1:8088/health \
  --track-interval 100ms --track-timeout 200ms --track-fall 2 --track-rise 2
status_has() { lab_status_has "$LAB_DIR/$1.sock" "$2"; }

serving() { lab_exec "$1" curl -sf --max-time 1 http://127.0.0.1:8088/health; }
server s1 1
server s2 2
lab_wait_for 5 serving 1 && lab_wait_for 5 serving 2 || lab_fail "the test servers did not start"
# Node 1 first: without --preempt, two floats started together elect whoever's Master_Down timer
# ends first, and the skew between their start-ups (an ASan build starts slower) can beat the
# 20 ms their Skew_Times differ by.
lab_start_float f1 1 --priority 150
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "node 1 did not take the VIP"
lab_start_float f2 2 --priority 100
lab_wait_for 3 status_has f2 '"master":"10.99.0.1"' || lab_fail "node 2 does not follow node 1"
status_has f1 '"kind":"http","target":"http://127.0.0.1:8088/health"' ||
  lab_fail "the HTTP check is not in the status"
status_has f1 '"reason":"HTTP 200"' || lab_fail "the check's last result is not in the status"
lab_log "both healthy: node 1 holds the VIP"

start=$(lab_now)
lab_signal s1 KILL
lab_reap s1
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "the VIP did not follow the healthy service"
moved=$(lab_elapsed "$start" "$(lab_now)")
lab_wait_for 2 lab_lacks_address 1 "$VIP" || lab_fail "node 1 kept the VIP with its service down"
lab_log "service on node 1 stopped: VIP on node 2 after ${moved}s (fall 2 x 0.1s + Skew_Time" \
  "0.061s + a refused check's own time; bound 0.2 + 0.061 + 0.1 = 0.361s)"
awk -v m="$moved" 'BEGIN { exit !(m < 0.6) }' || lab_fail "the move took ${moved}s"
status_has f1 '"state":"FAULT"' || lab_fail "node 1 is not in FAULT"
status_has f1 '"reason":"tracker down: http:http://127.0.0.1:8088/health' ||
  lab_fail "the transition does not name the check"

server s1 1
lab_wait_for 3 status_has f1 '"state":"BACKUP"' || lab_fail "node 1 did not come back as BACKUP"
sleep 1
lab_expect_holders "$VIP" "2"
lab_log "service on node 1 back: BACKUP; node 2 (no --preempt) keeps the VIP"

# A hung server accepts and never answers: down at the timeout, not never.
lab_signal s2 KILL
lab_reap s2
server s2 2 hang
start=$(lab_now)
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "a hung service did not count as down"
lab_log "service on node 2 restarted hung: VIP on node 1 after $(lab_elapsed "$start" "$(lab_now)")s"
# The restart's gap refuses connections at first; once the hung server listens, each check ends
# at its timeout and the check stays down for that reason.
lab_wait_for 3 status_has f2 '"reason":"no answer within 200ms"' ||
  lab_fail "a hung server is not down for its timeout: $(lab_status "$LAB_DIR/f2.sock")"
status_has f2 '"state":"FAULT"' || lab_fail "node 2 is not in FAULT with its service hung"

# A weighted check lowers the priority instead: node 3 at 200 with -150 while down.
lab_start_float f3 3 --priority 200 --preempt --track-weight -150
lab_wait_for 3 status_has f3 '"effective_priority":50' ||
  lab_fail "a weighted check that is down did not lower the priority to 50"
status_has f3 '"state":"BACKUP"' || lab_fail "a weighted check put node 3 in $(lab_status "$LAB_DIR/f3.sock")"
lab_expect_holders "$VIP" "1"
server s3 3
lab_wait_for 5 lab_has_address 3 "$VIP" || lab_fail "node 3 did not preempt once its check was up"
lab_log "weighted check: node 3 at 50 while down, preempts at 200 once up"
lab_log "PASS"
