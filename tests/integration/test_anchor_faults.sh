#!/usr/bin/env bash
# The anchor when things go wrong, against a real Docker Engine: the float image is missing and
# cannot be pulled (no registry here) -> a clear error and retries until the image appears; the
# Docker daemon restarts (its containers stop, its socket vanishes) -> the anchor reconnects and
# brings the float back, never two; the engine is killed outright -> the same.
# ctest-engines: 26.1 28.5:1.44
set -euo pipefail
source "$(dirname "$0")/../lib/anchor.sh"
anchor_lab_init

# No image yet: the pull fails (no registry is reachable from the lab), the anchor says so and
# keeps trying.
anchor_start --float-image keepalived-swarm:late --pull missing
lab_wait_for 60 anchor_log_has "cannot pull the float image" || lab_fail "no pull error was logged"
anchor_log_has "keepalived-swarm:late" || lab_fail "the pull error does not name the image"
pull_errors_at_least() { [ "$(grep -cF 'cannot pull the float image' "$LAB_DIR/$ANCHOR_NAME.log")" -ge "$1" ]; }
lab_wait_for 60 pull_errors_at_least 2 ||
  lab_fail "the anchor did not retry the pull"
[ "$(float_count)" = 0 ] || lab_fail "a float was created without its image"
lab_log "missing image: clear error, retried: $(grep -m1 -F 'cannot pull the float image' "$LAB_DIR/$ANCHOR_NAME.log")"

anchor_load_image keepalived-swarm:late
lab_wait_for 60 float_is_running || lab_fail "the float did not start once its image was there"
expect_one_float
first=$(float_running_id)
lab_wait_for 20 lab_has_address 1 "$ANCHOR_VIP" || lab_fail "the float did not take the VIP"
lab_log "image loaded: float $first running"

# The daemon restarts: it stops its containers; the socket is gone for a while.
stopped_at=$(lab_now)
dockerd_stop 1 TERM
float_gone_or_stopped() { [ ! -S "$(dockerd_socket 1)" ] || ! float_is_running; }
lab_wait_for 10 float_gone_or_stopped || true
lab_wait_for 30 anchor_log_has "Docker event stream ended" || lab_fail "the anchor did not notice the daemon going"
sleep 1
dockerd_start 1
lab_wait_for 60 float_is_running_other_than "$first" || lab_fail "no float after the daemon restarted"
lab_log "MEASURED: daemon stopped -> float running again $(lab_elapsed "$stopped_at" "$(lab_now)") s later (includes the restart)"
sleep 1
expect_one_float
second=$(float_running_id)
lab_wait_for 20 lab_has_address 1 "$ANCHOR_VIP" || lab_fail "the float did not take the VIP after the restart"

# The daemon is killed: its containers live on without it; once it is back the anchor ends up
# with exactly one running float.
dockerd_stop 1 KILL
sleep 1
dockerd_start 1
lab_wait_for 60 float_is_running || lab_fail "no float after the daemon was killed and restarted"
sleep 2
expect_one_float
lab_log "daemon killed and restarted: float $(float_running_id) (before: $second), exactly one"

lab_signal "$ANCHOR_NAME" TERM
lab_reap "$ANCHOR_NAME"
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "the anchor exited $LAB_EXIT_STATUS after SIGTERM"
[ "$(float_count)" = 0 ] || lab_fail "float containers are left after SIGTERM"
lab_log "SIGTERM after the faults: float removed, anchor exited 0"

# --pull always with no registry: the pull fails, the local copy is used, the float runs.
anchor_start --float-image keepalived-swarm:late --pull always
lab_wait_for 60 float_is_running || lab_fail "--pull always with a failing pull started no float"
anchor_log_has "using the image already on this node" || lab_fail "the fallback to the local image was not logged"
expect_one_float
lab_signal "$ANCHOR_NAME" TERM
lab_reap "$ANCHOR_NAME"
lab_log "--pull always, registry unreachable: the local image was used"
