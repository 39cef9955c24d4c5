#!/usr/bin/env bash
# Unicast peers through a silent partition: two floats of equal priority, the master (the higher
# address) is cut off by the switch, which stops forwarding its port while the link keeps its
# carrier (a carrier loss is the link tracker's business: the cut node resigns). The other takes
# over, then the switch forwards again. During the cut both nodes' neighbour entries for each
# other failed, and the kernel retries a failed resolution only every retrans_time_ms, with the
# unicast adverts queued behind it. Hearing the rival master, the float refreshes that entry, so
# healing takes one advert interval, not a retransmission time.
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_init

VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done
# A long retransmission time on the cut node makes a stuck resolution obvious (default 1 s).
lab_exec 2 sysctl -qw net.ipv4.neigh.eth0.retrans_time_ms=3000
lab_float_defaults --vip "$VIP/24" --vrid 55 --priority 100 --status-socket none
lab_start_float f2 2 --unicast-peer 10.99.0.1
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "node 2 did not take the VIP"
lab_start_float f1 1 --unicast-peer 10.99.0.2
sleep 0.5
lab_expect_holders "$VIP" "2"

# The switch stops forwarding node 2's port; both ends keep their carrier.
silent_cut() { ip netns exec "$LAB_SWITCH" bridge link set dev "v$1" state "$2"; }
for round in 1 2; do
  silent_cut 2 0
  lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "round $round: node 1 did not take over during the cut"
  sleep 2
  lab_expect_holders "$VIP" "1 2"
  silent_cut 2 3
  start=$(lab_now)
  # Node 1 (lower address) must step down once node 2's advert reaches it.
  lab_wait_for 5 lab_lacks_address 1 "$VIP" || lab_fail "round $round: two holders 5s after healing"
  healed=$(lab_elapsed "$start" "$(lab_now)")
  lab_expect_holders "$VIP" "2"
  lab_log "round $round: one holder ${healed}s after the link came back (advert interval 0.1s)"
  # Well below the 3 s retransmission time; above the interval for slow polling.
  awk -v h="$healed" 'BEGIN { exit !(h < 0.6) }' ||
    lab_fail "round $round: healing took ${healed}s: the unicast adverts waited for neighbour resolution"
done
lab_log "PASS: unicast floats heal a partition within an advert interval"
