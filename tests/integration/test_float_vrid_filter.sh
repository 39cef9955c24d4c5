#!/usr/bin/env bash
# The float's VRRP socket carries a kernel filter that passes only the VRIDs of its instances: on
# a link with other virtual routers their adverts never wake the float. A sender of another VRID,
# at a priority that would win, to the multicast group and to the node itself: the float never
# sees its adverts (no receive, no drop counted), although they reach the node's interface. The
# same sender with the float's own VRID then takes the master role, so the adverts do arrive when
# they are the float's. IPv4 (the filter skips the IP header the raw socket delivers) and IPv6 (no
# header delivered).
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command curl python3
lab_init

VIP4=10.99.0.100
VIP6=fd00:99::100
VRID=61
SENDER="$(dirname "$0")/../lib/vrrp_sender.py"
for n in 1 2 9; do lab_add_node "$n" "10.99.0.$n/24" "fd00:99::$n/64"; done
lab_exec 9 "$LAB_PYTHON" "$SENDER" --selftest >/dev/null || lab_fail "vrrp_sender.py encodes wrongly"

lab_start_float f4 1 --vip "$VIP4/24" --vrid "$VRID" --priority 100
lab_start_float f6 2 --vip "$VIP6/64" --vrid "$VRID" --priority 100
for name in f4 f6; do
  lab_wait_for 5 lab_status_check "$LAB_DIR/$name.sock" 'i["state"] == "MASTER"' ||
    lab_fail "$name did not become master"
done

adverts() { # name vrid seconds: priority 254, 20 rounds a second, from node 9
  local name=$1 vrid=$2 seconds=$3
  lab_spawn "${name}4" 9 "$LAB_PYTHON" "$SENDER" --version 3 --vrid "$vrid" --priority 254 \
    --interval 100ms --vip "$VIP4" --to 224.0.0.18 --to 10.99.0.1 --rate 20 --duration "$seconds"
  lab_spawn "${name}6" 9 "$LAB_PYTHON" "$SENDER" --version 3 --vrid "$vrid" --priority 254 \
    --interval 100ms --vip "$VIP6" --to ff02::12 --to fd00:99::2 --rate 20 --duration "$seconds"
}
reap_sender() { # name
  lab_reap "$1"
  [ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "vrrp_sender.py failed: $(cat "$LAB_DIR/$1.log")"
  grep -q "^sent [1-9][0-9]* advertisements (0 errors)" "$LAB_DIR/$1.log" ||
    lab_fail "$1: $(cat "$LAB_DIR/$1.log")"
}
rx_packets() { lab_exec "$1" cat /sys/class/net/eth0/statistics/rx_packets; }

# --- Another VRID: 2 s at priority 254, 40 rounds of two packets to each family.
rx1=$(rx_packets 1)
rx2=$(rx_packets 2)
adverts other $((VRID + 1)) 2
reap_sender other4
reap_sender other6
sleep 0.2
arrived1=$(($(rx_packets 1) - rx1))
arrived2=$(($(rx_packets 2) - rx2))
lab_log "other VRID: $(head -c 60 "$LAB_DIR/other4.log"); node 1 received $arrived1 packets," \
  "node 2 $arrived2"
# The adverts did reach the interfaces (unicast and multicast), not just the switch.
[ "$arrived1" -ge 80 ] || lab_fail "only $arrived1 packets reached node 1's eth0, expected >= 80"
[ "$arrived2" -ge 80 ] || lab_fail "only $arrived2 packets reached node 2's eth0, expected >= 80"
for name in f4 f6; do
  lab_log "$name after the other VRID: $(lab_status_get "$LAB_DIR/$name.sock" \
    '{k: i.get(k) for k in ("state", "adverts_received", "adverts_dropped")}')"
  lab_status_check "$LAB_DIR/$name.sock" 'i["adverts_received"] == 0' ||
    lab_fail "$name received adverts of another VRID"
  lab_status_check "$LAB_DIR/$name.sock" 'i["adverts_dropped"] == {}' ||
    lab_fail "$name saw adverts of another VRID (and dropped them): the kernel filter let them in"
  lab_status_check "$LAB_DIR/$name.sock" 'i["state"] == "MASTER"' || lab_fail "$name left MASTER"
done

# --- Its own VRID: the same sender takes the master role of both floats.
adverts own "$VRID" 3
lab_wait_for 2 lab_status_check "$LAB_DIR/f4.sock" \
  'i["state"] == "BACKUP" and i["master"] == "10.99.0.9"' ||
  lab_fail "f4 did not follow an advert of its own VRID: $(lab_status "$LAB_DIR/f4.sock")"
lab_wait_for 2 lab_status_check "$LAB_DIR/f6.sock" \
  'i["state"] == "BACKUP" and i["master"].startswith("fe80:")' ||
  lab_fail "f6 did not follow an advert of its own VRID: $(lab_status "$LAB_DIR/f6.sock")"
reap_sender own4
reap_sender own6
for name in f4 f6; do
  lab_log "$name after its own VRID: $(lab_status_get "$LAB_DIR/$name.sock" \
    '{k: i.get(k) for k in ("state", "adverts_received", "adverts_dropped")}')"
  lab_status_check "$LAB_DIR/$name.sock" 'i["adverts_received"] >= 50' ||
    lab_fail "$name received fewer than 50 of the sender's 120 adverts of its own VRID"
  lab_wait_for 3 lab_status_check "$LAB_DIR/$name.sock" 'i["state"] == "MASTER"' ||
    lab_fail "$name did not take the master role back after the sender stopped"
done
lab_log "PASS"
