#!/usr/bin/env bash
# A VRRP sender that is not one of the float's peers (another router on the segment that reuses
# the VRID, or an attacker) cannot take the VIP: with unicast peers the float accepts adverts only
# from them (--accept-from peers, the default). It counts the drops, lists the foreign source in
# its status and logs it once a minute at most. The control run with --accept-from any shows that
# the same sender does take the VIP away, so the first part can fail.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command curl python3
lab_init

VIP=10.99.0.100
VRID=61
FOREIGN=10.99.0.9
SENDER="$(dirname "$0")/../lib/vrrp_sender.py"
for n in 1 2 9; do lab_add_node "$n" "10.99.0.$n/24"; done
lab_float_defaults --vip "$VIP/24" --vrid "$VRID"
foreign_adverts() { # name seconds: priority 254 at 10/s to both nodes and the multicast group
  lab_spawn "$1" 9 "$LAB_PYTHON" "$SENDER" --version 3 --vrid "$VRID" --priority 254 \
    --interval 100ms --vip "$VIP" --to 10.99.0.1 --to 10.99.0.2 --to 224.0.0.18 --rate 10 \
    --duration "$2"
}
lab_exec 9 "$LAB_PYTHON" "$SENDER" --selftest >/dev/null || lab_fail "vrrp_sender.py encodes wrongly"

lab_start_float f1 1 --priority 150 --unicast-peer 10.99.0.2 --preempt
lab_wait_for 5 lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "MASTER"' ||
  lab_fail "node 1 did not become master"
lab_start_float f2 2 --priority 100 --unicast-peer 10.99.0.1
lab_wait_for 5 lab_status_check "$LAB_DIR/f2.sock" 'i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1"
lab_expect_holders "$VIP" "1"
lab_status_check "$LAB_DIR/f1.sock" 'i["accept_from"] == "peers"' ||
  lab_fail "accept_from is $(lab_status_get "$LAB_DIR/f1.sock" 'i.get("accept_from")')," \
    "expected peers (the default with unicast peers)"
transitions_before=$(lab_status_get "$LAB_DIR/f1.sock" 'i["transitions_total"]')

# --- The foreign sender, 5 s at priority 254; holders sampled every 50 ms during it and 2 s after.
lab_spawn monitor1 1 ip -ts monitor address dev eth0
lab_spawn monitor2 2 ip -ts monitor address dev eth0
sleep 0.2
lab_sample_holders holders 7 "$VIP"
foreign_adverts sender 5
lab_reap sender
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "vrrp_sender.py failed: $(cat "$LAB_DIR/sender.log")"
lab_log "$(cat "$LAB_DIR/sender.log")"
grep -q "^sent 150 advertisements (0 errors)" "$LAB_DIR/sender.log" ||
  lab_fail "the sender did not send its 150 adverts"
lab_reap holders
lab_samples_expect holders "1" || lab_fail "the foreign sender moved the VIP"
if grep -E "Deleted .*inet $VIP/" "$LAB_DIR/monitor1.log"; then
  lab_fail "node 1 removed the VIP while the foreign sender ran"
fi
if grep -E "inet $VIP/" "$LAB_DIR/monitor2.log"; then
  lab_fail "node 2 added the VIP while the foreign sender ran"
fi
lab_signal monitor1 TERM
lab_signal monitor2 TERM
lab_reap monitor1
lab_reap monitor2

lab_log "node 1 after the foreign sender: $(lab_status_get "$LAB_DIR/f1.sock" \
  '{k: i.get(k) for k in ("state", "adverts_dropped", "foreign_sources")}')"
lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "MASTER" and i["master"] == "10.99.0.1"' ||
  lab_fail "node 1 is not master any more"
[ "$(lab_status_get "$LAB_DIR/f1.sock" 'i["transitions_total"]')" = "$transitions_before" ] ||
  lab_fail "node 1 changed state while the foreign sender ran"
