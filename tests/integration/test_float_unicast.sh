#!/usr/bin/env bash
# Unicast peers (for networks that drop multicast): adverts go to each peer, never to 224.0.0.18,
# and failover works the same. The bridge drops multicast here to prove nothing relies on it.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command tcpdump
lab_init

VIP=10.99.0.100
for n in 1 2 3; do lab_add_node "$n" "10.99.0.$n/24"; done
# Like many clouds: the switch forwards no multicast at all.
lab_exec_switch() { ip netns exec "$LAB_SWITCH" "$@"; }
ip -n "$LAB_SWITCH" link set br0 type bridge mcast_snooping 1 mcast_flood 0 2>/dev/null || true
for n in 1 2 3; do ip -n "$LAB_SWITCH" link set "v$n" type bridge_slave mcast_flood off; done

peers() { local me=$1 n out=(); for n in 1 2 3; do [ "$n" = "$me" ] || out+=(--unicast-peer "10.99.0.$n"); done; echo "${out[@]}"; }
lab_spawn capture 1 tcpdump -i eth0 -nn -U -w "$LAB_DIR/vrrp.pcap" ip proto 112
sleep 0.5
for n in 1 2 3; do
  # shellcheck disable=SC2046
  lab_start_float "f$n" "$n" --vip "$VIP/24" --vrid 54 --priority $((200 - n * 50)) --preempt \
    --status-socket none $(peers "$n")
done
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "no unicast election"
sleep 0.5
lab_expect_holders "$VIP" "1"

start=$(lab_now)
lab_signal f1 KILL
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "unicast failover did not happen"
lab_log "unicast SIGKILL failover: $(lab_elapsed "$start" "$(lab_now)")s"
sleep 0.3
lab_signal capture TERM
lab_reap capture
packets=$(tcpdump -nn -r "$LAB_DIR/vrrp.pcap" 2>/dev/null)
total=$(grep -c VRRP <<<"$packets" || true)
multicast=$(grep -c '> 224.0.0.18' <<<"$packets" || true)
to_node1=$(grep -c '10.99.0.[23] > 10.99.0.1:' <<<"$packets" || true)
lab_log "node 1 saw $total VRRP packets, $multicast multicast, $to_node1 unicast from its peers"
[ "$total" -gt 0 ] || lab_fail "no VRRP packet captured"
[ "$multicast" -eq 0 ] || lab_fail "$multicast adverts went to the multicast group"
lab_log "PASS"
