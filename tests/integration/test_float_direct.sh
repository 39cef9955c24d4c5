#!/usr/bin/env bash
# Direct mode against a real Docker Engine: the float alone, with --docker-host instead of an
# anchor (a plain process here, as the stack's float service runs it), asks the node's dockerd
# what the anchor would tell it. Outside a swarm it refuses to start, saying what to do; on a
# one-manager swarm it finds its interface from the swarm address, holds the VIP, resigns while
# the node is drained and competes again once it is active; SIGKILLed, its VIP stays on the node
# until the next float removes it at start; SIGTERM releases the VIP.
# ctest-engines: 28.5:1.44
set -euo pipefail
source "$(dirname "$0")/../lib/lab.sh"
source "$(dirname "$0")/../lib/dockerd.sh"
lab_require_root
dockerd_require
[ -x "${KS_BINARY:-}" ] || { echo "SKIP: KS_BINARY is not set to the built keepalived-swarm" >&2; exit 77; }
lab_init
lab_add_node 1 10.97.0.1/24
dockerd_start 1

VIP=10.97.0.100
HOST="unix://$(dockerd_socket 1)"
# No --interface: the swarm's address of the node names it.
direct_float() { # name [options...]
  local name=$1
  shift
  lab_spawn "$name" 1 "$KS_BINARY" float --docker-host "$HOST" --vip "$VIP/24" --vrid 62 \
    --advert-interval 100ms --status-socket "$LAB_DIR/$name.sock" --log-level debug "$@"
}
log_has() { grep -qF -- "$2" "$LAB_DIR/$1.log"; }
state_is() { lab_status_check "$LAB_DIR/$1.sock" "i['state'] == '$2'"; }
resigned_for() { # name words: FAULT, with a swarm tracker down that says WORDS
  lab_status_check "$LAB_DIR/$1.sock" \
    "i['state'] == 'FAULT' and any(t['name'] == 'swarm' and not t['up'] and '$2' in t['reason'] for t in i['trackers'])"
}
node_id() { dockerd_cli 1 info --format '{{.Swarm.NodeID}}'; }

# Outside a swarm there are no managers to take as peers: a usage error, not a wait.
direct_float outside
lab_wait_for 30 bash -c "! kill -0 ${LAB_PID[outside]} 2>/dev/null" ||
  lab_fail "the float outside a swarm did not exit"
lab_reap outside
[ "$LAB_EXIT_STATUS" -eq 2 ] || lab_fail "outside a swarm the float exited $LAB_EXIT_STATUS, expected 2"
log_has outside "not in a swarm" && log_has outside "drop --docker-host" ||
  lab_fail "the refusal does not say what to do: $(tail -n 3 "$LAB_DIR/outside.log")"
lab_lacks_address 1 "$VIP" || lab_fail "the refused float left the VIP behind"
lab_log "outside a swarm: exit 2, 'not in a swarm ... drop --docker-host'"

dockerd_cli 1 swarm init --advertise-addr 10.97.0.1 >/dev/null
started=$(lab_now)
direct_float first
lab_wait_for 30 lab_has_address 1 "$VIP" || lab_fail "the float in direct mode did not take the VIP"
lab_log "MEASURED: VIP held $(lab_elapsed "$started" "$(lab_now)") s after the float started (one manager)"
log_has first "direct mode: this node" || lab_fail "the float did not log the node it found"
log_has first "node_address=10.97.0.1" || lab_fail "the float did not take the node's swarm address"
[ "$(lab_status_get "$LAB_DIR/first.sock" "s['tether']")" = direct ] ||
  lab_fail "status says tether '$(lab_status_get "$LAB_DIR/first.sock" "s['tether']")', expected direct"
[ "$(lab_status_get "$LAB_DIR/first.sock" "i['interface']")" = eth0 ] ||
  lab_fail "the float chose interface $(lab_status_get "$LAB_DIR/first.sock" "i['interface']")"
lab_log "one manager: MASTER on eth0 (found by the swarm address), status tether=direct"

# Drained: the node may not carry the VIP; active again: it competes.
drained_at=$(lab_now)
dockerd_cli 1 node update --availability drain "$(node_id)" >/dev/null
lab_wait_for 10 lab_lacks_address 1 "$VIP" || lab_fail "the drained node kept the VIP"
lab_log "MEASURED: drained -> VIP released in $(lab_elapsed "$drained_at" "$(lab_now)") s"
lab_wait_for 5 resigned_for first "drained" || lab_fail "status does not say the node is drained"
dockerd_cli 1 node update --availability active "$(node_id)" >/dev/null
lab_wait_for 10 lab_has_address 1 "$VIP" || lab_fail "the active node did not take the VIP again"
lab_wait_for 5 state_is first MASTER || lab_fail "not MASTER once active again"
lab_log "drain resigns (FAULT: this node is drained), active competes again"

# SIGKILL cannot resign: the VIP stays until the next float, before anything else, removes it.
lab_signal first KILL
lab_reap first
sleep 0.5
lab_has_address 1 "$VIP" || lab_fail "the VIP was gone before any successor (nothing should remove it)"
direct_float second
lab_wait_for 20 log_has second "removed a VIP left on the interface by a previous float" ||
  lab_fail "the successor did not remove the stale VIP"
lab_wait_for 20 state_is second MASTER || lab_fail "the successor did not become MASTER"
lab_has_address 1 "$VIP" || lab_fail "the successor holds no VIP"
lab_log "a SIGKILLed float's VIP is removed by its successor, which then takes it properly"

# SIGTERM: resign and remove the VIP, exit 0.
lab_signal second TERM
lab_reap second
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "SIGTERM: the float exited $LAB_EXIT_STATUS"
lab_lacks_address 1 "$VIP" || lab_fail "the VIP stayed after SIGTERM"
lab_log "SIGTERM: VIP released, exit 0"
lab_log "PASS"
