#!/usr/bin/env bash
# The master keeps its VIP: an address deleted by hand (or by a network manager) is put back at
# once, counted in vips_restored and logged. Link tracking: when the master's interface goes down
# (administratively inside the node, or its carrier from the switch side) the float goes FAULT,
# removes the VIP, and the other node takes over within Master_Down_Interval; when the link comes
# back the float returns as BACKUP (no --preempt) and one node holds the VIP.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command curl python3
lab_init

VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done
lab_float_defaults --vip "$VIP/24" --vrid 62
state_is() { lab_status_check "$LAB_DIR/$1.sock" "i[\"state\"] == \"$2\""; }

lab_start_float f1 1 --priority 150
lab_wait_for 5 state_is f1 MASTER || lab_fail "node 1 did not become master"
lab_start_float f2 2 --priority 100
lab_wait_for 5 lab_status_check "$LAB_DIR/f2.sock" 'i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1"
lab_expect_holders "$VIP" "1"

# --- Self-healing: delete the VIP on the master three times.
lab_spawn monitor1 1 ip -ts monitor address dev eth0
lab_spawn monitor2 2 ip -ts monitor address dev eth0
sleep 0.2
transitions_before=$(lab_status_get "$LAB_DIR/f1.sock" 'i["transitions_total"]')
for round in 1 2 3; do
  lab_exec 1 ip addr del "$VIP/24" dev eth0
  lab_wait_for 2 lab_has_address 1 "$VIP" || lab_fail "the master did not put back its VIP (round $round)"
  sleep 0.3
done
mapfile -t deleted < <(lab_monitor_times "Deleted .*inet $VIP/" "$LAB_DIR/monitor1.log")
mapfile -t added < <(lab_monitor_times "^\[[^]]*\] [0-9]+: eth0 +inet $VIP/" "$LAB_DIR/monitor1.log")
{ [ "${#deleted[@]}" -eq 3 ] && [ "${#added[@]}" -eq 3 ]; } ||
  lab_fail "node 1's address monitor shows ${#deleted[@]} deletions and ${#added[@]} additions of $VIP, expected 3 and 3"
for round in 0 1 2; do
  heal=$(awk -v a="${deleted[$round]}" -v b="${added[$round]}" 'BEGIN { printf "%.6f", b - a }')
  lab_log "VIP deleted by hand: back on node 1 after $(awk -v t="$heal" 'BEGIN { printf "%.2f", t * 1000 }') ms (kernel timestamps)"
  awk -v t="$heal" 'BEGIN { exit !(t >= 0 && t < 0.050) }' ||
    lab_fail "the VIP came back after ${heal}s, expected within 0.050s"
done
restored=$(lab_status_get "$LAB_DIR/f1.sock" 'i["vips_restored"]')
[ "$restored" -ge 3 ] || lab_fail "vips_restored is $restored after 3 deletions"
grep -E " warn .*$VIP" "$LAB_DIR/f1.log" >&2 || lab_fail "no warning about the deleted VIP in the log"
[ "$(lab_status_get "$LAB_DIR/f1.sock" 'i["transitions_total"]')" = "$transitions_before" ] ||
  lab_fail "healing the VIP changed the master's state"
if grep -E "inet $VIP/" "$LAB_DIR/monitor2.log"; then lab_fail "node 2 took the VIP meanwhile"; fi
lab_expect_holders "$VIP" "1"
lab_log "self-healing: vips_restored=$restored, state unchanged, node 2 never took the VIP"

