#!/usr/bin/env bash
# Interoperation with real keepalived in the same VRID, VRRPv3 (100 ms) and VRRPv2 (1 s), both
# directions: keepalived master with our float as backup, then failover to ours; our float master
# with keepalived as backup, then failover to keepalived. Against Debian 12's keepalived (2.2.7),
# then sid's (2.3.4, from the cached root file system of deploy/lab/lib/engine.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/tests/lib/lab.sh"
source "$root/deploy/lab/lib/engine.sh"
lab_require_root
lab_require_command keepalived curl debootstrap
lab_init
KEEPALIVED=(keepalived)

VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done

keepalived_conf() { # file version interval priority
  cat >"$1" <<CONF
global_defs {
  router_id lab$$
  vrrp_version $2
  script_user root
  enable_script_security
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority $4
  advert_int $3
  virtual_ipaddress {
    $VIP/24
  }
}
CONF
}
start_keepalived() { # name node version interval priority
  local conf="$LAB_DIR/$1.conf"
  keepalived_conf "$conf" "$3" "$4" "$5"
  lab_spawn "$1" "$2" "${KEEPALIVED[@]}" -n -l -D --vrrp -f "$conf" -p "$LAB_DIR/$1.pid" \
    -r "$LAB_DIR/$1.vrrp.pid" -c "$LAB_DIR/$1.chk.pid"
}
float_says() { lab_status_has "$LAB_DIR/$1.sock" "$2"; }

run_version() { # version interval wait
  local version=$1 interval=$2 wait=$3 start
  lab_log "--- VRRPv$version, advert interval $interval"

  start_keepalived ka 1 "$version" "$interval" 150
  lab_wait_for "$wait" lab_has_address 1 "$VIP" || lab_fail "keepalived did not become master"
  lab_start_float ours 2 --vip "$VIP/24" --vrid 61 --vrrp-version "$version" \
    --advert-interval "$interval" --priority 100
  sleep "$interval"; sleep "$interval"; sleep 1
  lab_expect_holders "$VIP" "1"
  float_says ours '"state":"BACKUP"' || lab_fail "our float is not BACKUP under keepalived"
  float_says ours '"master":"10.99.0.1"' || lab_fail "our float does not see keepalived as master"
  float_says ours '"adverts_dropped":{}' || lab_fail "our float dropped keepalived's adverts"
  lab_log "keepalived master, our float backup"

  start=$(lab_now)
  lab_signal ka TERM
  lab_wait_for "$wait" lab_has_address 2 "$VIP" || lab_fail "our float did not take over"
  lab_wait_for "$wait" lab_lacks_address 1 "$VIP" || lab_fail "keepalived kept the VIP"
  lab_log "keepalived stopped: our float holds the VIP after $(lab_elapsed "$start" "$(lab_now)")s"
  lab_reap ka

  start_keepalived ka2 1 "$version" "$interval" 50
  sleep "$interval"; sleep "$interval"; sleep 1.5
  lab_expect_holders "$VIP" "2"
  grep -q "Entering BACKUP STATE" "$LAB_DIR/ka2.log" || lab_fail "keepalived did not enter BACKUP"
  lab_log "our float master, keepalived backup"

  start=$(lab_now)
  lab_signal ours KILL
  lab_reap ours
  lab_wait_for "$wait" lab_has_address 1 "$VIP" || lab_fail "keepalived did not take over"
  lab_log "our float killed: keepalived holds the VIP after $(lab_elapsed "$start" "$(lab_now)")s"
  grep -q "Entering MASTER STATE" "$LAB_DIR/ka2.log" || lab_fail "keepalived did not enter MASTER"
  lab_signal ka2 TERM
  lab_reap ka2
  lab_exec 2 ip addr del "$VIP/24" dev eth0 2>/dev/null || true
  lab_wait_for 5 lab_lacks_address 1 "$VIP" || true
}

keepalived_version() { "${KEEPALIVED[@]}" --version 2>&1 | head -n 1; }

lab_log "=== $(keepalived_version)"
run_version 3 0.1 5
run_version 2 1 10

ks_engine_rootfs sid "${KS_CACHE_DIR:-/var/cache/keepalived-swarm}" "$LAB_DIR/rootfs-sid" ||
  lab_fail "no sid root file system for keepalived 2.3"
KEEPALIVED=("$root/deploy/lab/engine-run.sh" "$LAB_DIR/rootfs-sid" "$LAB_DIR" keepalived)
lab_log "=== $(keepalived_version)"
[[ $(keepalived_version) == "Keepalived v2.3."* ]] || lab_fail "sid's keepalived is $(keepalived_version)"
run_version 3 0.1 5
run_version 2 1 10
lab_log "PASS"
