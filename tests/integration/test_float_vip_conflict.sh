#!/usr/bin/env bash
# Another host claiming a VIP with its own MAC (ARP replies, or IPv6 neighbour advertisements, for
# the VIP that are not ours) is a conflict the master reports: vip_conflicts in the status, the
# vip_conflicts_total counter in the metrics, and a warning in the log once Master_Down_Interval
# has passed without an election to explain it. The master keeps the VIP. The master's own
# announcements (its gratuitous ARP / unsolicited NA, also seen by the backup) are not a conflict.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command curl python3
lab_init

VIP4=10.99.0.100
VIP6=fd00:99::100
declare -A CLAIM=(["4"]=02:00:00:00:99:99 ["6"]=02:00:00:00:99:98)
ARP_CLAIM="$(dirname "$0")/../lib/arp_claim.py"
for n in 1 2 3; do lab_add_node "$n" "10.99.0.$n/24" "fd00:99::$n/64"; done
lab_float_defaults --vip "$VIP4/24" --vip "$VIP6/64" --vrid 63
lab_start_float f1 1 --priority 150 --preempt
lab_wait_for 5 lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "MASTER"' ||
  lab_fail "node 1 did not become master"
lab_start_float f2 2 --priority 100
lab_wait_for 5 lab_status_check "$LAB_DIR/f2.sock" 'i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1"
lab_expect_holders "$VIP4" "1"
lab_expect_holders "$VIP6" "1"
# Claims with node 1's own MAC, as its own announcements on becoming master: not a conflict.
node1_mac=$(lab_exec 1 cat /sys/class/net/eth0/address)
for vip in "$VIP4" "$VIP6"; do
  lab_exec 1 "$LAB_PYTHON" "$ARP_CLAIM" --interface eth0 --address "$vip" --mac "$node1_mac" \
    --count 2 --interval 0.05 >/dev/null
done
sleep 0.5
lab_status_check "$LAB_DIR/f1.sock" 'i["vip_conflicts"] == []' ||
  lab_fail "node 1 reports a conflict before any: $(lab_status_get "$LAB_DIR/f1.sock" 'i["vip_conflicts"]')"
lab_status_check "$LAB_DIR/f2.sock" \
  'not any(c["mac"].lower() == "'"$node1_mac"'" for c in i.get("vip_conflicts", []))' ||
  lab_fail "node 2 reports the master's own announcement as a conflict:" \
    "$(lab_status_get "$LAB_DIR/f2.sock" 'i["vip_conflicts"]')"

lab_sample_holders holders 4 "$VIP4" "$VIP6"
conflict_listed() { # vip mac
  lab_status_check "$LAB_DIR/f1.sock" 'any(c["vip"] == "'"$1"'" and c["mac"].lower() == "'"$2"'"
    and c["count"] >= 1 and c["last_seen"] for c in i["vip_conflicts"])'
}
for family in 4 6; do
  vip=$VIP4
  [ "$family" = 6 ] && vip=$VIP6
  mac=${CLAIM[$family]}
  lab_spawn "claim$family" 3 "$LAB_PYTHON" "$ARP_CLAIM" --interface eth0 --address "$vip" \
    --mac "$mac" --count 5 --interval 0.2
  lab_reap "claim$family"
  [ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "arp_claim.py failed: $(cat "$LAB_DIR/claim$family.log")"
  lab_log "node 3: $(cat "$LAB_DIR/claim$family.log")"
  lab_wait_for 3 conflict_listed "$vip" "$mac" ||
    lab_fail "node 1's vip_conflicts lacks $vip at $mac:" \
      "$(lab_status_get "$LAB_DIR/f1.sock" 'i.get("vip_conflicts")')"
  # Logged once still master Master_Down_Interval after the first claim (no election explains it).
  lab_wait_for 3 grep -qE " warn .*$vip.*$mac| warn .*$mac.*$vip" "$LAB_DIR/f1.log" ||
    lab_fail "no warning naming $vip and $mac in node 1's log"
done
lab_log "node 1 vip_conflicts: $(lab_status_get "$LAB_DIR/f1.sock" 'i["vip_conflicts"]')"
conflicts=$(lab_status_get "$LAB_DIR/f1.sock" 'sum(c["count"] for c in i["vip_conflicts"])')
metric=$(grep -E '^keepalived_swarm_(vrrp_)?vip_conflicts_total(\{[^}]*\})? ' \
  <<<"$(lab_metrics "$LAB_DIR/f1.sock")" || true)
[ -n "$metric" ] || lab_fail "no vip_conflicts_total counter in /metrics"
lab_log "metric: $metric"
awk '{ total += $NF } END { exit !(total > 0) }' <<<"$metric" ||
  lab_fail "the vip_conflicts_total counter is not above 0: $metric"
[ "$(awk '{ total += $NF } END { print total }' <<<"$metric")" = "$conflicts" ] ||
  lab_fail "the counter does not add up to the $conflicts conflicts in the status"
lab_reap holders
lab_samples_expect holders "1 1" || lab_fail "the VIPs did not stay on the master during the conflicts"
lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "MASTER"' || lab_fail "node 1 is not master any more"
lab_log "PASS"
