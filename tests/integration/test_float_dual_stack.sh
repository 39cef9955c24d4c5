#!/usr/bin/env bash
# A dual-stack float (an IPv4 and an IPv6 VIP, IPv4 unicast peers) runs ONE VRRP instance that
# carries both VIPs, so they always sit on the same node: one election, not one per family that
# could disagree. SIGKILL of the master moves both together.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command curl python3
lab_init

VIP4=10.99.0.100
VIP6=fd00:99::100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24" "fd00:99::$n/64"; done
lab_float_defaults --vip "$VIP4/24" --vip "$VIP6/64" --vrid 66
# Started together: both VIPs land on one node from the first sample on.
lab_sample_holders start 3 "$VIP4" "$VIP6"
lab_start_float f1 1 --priority 150 --unicast-peer 10.99.0.2 --preempt
lab_start_float f2 2 --priority 100 --unicast-peer 10.99.0.1
lab_wait_for 5 lab_has_address 1 "$VIP4" || lab_fail "node 1 did not take the IPv4 VIP"
lab_wait_for 5 lab_has_address 1 "$VIP6" || lab_fail "node 1 did not take the IPv6 VIP"
lab_reap start
same_node() { awk '{ if ($2 != $3) { print; bad = 1 } } END { exit bad }' "$LAB_DIR/$1.samples" >&2; }
same_node start || lab_fail "the two VIPs were on different nodes during the election"
lab_log "election: $(wc -l <"$LAB_DIR/start.samples") samples, both VIPs always on the same node(s)"

lab_sample_holders steady 2 "$VIP4" "$VIP6"
lab_reap steady
lab_samples_expect steady "1 1" || lab_fail "the VIPs did not both stay on node 1"
for f in f1 f2; do
  lab_status_check "$LAB_DIR/$f.sock" 'len(s["instances"]) == 1' ||
    lab_fail "$f runs $(lab_status_get "$LAB_DIR/$f.sock" 'len(s["instances"])') instances, expected one"
  lab_status_check "$LAB_DIR/$f.sock" \
    'sorted(i["vips"]) == ["'"$VIP4"'/24", "'"$VIP6"'/64"] and i["family"] == "ipv4" and i["vrid"] == 66' ||
    lab_fail "$f's instance: $(lab_status_get "$LAB_DIR/$f.sock" '{k: i.get(k) for k in ("vips", "family", "vrid")}')"
done
lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "MASTER"' || lab_fail "node 1 is not MASTER"
lab_status_check "$LAB_DIR/f2.sock" 'i["state"] == "BACKUP" and i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1"
lab_log "status: one instance, vips $(lab_status_get "$LAB_DIR/f1.sock" 'i["vips"]'), family ipv4"

# --- SIGKILL of the master: both VIPs appear on node 2 (and stay on the dead node 1: nobody
# removes them there, as with keepalived).
lab_spawn monitor2 2 ip -ts monitor address dev eth0
sleep 0.2
lab_sample_holders failover 2 "$VIP4" "$VIP6"
start=$(lab_now)
lab_signal f1 KILL
lab_wait_for 5 lab_has_address 2 "$VIP4" || lab_fail "node 2 did not take the IPv4 VIP"
lab_wait_for 5 lab_has_address 2 "$VIP6" || lab_fail "node 2 did not take the IPv6 VIP"
lab_reap failover
same_node failover || lab_fail "the two VIPs were on different nodes during the failover"
added4=$(lab_monitor_times "^\[[^]]*\] [0-9]+: eth0 +inet $VIP4/" "$LAB_DIR/monitor2.log" | head -n 1)
added6=$(lab_monitor_times "^\[[^]]*\] [0-9]+: eth0 +inet6 $VIP6/" "$LAB_DIR/monitor2.log" | head -n 1)
{ [ -n "$added4" ] && [ -n "$added6" ]; } || lab_fail "node 2's address monitor did not see both VIPs added"
lab_log "SIGKILL of the master: node 2 added $VIP4 after $(lab_elapsed "$start" "$added4")s and" \
  "$VIP6 after $(lab_elapsed "$start" "$added6")s (Master_Down_Interval 0.361s)"
apart=$(awk -v a="$added4" -v b="$added6" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.3f", d }')
lab_log "the two VIPs were added ${apart}s apart"
awk -v d="$apart" 'BEGIN { exit !(d < 0.050) }' || lab_fail "the VIPs moved ${apart}s apart, expected together"
lab_status_check "$LAB_DIR/f2.sock" 'i["state"] == "MASTER"' || lab_fail "node 2 is not MASTER"
lab_log "PASS"
