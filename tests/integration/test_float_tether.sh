#!/usr/bin/env bash
# The tether: a float whose anchor is not there stays out (FAULT); while the anchor holds the
# connection it competes; the moment the anchor dies (its socket closes) a master resigns with
# priority 0 and the VIP moves to a peer after Skew_Time. The anchor can also ask the float to
# resign (node drained) and to resume, and push the unicast peers (the other managers): in auto
# mode the float competes only once it has them.
# ctest-labels: sanitize
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command python3 curl
lab_init

VIP=10.99.0.100
PEER="$(dirname "$(readlink -f "$0")")/../lib/tether_peer.py"
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done
mkfifo "$LAB_DIR/control"
anchor() { lab_spawn anchor 1 python3 "$PEER" "$LAB_DIR/anchor.sock" "$LAB_DIR/control"; }
tell() { echo "$1" >"$LAB_DIR/control"; }
lab_float_defaults --vip "$VIP/24" --vrid 53

lab_start_float f1 1 --priority 150 --tether "$LAB_DIR/anchor.sock"
lab_wait_for 5 test -S "$LAB_DIR/f1.sock"
sleep 1
lab_status_has "$LAB_DIR/f1.sock" '"state":"FAULT"' || lab_fail "without its anchor the float is not in FAULT"
lab_status_has "$LAB_DIR/f1.sock" '"tether":"disconnected"' || lab_fail "status does not say disconnected"
lab_expect_holders "$VIP" ""
lab_log "no anchor: FAULT, no VIP"

anchor
lab_wait_for 5 lab_status_has "$LAB_DIR/f1.sock" '"tether":"connected"' ||
  lab_fail "status does not say connected"
sleep 1
lab_status_has "$LAB_DIR/f1.sock" '"state":"FAULT"' ||
  lab_fail "the float competes before the anchor sent the managers"
lab_status_check "$LAB_DIR/f1.sock" 'any(t["name"] == "peers" and not t["up"] for t in i["trackers"])' ||
  lab_fail "status does not show the awaited peer list"
lab_expect_holders "$VIP" ""
lab_log "anchor up, no managers yet: still FAULT, no VIP"
tell '{"type":"peers","peers":["10.99.0.2"]}'
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "with its anchor's peers the float did not take the VIP"
lab_status_has "$LAB_DIR/f1.sock" '"mode":"unicast"' || lab_fail "auto mode is not unicast"
lab_start_float f2 2 --priority 100 --unicast-peer 10.99.0.1
sleep 0.5
lab_expect_holders "$VIP" "1"
lab_log "anchor up: node 1 holds the VIP"

start=$(lab_now)
lab_signal anchor KILL
lab_reap anchor
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "node 2 did not take over when the anchor died"
lab_log "anchor killed: node 2 holds the VIP after $(lab_elapsed "$start" "$(lab_now)")s" \
  "(Skew_Time of priority 100: 0.061s)"
lab_wait_for 2 lab_lacks_address 1 "$VIP" ||
  lab_fail "node 1 kept the VIP after resigning"
lab_status_has "$LAB_DIR/f1.sock" '"effective_priority":0' || lab_fail "resigned float advertises non-zero"
grep -q "tether to the anchor lost" "$LAB_DIR/f1.log" || lab_fail "no log line about the tether"

anchor
tell '{"type":"peers","peers":["10.99.0.2"]}'
lab_wait_for 5 lab_status_has "$LAB_DIR/f1.sock" '"state":"BACKUP"' ||
  lab_fail "the float did not come back to BACKUP when the anchor returned"
lab_expect_holders "$VIP" "2"
lab_log "anchor back: node 1 competes again (BACKUP), nopreempt keeps the VIP on node 2"

lab_signal f2 TERM
lab_reap f2
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "node 1 did not take over from the stopped node 2"
tell '{"type":"resign","reason":"node is drained"}'
lab_wait_for 3 lab_lacks_address 1 "$VIP" ||
  lab_fail "a resign message did not release the VIP"
lab_status_has "$LAB_DIR/f1.sock" '"state":"FAULT"' || lab_fail "a resigned float is not in FAULT"
tell '{"type":"some-future-message","x":1}'
tell '{"type":"resume"}'
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "resume did not let the float take the VIP again"
lab_log "resign / resume messages: VIP released and taken back; unknown message ignored"

tell '{"type":"peers","peers":["10.99.0.3","10.99.0.2","10.99.0.1"]}'
lab_wait_for 3 lab_status_has "$LAB_DIR/f1.sock" '"peers":["10.99.0.2","10.99.0.3"]' ||
  lab_fail "new peers not in status (sorted, without the node's own address)"
lab_log "peers message: unicast to the anchor's peers"

# A service the anchor tracks (--track-service) is a tracker of the float: down resigns.
lab_wait_for 3 lab_has_address 1 "$VIP" || lab_fail "node 1 does not hold the VIP before the tracker test"
tell '{"type":"tracker","name":"service:web_web","up":false,"reason":"no task of web_web on this node"}'
lab_wait_for 3 lab_lacks_address 1 "$VIP" || lab_fail "a service tracked by the anchor going down kept the VIP"
lab_status_has "$LAB_DIR/f1.sock" '"reason":"tracker down: service:web_web: no task of web_web on this node"' ||
  lab_fail "the transition does not name the service"
tell '{"type":"tracker","name":"service:web_web","up":true,"reason":"task running, healthy"}'
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "the service back up did not let node 1 take the VIP"
lab_log "tracker message: a service down resigns the VIP, up lets the float compete again"
lab_log "PASS"
