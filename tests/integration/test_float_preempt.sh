#!/usr/bin/env bash
# --preempt: a higher priority float takes the VIP from a running lower priority master after
# Master_Down_Interval; with --preempt-delay it tolerates the lower master that long first.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_init

VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done
lab_float_defaults --vip "$VIP/24" --vrid 52 --status-socket none

lab_start_float low 2 --priority 100
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "the only float did not take the VIP"

start=$(lab_now)
lab_start_float high 1 --priority 200 --preempt
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "the higher priority float did not preempt"
lab_wait_for 2 lab_lacks_address 2 "$VIP" ||
  lab_fail "the preempted master kept the VIP"
fast=$(lab_elapsed "$start" "$(lab_now)")
lab_log "preempted after ${fast}s"

lab_signal high TERM
lab_reap high
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "the VIP did not return to node 2"
start=$(lab_now)
lab_start_float delayed 1 --priority 200 --preempt --preempt-delay 1500ms
sleep 1.2
lab_expect_holders "$VIP" "2"
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "the delayed preemption never happened"
slow=$(lab_elapsed "$start" "$(lab_now)")
lab_log "preempted after ${slow}s with a 1.5s preempt delay"
awk -v s="$slow" 'BEGIN { exit !(s >= 1.5) }' || lab_fail "preempted before the delay (${slow}s)"
lab_log "PASS"
