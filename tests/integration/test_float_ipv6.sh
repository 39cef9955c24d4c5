#!/usr/bin/env bash
# VRRPv3 over IPv6: adverts from the link-local address to ff02::12 with hop limit 255, the IPv6
# VIP added without DAD, an unsolicited neighbour advertisement on takeover, failover. An
# IPv6-only float (test_float_dual_stack.sh covers one instance carrying both families).
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command tcpdump curl
lab_init

VIP=fd00:99::100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24" "fd00:99::$n/64"; done
lab_spawn capture 2 tcpdump -i eth0 -nn -U -w "$LAB_DIR/v6.pcap" ip6
sleep 0.5
lab_start_float f1 1 --vip "$VIP/64" --vrid 55 --priority 150 --preempt
lab_start_float f2 2 --vip "$VIP/64" --vrid 55 --priority 100 --status-socket none
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "no node took the IPv6 VIP"
sleep 0.5
lab_expect_holders "$VIP" "1"
lab_status_check "$LAB_DIR/f1.sock" \
  'len(s["instances"]) == 1 and i["family"] == "ipv6" and i["vips"] == ["'"$VIP"'/64"]' ||
  lab_fail "status does not show one IPv6 instance: $(lab_status "$LAB_DIR/f1.sock")"

start=$(lab_now)
lab_signal f1 TERM
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "IPv6 failover did not happen"
lab_log "IPv6 SIGTERM failover: $(lab_elapsed "$start" "$(lab_now)")s"
sleep 0.3
lab_signal capture TERM
lab_reap capture
packets=$(tcpdump -nn -v -r "$LAB_DIR/v6.pcap" 2>/dev/null)
grep -q 'fe80::[0-9a-f:]* > ff02::12: .*VRRPv3, Advertisement, vrid 55, prio 150' <<<"$packets" ||
  grep -A1 'hlim 255.*VRRP' <<<"$packets" | grep -q 'ff02::12: VRRPv3, Advertisement, vrid 55' ||
  lab_fail "no VRRPv3 advert from a link-local address to ff02::12"
grep -q 'hlim 255, next-header VRRP' <<<"$packets" || lab_fail "adverts not sent with hop limit 255"
grep -q 'fd00:99::100 > ff02::1: .*neighbor advertisement.*tgt is fd00:99::100' <<<"$packets" ||
  lab_fail "no unsolicited neighbour advertisement for the VIP"
lab_signal f2 TERM
lab_reap f2

# The largest valid advert: 255 IPv6 VIPs are 4,128 bytes. On a 9000-byte MTU both floats must
# hear each other whole (a receive buffer cut at 2 KiB made both MASTER); past 255, or past the
# link's MTU, the float refuses to start.
many_vips() { # count: fd00:99::1:1/64 ...
  local i
  for ((i = 1; i <= $1; i++)); do printf -- '--vip fd00:99::1:%x/64 ' "$i"; done
}
for n in 1 2; do
  ip -n "$LAB_SWITCH" link set "v$n" mtu 9000
  lab_exec "$n" ip link set eth0 mtu 9000
done
# shellcheck disable=SC2046
lab_start_float b1 1 $(many_vips 255) --vrid 56 --priority 150
# shellcheck disable=SC2046
lab_start_float b2 2 $(many_vips 255) --vrid 56 --priority 100
lab_wait_for 10 lab_has_address 1 fd00:99::1:ff || lab_fail "no node took the 255 VIPs"
lab_wait_for 3 lab_status_check "$LAB_DIR/b2.sock" 'i["state"] == "BACKUP" and i["master"] != ""' ||
  lab_fail "node 2 does not hear node 1's 255-address advert: $(lab_status "$LAB_DIR/b2.sock")"
sleep 0.5
lab_expect_holders fd00:99::1:ff "1"
lab_log "255 IPv6 VIPs (4,128-byte adverts): one holder, the backup hears the master"
lab_signal b1 TERM
lab_signal b2 TERM
lab_reap b1
lab_reap b2
expect_refusal() { # pattern vip-count
  local output status=0
  # shellcheck disable=SC2046
  output=$(lab_exec 1 "$KS_BINARY" float --interface eth0 $(many_vips "$2") --vrid 57 \
    --status-socket none 2>&1) || status=$?
  [ "$status" -eq 2 ] && grep -qF -- "$1" <<<"$output" ||
    lab_fail "$2 VIPs: exit $status, expected 2 and '$1': $output"
}
expect_refusal "at most 255 VIPs of the advertised family" 256
lab_exec 1 ip link set eth0 mtu 1500
expect_refusal "an advert naming 91 VIPs is 1504 bytes, more than the MTU of interface 'eth0' (1500)" 91
lab_log "256 VIPs, and 91 on a 1500-byte MTU: exit 2 before touching the interface"
lab_log "PASS"