# --- Link tracking: the link goes down and comes back, with the commands given. Times are taken
# from the kernel (address monitors) and from the float's own transition records, not from polling.
transition_time() { # socket state: epoch of the latest transition to STATE
  local at
  at=$(lab_status_get "$1" '[t["at"] for t in i["transitions"] if t["to"] == "'"$2"'"][-1]') &&
    date -d "$at" +%s.%N
}
vip_event_time() { # monitor-log added|deleted: epoch of the latest such change of the VIP
  if [ "$2" = deleted ]; then
    lab_monitor_times "Deleted .*inet $VIP/" "$LAB_DIR/$1.log" | tail -n 1
  else
    lab_monitor_times "^\[[^]]*\] [0-9]+: eth0 +inet $VIP/" "$LAB_DIR/$1.log" | tail -n 1
  fi
}
link_fault() { # name description down-command... -- up-command...
  local name=$1 what=$2 down=() up=() start fault removed taken backup
  shift 2
  while [ "$1" != "--" ]; do down+=("$1"); shift; done
  shift
  up=("$@")
  lab_expect_holders "$VIP" "1"
  start=$(lab_now)
  "${down[@]}"
  lab_wait_for 3 state_is f1 FAULT || lab_fail "$what: node 1 did not go FAULT: $(lab_status "$LAB_DIR/f1.sock")"
  lab_status_check "$LAB_DIR/f1.sock" \
    'any(t["name"] == "link" and t["up"] is False and t["reason"] and t["since"] for t in i["trackers"])' ||
    lab_fail "$what: no tracker 'link' down with a reason: $(lab_status_get "$LAB_DIR/f1.sock" 'i.get("trackers")')"
  lab_log "$what: trackers $(lab_status_get "$LAB_DIR/f1.sock" 'i["trackers"]')"
  lab_wait_for 2 lab_lacks_address 1 "$VIP" || lab_fail "$what: the FAULT node kept the VIP"
  lab_wait_for 3 lab_has_address 2 "$VIP" || lab_fail "$what: node 2 did not take over"
  lab_expect_holders "$VIP" "2"
  fault=$(transition_time "$LAB_DIR/f1.sock" FAULT)
  removed=$(vip_event_time monitor1 deleted)
  taken=$(vip_event_time monitor2 added)
  lab_log "$what: node 1 FAULT after $(lab_elapsed "$start" "$fault")s, VIP removed from node 1" \
    "after $(lab_elapsed "$start" "$removed")s, added on node 2 after $(lab_elapsed "$start" "$taken")s" \
    "(Master_Down_Interval of priority 100 at 100 ms: 0.361s)"
  awk -v t="$(lab_elapsed "$start" "$removed")" 'BEGIN { exit !(t >= 0 && t < 0.5) }' ||
    lab_fail "$what: the VIP left node 1 only after $(lab_elapsed "$start" "$removed")s"
  awk -v t="$(lab_elapsed "$start" "$taken")" 'BEGIN { exit !(t > 0 && t < 1.0) }' ||
    lab_fail "$what: takeover took $(lab_elapsed "$start" "$taken")s, expected well under 1s"

  start=$(lab_now)
  "${up[@]}"
  lab_wait_for 5 state_is f1 BACKUP || lab_fail "$what: node 1 did not return as BACKUP: $(lab_status "$LAB_DIR/f1.sock")"
  backup=$(transition_time "$LAB_DIR/f1.sock" BACKUP)
  lab_log "$what: link back, node 1 BACKUP after $(lab_elapsed "$start" "$backup")s"
  lab_status_check "$LAB_DIR/f1.sock" \
    'all(t["up"] for t in i["trackers"]) and any(t["name"] == "link" for t in i["trackers"])' ||
    lab_fail "$what: the link tracker is not up again"
  lab_sample_holders "$name" 2 "$VIP"
  lab_reap "$name"
  lab_samples_expect "$name" "2" || lab_fail "$what: after the link came back the VIP did not stay on node 2 alone"
  lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "BACKUP" and i["master"] == "10.99.0.2"' ||
    lab_fail "$what: node 1 does not follow node 2"
}

ns1=$(lab_ns 1)
link_fault admin-down "interface down in the node" ip -n "$ns1" link set eth0 down -- \
  ip -n "$ns1" link set eth0 up

# Node 1 master again (node 2 resigns), then the carrier: the switch-side port goes down.
start=$(lab_now)
lab_signal f2 TERM
lab_wait_for 3 lab_has_address 1 "$VIP" || lab_fail "node 1 did not take over after SIGTERM of node 2"
lab_log "SIGTERM of node 2: node 1 holds $VIP after $(lab_elapsed "$start" "$(lab_now)")s (Skew_Time of priority 150: 0.041s)"
lab_reap f2
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "f2 exited with $LAB_EXIT_STATUS"
lab_start_float f2b 2 --priority 100
lab_wait_for 5 lab_status_check "$LAB_DIR/f2b.sock" 'i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1 after its restart"
lab_wait_for 3 state_is f1 MASTER || lab_fail "node 1 is not master"
link_fault carrier-lost "carrier lost (switch port down)" lab_link_down 1 -- lab_link_up 1
lab_log "PASS"
