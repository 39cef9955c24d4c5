#!/usr/bin/env bash
# Gratuitous ARP on takeover, seen on the wire: a burst of --garp-repeat frames at once and a
# second burst after --garp-refresh-delay, each a broadcast ARP request whose sender and target
# are the VIP, from the new master's MAC.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command tcpdump
lab_init

VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done
mac=$(lab_exec 1 cat /sys/class/net/eth0/address)
lab_spawn capture 2 tcpdump -i eth0 -nn -e -U -w "$LAB_DIR/arp.pcap" arp
sleep 0.5
lab_start_float f1 1 --vip "$VIP/24" --vrid 56 --priority 150 --garp-repeat 3 \
  --garp-refresh-delay 1s --status-socket none
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "the float did not take the VIP"
sleep 1.5
lab_signal capture TERM
lab_reap capture
arps=$(tcpdump -nn -e -r "$LAB_DIR/arp.pcap" 2>/dev/null | grep -E "Request who-has $VIP (\(ff:ff:ff:ff:ff:ff\) )?tell $VIP" || true)
count=$(grep -c . <<<"$arps" || true)
lab_log "captured $count gratuitous ARPs for $VIP"
[ "$count" -eq 6 ] || lab_fail "expected 2 bursts of 3 gratuitous ARPs, saw $count"
grep -q "^.*$mac > ff:ff:ff:ff:ff:ff" <<<"$arps" || lab_fail "gratuitous ARP not from $mac to broadcast"
first=$(tcpdump -nn -r "$LAB_DIR/arp.pcap" --time-stamp-precision=micro -tt 2>/dev/null | awk 'NR==1 {print $1}')
last=$(tcpdump -nn -r "$LAB_DIR/arp.pcap" -tt 2>/dev/null | awk 'END {print $1}')
gap=$(lab_elapsed "$first" "$last")
lab_log "second burst ${gap}s after the first"
awk -v g="$gap" 'BEGIN { exit !(g >= 0.9) }' || lab_fail "the second burst did not wait for the refresh delay"
lab_log "PASS"