dropped=$(lab_status_get "$LAB_DIR/f1.sock" 'i["adverts_dropped"].get("unknown_source", 0)')
[ "$dropped" -ge 50 ] || lab_fail "node 1 counted $dropped adverts dropped as unknown_source, expected >= 50"
lab_status_check "$LAB_DIR/f1.sock" 'any(f["address"] == "'"$FOREIGN"'" and f["priority"] == 254
  and f["count"] > 0 and f["last_seen"] for f in i["foreign_sources"])' ||
  lab_fail "node 1's foreign_sources lacks $FOREIGN with priority 254"
lab_status_check "$LAB_DIR/f2.sock" 'i["adverts_dropped"].get("unknown_source", 0) >= 50' ||
  lab_fail "node 2 did not count the foreign adverts as unknown_source"
lab_status_check "$LAB_DIR/f2.sock" 'i["state"] == "BACKUP" and i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 stopped following node 1"
metrics=$(lab_metrics "$LAB_DIR/f1.sock")
metric=$(grep -E '^keepalived_swarm_(vrrp_)?adverts_dropped_total\{[^}]*reason="unknown_source"' \
  <<<"$metrics" || true)
[ -n "$metric" ] || lab_fail "no adverts_dropped_total sample with reason=\"unknown_source\" in /metrics"
[ "$(awk '{ print ($NF > 0) }' <<<"$metric" | head -n 1)" = 1 ] ||
  lab_fail "the unknown_source metric is not above 0: $metric"
lab_log "metric: $metric"
mentions=$(grep -cF "$FOREIGN" "$LAB_DIR/f1.log" || true)
[ "$mentions" -eq 1 ] ||
  lab_fail "node 1 logged the foreign source $mentions times in 5 s, expected once (rate limit: once a minute per source)"
lab_log "log: $(grep -F "$FOREIGN" "$LAB_DIR/f1.log")"
lab_log "peers only: $dropped foreign adverts dropped on node 1, VIP stayed on node 1 throughout"

# --- Control: the same sender with --accept-from any (flag on node 1, environment on node 2).
lab_signal f2 TERM
lab_reap f2
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "f2 exited with $LAB_EXIT_STATUS"
lab_signal f1 TERM
lab_reap f1
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "f1 exited with $LAB_EXIT_STATUS"
lab_start_float any1 1 --priority 150 --unicast-peer 10.99.0.2 --preempt --accept-from any
lab_wait_for 5 lab_status_check "$LAB_DIR/any1.sock" 'i["state"] == "MASTER"' ||
  lab_fail "node 1 did not become master again"
KEEPALIVED_ACCEPT_FROM=any lab_start_float any2 2 --priority 100 --unicast-peer 10.99.0.1
lab_wait_for 5 lab_status_check "$LAB_DIR/any2.sock" 'i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1"
lab_status_check "$LAB_DIR/any1.sock" 'i["accept_from"] == "any"' || lab_fail "--accept-from any not in status"
lab_status_check "$LAB_DIR/any2.sock" 'i["accept_from"] == "any"' ||
  lab_fail "KEEPALIVED_ACCEPT_FROM=any not in status"
lab_expect_holders "$VIP" "1"

foreign_adverts control 3
lab_wait_for 4 lab_lacks_address 1 "$VIP" ||
  lab_fail "control: with --accept-from any the foreign priority 254 did not take the VIP from node 1"
lost=$(lab_now)
lab_status_check "$LAB_DIR/any1.sock" 'i["state"] == "BACKUP" and i["master"] == "'"$FOREIGN"'"' ||
  lab_fail "control: node 1 does not follow $FOREIGN: $(lab_status "$LAB_DIR/any1.sock")"
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "control: node 1 did not take the VIP back"
back=$(lab_now)
lab_reap control
sender_time() { sed -E "s/.*[ (]$1 (round )?at ([0-9.]+)[,)].*/\2/" "$LAB_DIR/control.log"; }
lab_log "control: node 1 lost $VIP $(lab_elapsed "$(sender_time first)" "$lost")s after the first" \
  "foreign advert (one advert at 254 suffices, plus polling)"
lab_log "control: node 1 took $VIP back $(lab_elapsed "$(sender_time last)" "$back")s after the last" \
  "foreign advert (Master_Down_Interval of priority 150 at 100 ms: 0.341s)"
sleep 0.3
lab_expect_holders "$VIP" "1"
lab_log "PASS"
