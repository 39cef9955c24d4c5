#!/usr/bin/env bash
# Three floats of equal priority (the stack's default) and a client. When the master resigns, both
# backups wait the same Skew_Time and become master together; the one with the lower address
# steps down on the other's advert, but its gratuitous ARPs may already have pointed the client
# at it. The winner must then announce again, so the client reaches the VIP on the winner's MAC
# instead of a stale one until its neighbour entry expires (seconds).
# ctest-labels: sanitize
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_init

VIP=10.99.0.100
CLIENT=4
for n in 1 2 3 4; do lab_add_node "$n" "10.99.0.$n/24"; done
lab_float_defaults --vip "$VIP/24" --vrid 52 --priority 100 --garp-refresh-delay 0 \
  --status-socket none
mac_of() { lab_exec "$1" cat /sys/class/net/eth0/address; }
client_sees() { # mac: the client's neighbour entry for the VIP names this MAC
  local listing
  listing=$(lab_exec "$CLIENT" ip neigh show "$VIP" dev eth0) || return 1
  grep -q "lladdr $1" <<<"$listing"
}
# A TCP connection to a closed port of the VIP: refused means the holder's kernel answered.
vip_answers() {
  local result
  result=$(lab_exec "$CLIENT" timeout 1 bash -c "exec 3<>/dev/tcp/$VIP/9" 2>&1) && return 0
  grep -q "refused" <<<"$result"
}
one_holder() { [ "$(lab_holders "$VIP" | wc -w)" = 1 ]; }

lab_start_float f1 1
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "node 1 did not take the VIP"
lab_start_float f2 2
lab_start_float f3 3
sleep 0.5
lab_expect_holders "$VIP" "1"

holder=1
for round in 1 2 3 4; do
  # The client talks to the VIP, so it has a neighbour entry that the takeover must update.
  vip_answers || lab_fail "round $round: no answer from $VIP"
  client_sees "$(mac_of "$holder")" || lab_fail "round $round: the client does not see node $holder"
  lab_signal "f$holder" TERM
  lab_reap "f$holder"
  lab_wait_for 5 lab_lacks_address "$holder" "$VIP" || lab_fail "round $round: node $holder kept the VIP"
  lab_wait_for 5 one_holder || lab_fail "round $round: no single holder after the resignation"
  sleep 0.3
  one_holder || lab_fail "round $round: holders [$(lab_holders "$VIP")] 0.3s after settling"
  previous=$holder
  holder=$(lab_holders "$VIP")
  # Well inside the 5 s a stale entry lasts (delay_first_probe_time), and after ARP locktime.
  lab_wait_for 2 client_sees "$(mac_of "$holder")" ||
    lab_fail "round $round: node $holder holds $VIP but the client still sends to" \
      "$(lab_exec "$CLIENT" ip neigh show "$VIP" dev eth0)"
  vip_answers || lab_fail "round $round: $VIP does not answer"
  lab_log "round $round: node $previous resigned, node $holder holds $VIP and the client follows"
  lab_start_float "f$previous" "$previous"
  sleep 0.5
done
# The backups that became master together saw each other's announcements: the election, which
# the floats do not log as a VIP conflict.
if grep -E "claims a VIP" "$LAB_DIR"/f*.log >&2; then lab_fail "a float logged the election as a VIP conflict"; fi
lab_log "PASS: equal priorities hand the VIP over and the client follows every time"
