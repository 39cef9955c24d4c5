#!/usr/bin/env bash
# Three floats in three namespaces: the highest priority holds the VIP; SIGKILL of the master
# moves it within Master_Down_Interval (and leaves the VIP on the dead node, which a restarted
# float removes first thing); SIGTERM resigns with priority 0 and the next takes over after
# Skew_Time. Without --preempt (the default) a returning higher priority leaves the VIP where it is.
# ctest-labels: sanitize
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_init

VIP=10.99.0.100
for n in 1 2 3; do lab_add_node "$n" "10.99.0.$n/24"; done
lab_float_defaults --vip "$VIP/24" --vrid 51

# With --preempt the priorities decide whatever order the processes happen to start in.
lab_start_float f1 1 --priority 150 --preempt
lab_start_float f2 2 --priority 100 --preempt
lab_start_float f3 3 --priority 50 --preempt
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "no node took the VIP"
sleep 0.5
lab_expect_holders "$VIP" "1"
lab_status_has "$LAB_DIR/f1.sock" '"state":"MASTER"' ||
  lab_fail "f1's status does not say MASTER"
lab_status_has "$LAB_DIR/f2.sock" '"master":"10.99.0.1"' ||
  lab_fail "f2's status does not name 10.99.0.1 as master"
lab_log "election: node 1 (priority 150) holds $VIP"

start=$(lab_now)
lab_signal f1 KILL
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "node 2 did not take over after SIGKILL"
lab_log "SIGKILL of the master: node 2 holds $VIP after $(lab_elapsed "$start" "$(lab_now)")s" \
  "(Master_Down_Interval 0.361s)"
sleep 0.3
# The killed float could not clean up: its VIP is still there. That is what the next start fixes.
lab_expect_holders "$VIP" "1 2"

lab_start_float f1b 1 --priority 150
lab_wait_for 5 lab_lacks_address 1 "$VIP" ||
  lab_fail "the restarted float did not remove the stale VIP"
grep -q "removed a VIP left on the interface by a previous float" "$LAB_DIR/f1b.log" ||
  lab_fail "no log line about the stale VIP"
sleep 0.5
lab_expect_holders "$VIP" "2"
lab_log "restart: stale VIP removed; without --preempt the restarted float left the VIP on node 2"

start=$(lab_now)
lab_signal f2 TERM
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "node 1 did not take over after SIGTERM"
lab_log "SIGTERM of the master: node 1 holds $VIP after $(lab_elapsed "$start" "$(lab_now)")s" \
  "(Skew_Time of priority 150: 0.041s)"
lab_reap f2
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "f2 exited with $LAB_EXIT_STATUS after SIGTERM, expected 0"
sleep 0.3
lab_expect_holders "$VIP" "1"
lab_log "PASS"
