#!/usr/bin/env bash
# SIGHUP with a structural change (a new VRID) rebuilds the VRRP instance while the float keeps
# running (the rebuild used to free the instance under the running receive loop: a
# heap-use-after-free under ASan); the float is master again on the new VRID. A configuration that
# cannot be applied (a VIP outside the interface's subnets) is refused before anything is torn
# down: the master never resigns, the peer never takes the VIP. SIGTERM still exits 0, with no
# sanitizer report.
# ctest-labels: sanitize
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command curl python3
lab_init

VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done
config="$LAB_DIR/f1.env"
write_config() { # vrid vips
  printf '# read at start and on SIGHUP\nKEEPALIVED_ROUTER_ID=%s\nKEEPALIVED_VIRTUAL_IPS=%s\nKEEPALIVED_PRIORITY=150\n' \
    "$1" "$2" >"$config"
}
no_sanitizer_report() { # log
  if grep -E "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$1" >&2; then
    lab_fail "sanitizer report in $(basename "$1")"
  fi
}
alive() { ks_pid_alive "${LAB_PID[$1]}"; }

write_config 64 "$VIP/24"
lab_start_float f1 1 --config "$config"
lab_wait_for 5 lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "MASTER" and i["vrid"] == 64' ||
  lab_fail "node 1 did not become master on VRID 64"
lab_expect_holders "$VIP" "1"

# --- A new VRID: the instance is rebuilt in the running process.
write_config 65 "$VIP/24"
lab_spawn monitor1 1 ip -ts monitor address dev eth0
sleep 0.2
start=$(lab_now)
lab_signal f1 HUP
lab_wait_for 5 lab_status_check "$LAB_DIR/f1.sock" 'i["vrid"] == 65' || {
  alive f1 || lab_fail "the float died on SIGHUP with a new VRID"
  lab_fail "the status does not show VRID 65 after SIGHUP: $(lab_status "$LAB_DIR/f1.sock")"
}
lab_wait_for 5 lab_status_check "$LAB_DIR/f1.sock" 'i["state"] == "MASTER" and i["vrid"] == 65' ||
  lab_fail "node 1 is not master on VRID 65: $(lab_status "$LAB_DIR/f1.sock")"
lab_log "SIGHUP with VRID 64 -> 65: master on VRID 65 after $(lab_elapsed "$start" "$(lab_now)")s"
lab_wait_for 3 lab_has_address 1 "$VIP" || lab_fail "node 1 does not hold the VIP on VRID 65"
removed=$(lab_monitor_times "Deleted .*inet $VIP/" "$LAB_DIR/monitor1.log" | head -n 1)
if [ -n "$removed" ]; then
  added=$(lab_monitor_times "^\[[^]]*\] [0-9]+: eth0 +inet $VIP/" "$LAB_DIR/monitor1.log" | head -n 1)
  lab_log "the VRID change took the VIP off node 1 for $(lab_elapsed "$removed" "$added")s"
else
  lab_log "the VRID change left the VIP on node 1"
fi
lab_signal monitor1 TERM
lab_reap monitor1
sleep 0.5
alive f1 || lab_fail "the float died after the reload"
no_sanitizer_report "$LAB_DIR/f1.log"
[ "$(lab_status_get "$LAB_DIR/f1.sock" 'len(s["instances"])')" = 1 ] || lab_fail "more than one instance after the reload"
lab_expect_holders "$VIP" "1"

# The peer on the new VRID follows node 1.
lab_start_float f2 2 --vip "$VIP/24" --vrid 65 --priority 100
lab_wait_for 5 lab_status_check "$LAB_DIR/f2.sock" 'i["state"] == "BACKUP" and i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1 on VRID 65"
f1_transitions=$(lab_status_get "$LAB_DIR/f1.sock" 'i["transitions_total"]')
f2_transitions=$(lab_status_get "$LAB_DIR/f2.sock" 'i["transitions_total"]')
f2_sent=$(lab_status_get "$LAB_DIR/f2.sock" 'i["adverts_sent"]')

# --- A VIP outside the subnet: refused, nothing torn down.
write_config 65 10.55.0.1/24
lab_sample_holders holders 3 "$VIP"
sleep 0.5
lab_signal f1 HUP
lab_wait_for 3 grep -q "refused" "$LAB_DIR/f1.log" || lab_fail "no refusal logged"
lab_log "log: $(grep "refused" "$LAB_DIR/f1.log")"
grep "refused" "$LAB_DIR/f1.log" | grep -q "10.55.0.1" || lab_fail "the refusal does not name the VIP 10.55.0.1"
lab_reap holders
lab_samples_expect holders "1" || lab_fail "the VIP left node 1 during the refused reload"
alive f1 || lab_fail "the float died on the refused reload"
lab_status_check "$LAB_DIR/f1.sock" \
  'i["state"] == "MASTER" and i["vrid"] == 65 and i["vips"] == ["'"$VIP"'/24"]' ||
  lab_fail "the refused reload changed the running instance: $(lab_status "$LAB_DIR/f1.sock")"
[ "$(lab_status_get "$LAB_DIR/f1.sock" 'i["transitions_total"]')" = "$f1_transitions" ] ||
  lab_fail "node 1 changed state during the refused reload: $(lab_status_get "$LAB_DIR/f1.sock" 'i["transitions"]')"
[ "$(lab_status_get "$LAB_DIR/f2.sock" 'i["transitions_total"]')" = "$f2_transitions" ] ||
  lab_fail "node 2 changed state during the refused reload: $(lab_status_get "$LAB_DIR/f2.sock" 'i["transitions"]')"
[ "$(lab_status_get "$LAB_DIR/f2.sock" 'i["adverts_sent"]')" = "$f2_sent" ] ||
  lab_fail "node 2 sent adverts (it was master for a while) during the refused reload"
lab_status_check "$LAB_DIR/f2.sock" 'i["state"] == "BACKUP" and i["master"] == "10.99.0.1"' ||
  lab_fail "node 2 does not follow node 1 any more"
if grep -q "10.55.0.1" <<<"$(lab_exec 1 ip -o addr show dev eth0)"; then
  lab_fail "the refused VIP was added"
fi
lab_log "SIGHUP with a VIP outside the subnet: refused; node 1 stayed MASTER, node 2 BACKUP, VIP on node 1 in every sample"

lab_signal f1 TERM
lab_reap f1
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "f1 exited with $LAB_EXIT_STATUS after SIGTERM"
no_sanitizer_report "$LAB_DIR/f1.log"
lab_signal f2 TERM
lab_reap f2
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "f2 exited with $LAB_EXIT_STATUS after SIGTERM"
no_sanitizer_report "$LAB_DIR/f2.log"
lab_log "PASS"
