#!/usr/bin/env bash
# --spread: three floats, three VIPs, one VRRP instance per VIP homed round-robin over the nodes by
# address. Each node holds exactly one VIP; a SIGKILLed node's VIP moves to a survivor while the
# other two never move; restarted, the node takes its VIP home after --preempt-delay and nothing
# else moves. The status names each VIP's home; what spread cannot work with is refused.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_init

VIPS=(10.99.0.100 10.99.0.101 10.99.0.102)
PREEMPT_DELAY=3
for n in 1 2 3; do lab_add_node "$n" "10.99.0.$n/24"; done
lab_float_defaults --vip "${VIPS[0]}/24" --vip "${VIPS[1]}/24" --vip "${VIPS[2]}/24" --vrid 60 \
  --spread --preempt-delay "${PREEMPT_DELAY}s"
peers_of() { # node: the --unicast-peer options naming the two others
  local other
  for other in 1 2 3; do [ "$other" = "$1" ] || printf -- '--unicast-peer\n10.99.0.%s\n' "$other"; done
}
start_node() { # node
  local peers
  mapfile -t peers < <(peers_of "$1")
  lab_start_float "f$1" "$1" "${peers[@]}"
}
holders_are() { # expected holders of the three VIPs, e.g. "1 2 3"
  [ "$(lab_holders "${VIPS[0]}") $(lab_holders "${VIPS[1]}") $(lab_holders "${VIPS[2]}")" = "$1" ]
}

# Refused before anything starts: no peer set to home the VIPs by, a VRID range past 255.
if output=$(ip netns exec "$(lab_ns 1)" "$KS_BINARY" float --interface eth0 --status-socket none \
  --vip "${VIPS[0]}/24" --spread 2>&1); then
  lab_fail "--spread without peers started"
fi
grep -q -- "--spread needs every node" <<<"$output" || lab_fail "unexpected refusal: $output"
status=0
output=$("$KS_BINARY" float --interface eth0 --vip 10.99.0.100 --vip 10.99.0.101 --vip 10.99.0.102 \
  --vrid 254 --spread --unicast-peer 10.99.0.2 2>&1) || status=$?
[ "$status" = 2 ] || lab_fail "a VRID range past 255 exited $status, expected 2: $output"
grep -q "at most 253 with --spread and 3 VIPs" <<<"$output" || lab_fail "unexpected refusal: $output"

started=$(lab_now)
for n in 1 2 3; do start_node "$n"; done
lab_wait_for 10 holders_are "1 2 3" ||
  lab_fail "the VIPs are not one per node: $(for v in "${VIPS[@]}"; do printf '[%s] ' "$(lab_holders "$v")"; done)"
lab_log "one VIP per node $(lab_elapsed "$started" "$(lab_now)")s after the floats started"
for n in 1 2 3; do
  lab_status_check "$LAB_DIR/f$n.sock" \
    '[x["home"] for x in s["instances"]] == ["10.99.0.1", "10.99.0.2", "10.99.0.3"]' ||
    lab_fail "node $n's status does not name the homes: $(lab_status "$LAB_DIR/f$n.sock")"
done
lab_status_check "$LAB_DIR/f1.sock" '[x["name"] for x in s["instances"]] == ["VI_60", "VI_61", "VI_62"]' ||
  lab_fail "the instances are not named by their VRIDs"
lab_metrics "$LAB_DIR/f2.sock" >"$LAB_DIR/f2.metrics"
grep -q 'keepalived_swarm_vrrp_home{.*vrid="61".*home="10.99.0.2"} 1' "$LAB_DIR/f2.metrics" ||
  lab_fail "the metrics do not name VI_61's home"

# The two VIPs of the living nodes must not move while node 1 dies and comes back.
lab_sample_holders others $((PREEMPT_DELAY + 8)) "${VIPS[1]}" "${VIPS[2]}"
sleep 0.3
killed=$(lab_now)
lab_signal f1 KILL
lab_reap f1
# Node 1's first successor for the first VIP is node 2 (the next by address).
lab_wait_for 3 lab_has_address 2 "${VIPS[0]}" || lab_fail "node 1's VIP did not move to node 2"
moved=$(lab_elapsed "$killed" "$(lab_now)")
lab_log "node 1's VIP on node 2 ${moved}s after its float was SIGKILLed"

# Back: the stale VIP goes at once, then the VIP stays on node 2 for the preempt delay.
returned=$(lab_now)
start_node 1
lab_wait_for 3 lab_lacks_address 1 "${VIPS[0]}" || lab_fail "the restarted float kept the stale VIP"
sleep $((PREEMPT_DELAY - 1))
[ "$(lab_holders "${VIPS[0]}")" = "2" ] ||
  lab_fail "node 1's VIP went home before the preempt delay: [$(lab_holders "${VIPS[0]}")]"
lab_wait_for $((PREEMPT_DELAY + 3)) holders_are "1 2 3" ||
  lab_fail "node 1's VIP did not go home: [$(lab_holders "${VIPS[0]}")]"
home=$(lab_elapsed "$returned" "$(lab_now)")
lab_log "node 1's VIP home ${home}s after its float restarted (preempt delay ${PREEMPT_DELAY}s)"
awk -v s="$home" -v d="$PREEMPT_DELAY" 'BEGIN { exit !(s >= d) }' ||
  lab_fail "the VIP went home before the preempt delay (${home}s)"
lab_reap others
lab_samples_expect others "2 3" || lab_fail "a VIP of a living node moved"
lab_log "PASS"
