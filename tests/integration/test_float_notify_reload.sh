#!/usr/bin/env bash
# --notify runs the command with the new state and the instance name on every transition (without
# a shell, without blocking the engine); SIGHUP re-reads --config: a new priority applies in place,
# an invalid file is refused and the running configuration kept.
# ctest-labels: sanitize
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
lab_require_root
lab_require_command curl
lab_init

VIP=10.99.0.100
for n in 1 2; do lab_add_node "$n" "10.99.0.$n/24"; done
notify="$LAB_DIR/notify.sh"
cat >"$notify" <<SCRIPT
#!/bin/sh
sleep 0.3   # a slow script must not delay VRRP
echo "\$1 \$2" >>"$LAB_DIR/transitions.txt"
SCRIPT
chmod +x "$notify"
cat >"$LAB_DIR/f1.env" <<CONF
# read at start and on SIGHUP
KEEPALIVED_PRIORITY=150
CONF

lab_start_float f1 1 --vip "$VIP/24" --vrid 57 --instance-name web --notify "$notify" \
  --config "$LAB_DIR/f1.env"
lab_wait_for 5 lab_has_address 1 "$VIP" || lab_fail "the float did not take the VIP"
lab_status_has "$LAB_DIR/f1.sock" '"priority":150' || lab_fail "the config file's priority was not used"
lab_wait_for 3 grep -q "MASTER web" "$LAB_DIR/transitions.txt" || lab_fail "no MASTER notification"
[ "$(head -n 1 "$LAB_DIR/transitions.txt")" = "BACKUP web" ] ||
  lab_fail "first notification was '$(head -n 1 "$LAB_DIR/transitions.txt")', expected 'BACKUP web'"
lab_log "notify: BACKUP then MASTER, with the instance name"

echo "KEEPALIVED_PRIORITY=90" >"$LAB_DIR/f1.env"
lab_signal f1 HUP
lab_wait_for 3 lab_status_has "$LAB_DIR/f1.sock" '"priority":90' || lab_fail "SIGHUP did not apply the new priority"
lab_status_has "$LAB_DIR/f1.sock" '"state":"MASTER"' || lab_fail "an in-place reload left MASTER"
lab_log "SIGHUP: priority 150 -> 90 in place, still MASTER"

# The lower priority is advertised at once: a preempting peer above it now takes over.
lab_start_float f2 2 --vip "$VIP/24" --vrid 57 --priority 120 --preempt --status-socket none
lab_wait_for 5 lab_has_address 2 "$VIP" || lab_fail "the peer did not preempt the lowered master"
last_notification_is() { [ "$(tail -n 1 "$LAB_DIR/transitions.txt")" = "$1" ]; }
lab_wait_for 3 last_notification_is "BACKUP web" ||
  lab_fail "no BACKUP notification after losing mastership"

echo "KEEPALIVED_PRIORITY=999" >"$LAB_DIR/f1.env"
lab_signal f1 HUP
lab_wait_for 3 grep -q "configuration not reloaded" "$LAB_DIR/f1.log" || lab_fail "no refusal logged"
grep -q "KEEPALIVED_PRIORITY) '999'" "$LAB_DIR/f1.log" || lab_fail "the refusal does not name the value"
lab_status_has "$LAB_DIR/f1.sock" '"priority":90' || lab_fail "an invalid reload changed the priority"
lab_log "SIGHUP with an invalid file: refused, running configuration kept"

lab_signal f1 TERM
lab_reap f1
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "exit status $LAB_EXIT_STATUS"
lab_wait_for 3 grep -q "STOP web" "$LAB_DIR/transitions.txt" || lab_fail "no STOP notification"
lab_log "PASS"
