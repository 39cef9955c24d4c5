#!/usr/bin/env bash
# The float's command line: --help lists every option with its variable, bad values exit 2 naming
# option, value and what is allowed, and so do settings that cannot work on this node (unknown
# interface, a VIP outside the interface's subnets); what the machine refuses (missing
# privileges) exits 1. Each with a message saying what to do.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"

expect_exit() { # expected-status pattern command...
  local expected=$1 pattern=$2 output status=0
  shift 2
  output=$("$@" 2>&1) || status=$?
  [ "$status" -eq "$expected" ] || lab_fail "'$*' exited $status, expected $expected: $output"
  grep -qF -- "$pattern" <<<"$output" || lab_fail "'$*' did not say '$pattern': $output"
}

help=$("$KS_BINARY" float --help)
for option in --interface --vip --vrid --priority --advert-interval --vrrp-version \
  --unicast-peer --preempt --preempt-delay --tether --status-socket --notify \
  KEEPALIVED_INTERFACE KEEPALIVED_VIRTUAL_IPS KEEPALIVED_ROUTER_ID KEEPALIVED_PRIORITY; do
  grep -qF -- "$option" <<<"$help" || lab_fail "float --help does not mention $option"
done
expect_exit 0 "anchor" "$KS_BINARY" --help
expect_exit 0 "keepalived-swarm " "$KS_BINARY" float --version
expect_exit 2 "unknown command 'floaty'" "$KS_BINARY" floaty
expect_exit 2 "unrecognised option '--bogus'" "$KS_BINARY" float --bogus
expect_exit 2 "invalid --vrid (KEEPALIVED_ROUTER_ID) '0': expected an integer from 1 to 255" \
  "$KS_BINARY" float --interface eth0 --vip 10.0.0.1 --vrid 0
expect_exit 2 "invalid --priority (KEEPALIVED_PRIORITY) 'high'" \
  env KEEPALIVED_PRIORITY=high "$KS_BINARY" float --interface eth0 --vip 10.0.0.1
expect_exit 2 "invalid --notify (KEEPALIVED_NOTIFY)" \
  "$KS_BINARY" float --interface eth0 --vip 10.0.0.1 --notify '/bin/x "unbalanced'
lab_log "option validation: PASS"

lab_require_root
lab_init
lab_add_node 1 10.99.0.1/24
run() { lab_exec 1 "$KS_BINARY" float --status-socket none --advert-interval 100ms "$@"; }
expect_exit 2 "interface 'eth9' not found (--interface); interfaces here: lo, eth0" \
  run --interface eth9 --vip 10.99.0.100/24
expect_exit 2 "VIP 10.98.0.100/24 is not in a subnet of interface 'eth0' (it has 10.99.0.1/24)" \
  run --interface eth0 --vip 10.98.0.100/24
expect_exit 2 "no interface holds the node address 10.99.0.7 (--node-address)" \
  run --node-address 10.99.0.7 --vip 10.99.0.100/24
expect_exit 2 "has no IPv6 link-local address" \
  bash -c "ip netns exec $(lab_ns 1) sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1 &&
    ip netns exec $(lab_ns 1) $KS_BINARY float --interface eth0 --vip fd00::1 --status-socket none"
lab_exec 1 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
# A VIP that is one of the node's own addresses (a typo in the VIP list) is refused and the
# address stays: deleting it as a predecessor's VIP would cut the node off. Linux before 5.18
# cannot mark the VIPs a float adds, so there the float cannot tell the two apart.
if [ "$(uname -r | awk -F. '{ print ($1 > 5 || ($1 == 5 && $2 >= 18)) }')" = 1 ]; then
  lab_exec 1 ip addr add 10.99.0.50/24 dev eth0
  expect_exit 2 "VIP 10.99.0.1 is an address of this node (10.99.0.1/24 on 'eth0', not added by a float)" \
    run --interface eth0 --vip 10.99.0.1
  expect_exit 2 "VIP 10.99.0.50 is an address of this node" run --interface eth0 --vip 10.99.0.50/24
  lab_has_address 1 10.99.0.1 && lab_has_address 1 10.99.0.50 ||
    lab_fail "a refused float removed an address of the node"
  lab_exec 1 ip addr del 10.99.0.50/24 dev eth0
else
  lab_log "SKIP the node's own address as a VIP: Linux $(uname -r) keeps no address marks (5.18+)"
fi
if command -v capsh >/dev/null 2>&1; then
  expect_exit 1 "the float needs CAP_NET_RAW and CAP_NET_ADMIN" \
    lab_exec 1 capsh --drop=cap_net_raw,cap_net_admin -- -c \
    "exec $KS_BINARY float --interface eth0 --vip 10.99.0.100/24 --status-socket none"
fi
# A VIP given without prefix is a host address anywhere: accepted, added as /32.
lab_start_float host 1 --vip 10.98.0.100 --status-socket none
lab_wait_for 5 bash -c "ip netns exec $(lab_ns 1) ip -o addr show dev eth0 | grep -q 'inet 10.98.0.100/32'" ||
  lab_fail "a VIP without prefix was not added as /32"
lab_signal host TERM
lab_reap host
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "SIGTERM exit status $LAB_EXIT_STATUS"
lab_lacks_address 1 10.98.0.100 || lab_fail "the VIP stayed after SIGTERM"
lab_log "PASS"
