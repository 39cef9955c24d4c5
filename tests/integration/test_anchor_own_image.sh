#!/usr/bin/env bash
# The anchor as it is deployed: in a container of the engine it manages (socket and run folder
# mounted, no host networking), without --float-image. It finds its own container and gives the
# float its own image; `docker stop` of the anchor (SIGTERM) stops and removes the float.
# ctest-engines: 26.1 28.5:1.44
set -euo pipefail
source "$(dirname "$0")/../lib/anchor.sh"
anchor_lab_init
anchor_load_image

lab_on_cleanup 'dockerd_cli 1 rm -f ks-anchor >/dev/null 2>&1'
dockerd_cli 1 run -d --name ks-anchor --network none \
  -v "$(dockerd_socket 1):/var/run/docker.sock" -v "$LAB_DIR/run:$LAB_DIR/run" \
  -e KEEPALIVED_RUN_DIR="$LAB_DIR/run" -e KEEPALIVED_INTERFACE=eth0 \
  -e KEEPALIVED_VIRTUAL_IPS="$ANCHOR_VIP/24" -e KEEPALIVED_ROUTER_ID=62 \
  -e KEEPALIVED_ADVERT_INTERVAL=100ms -e KEEPALIVED_STOP_TIMEOUT=3 \
  "$ANCHOR_IMAGE" anchor >/dev/null
lab_wait_for 30 float_is_running || {
  dockerd_cli 1 logs ks-anchor >&2 || true
  lab_fail "the anchor in a container did not start a float"
}
anchor_image=$(dockerd_cli 1 inspect -f '{{.Image}}' ks-anchor)
[ "$(float_field '{{.Image}}')" = "$anchor_image" ] || lab_fail "the float does not run the anchor's image"
[ "$(float_field '{{index .Config.Labels "io.keepalived-swarm.anchor"}}')" = \
  "$(dockerd_cli 1 inspect -f '{{.Id}}' ks-anchor)" ] || lab_fail "the float does not name its anchor"
expect_one_float
lab_wait_for 20 lab_has_address 1 "$ANCHOR_VIP" || lab_fail "the float did not take the VIP"
lab_log "anchor container found itself; the float runs its image $anchor_image and holds the VIP"

dockerd_cli 1 stop -t 20 ks-anchor >/dev/null
[ "$(dockerd_cli 1 inspect -f '{{.State.ExitCode}}' ks-anchor)" = 0 ] ||
  lab_fail "the anchor container exited $(dockerd_cli 1 inspect -f '{{.State.ExitCode}}' ks-anchor)"
[ "$(float_count)" = 0 ] || lab_fail "docker stop of the anchor left the float"
lab_lacks_address 1 "$ANCHOR_VIP" || lab_fail "the VIP stayed after the anchor was stopped"
lab_log "docker stop of the anchor: float removed, VIP released, exit code 0"
