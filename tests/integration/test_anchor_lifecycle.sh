#!/usr/bin/env bash
# The anchor against a real Docker Engine (its own dockerd inside a lab namespace): negotiates the
# API, creates the float with exactly the host configuration it needs, the float takes the VIP,
# a killed float is recreated (time printed), a restarted anchor adopts the running float, a
# changed configuration replaces it, and SIGTERM stops and removes it. Exactly one float at every
# step.
# ctest-engines: 26.1 28.5:1.44
set -euo pipefail
source "$(dirname "$0")/../lib/anchor.sh"
anchor_lab_init
anchor_load_image

engine_api=$(dockerd_cli 1 version --format '{{.Server.APIVersion}}')
anchor_start --float-image "$ANCHOR_IMAGE" --pull never
lab_wait_for 30 float_is_running || lab_fail "the anchor did not start a float"
first=$(float_running_id)
expect_one_float
anchor_log_has "api_version=$engine_api" || lab_fail "the anchor did not negotiate API $engine_api"
lab_log "negotiated API $engine_api with this engine; float $first running"

# The exact container the float needs.
[ "$(float_field '{{.HostConfig.NetworkMode}}')" = host ] || lab_fail "not host networking"
[ "$(float_field '{{json .HostConfig.CapAdd}}')" = '["NET_ADMIN","NET_RAW"]' ] ||
  lab_fail "CapAdd is $(float_field '{{json .HostConfig.CapAdd}}')"
[ "$(float_field '{{json .HostConfig.CapDrop}}')" = '["ALL"]' ] ||
  lab_fail "CapDrop is $(float_field '{{json .HostConfig.CapDrop}}'): Docker's default capabilities stay"
[ "$(float_field '{{.HostConfig.Privileged}}')" = false ] || lab_fail "the float is privileged"
[ "$(float_field '{{.HostConfig.Init}}')" = true ] || lab_fail "the float has no init"
[ "$(float_field '{{.HostConfig.RestartPolicy.Name}}')" = no ] || lab_fail "a restart policy is set"
[ "$(float_field '{{json .HostConfig.Binds}}')" = "[\"$LAB_DIR/run:/run/keepalived-swarm\"]" ] ||
  lab_fail "Binds are $(float_field '{{json .HostConfig.Binds}}')"
[ "$(float_field '{{json .Config.Cmd}}')" = '["float"]' ] || lab_fail "Cmd is not [float]"
env=$(float_field '{{json .Config.Env}}')
for expected in "KEEPALIVED_VIRTUAL_IPS=$ANCHOR_VIP/24" KEEPALIVED_ROUTER_ID=61 \
  KEEPALIVED_INTERFACE=eth0 KEEPALIVED_TETHER=/run/keepalived-swarm/anchor.sock \
  KEEPALIVED_STATUS_SOCKET=/run/keepalived-swarm/float.sock DOCKER_NODE_HOSTNAME=node1; do
  grep -qF "\"$expected\"" <<<"$env" || lab_fail "the float's environment lacks $expected: $env"
done
[ -n "$(float_field '{{index .Config.Labels "io.keepalived-swarm.config-hash"}}')" ] ||
  lab_fail "no config hash label"
lab_log "host config, command, environment and labels are as specified"

lab_wait_for 20 lab_has_address 1 "$ANCHOR_VIP" || lab_fail "the float did not take the VIP"
lab_wait_for 10 test -S "$LAB_DIR/run/float.sock" || lab_fail "no float status socket in the run folder"
# The unprivileged buoy may read the status; only root may reach the tether.
[ "$(stat -c %a "$LAB_DIR/run/float.sock")" = 666 ] ||
  lab_fail "float.sock has mode $(stat -c %a "$LAB_DIR/run/float.sock"), expected 666"
[ "$(stat -c %a "$LAB_DIR/run/anchor.sock")" = 600 ] ||
  lab_fail "anchor.sock has mode $(stat -c %a "$LAB_DIR/run/anchor.sock"), expected 600"
lab_log "the float holds $ANCHOR_VIP in node 1 and serves its status in the run folder" \
  "(float.sock 666, anchor.sock 600)"

# A killed float comes back, as a new container.
killed_at=$(lab_now)
dockerd_cli 1 kill "$ANCHOR_FLOAT" >/dev/null
lab_wait_for 30 float_is_running_other_than "$first" || lab_fail "the killed float was not recreated"
back_at=$(lab_now)
second=$(float_running_id)
expect_one_float
lab_log "MEASURED: float killed -> new float running in $(lab_elapsed "$killed_at" "$back_at") s"
lab_wait_for 20 lab_has_address 1 "$ANCHOR_VIP" || lab_fail "the new float did not take the VIP"

# The anchor dies and comes back: the running float is adopted, not replaced.
lab_signal "$ANCHOR_NAME" KILL
lab_reap "$ANCHOR_NAME"
sleep 0.5
[ "$(float_running_id)" = "$second" ] || lab_fail "the float did not survive its anchor's death"
anchor_start --float-image "$ANCHOR_IMAGE" --pull never
lab_wait_for 30 anchor_log_has "adopted the running float" || lab_fail "the restarted anchor did not adopt"
sleep 1
[ "$(float_running_id)" = "$second" ] || lab_fail "the restarted anchor replaced the float"
expect_one_float
lab_wait_for 20 lab_has_address 1 "$ANCHOR_VIP" || lab_fail "the VIP did not come back after adoption"
lab_log "restarted anchor adopted float $second"

# A changed configuration replaces the float.
lab_signal "$ANCHOR_NAME" KILL
lab_reap "$ANCHOR_NAME"
anchor_start --float-image "$ANCHOR_IMAGE" --pull never --priority 120
lab_wait_for 30 float_is_running_other_than "$second" || lab_fail "a changed config did not replace the float"
third=$(float_running_id)
grep -qF '"KEEPALIVED_PRIORITY=120"' <<<"$(float_field '{{json .Config.Env}}')" ||
  lab_fail "the replacement does not have the new priority"
expect_one_float
lab_log "changed priority: float $second replaced by $third"

# SIGTERM: the float is stopped (releasing the VIP), removed, and the anchor exits 0. A second
# SIGTERM while it stops (`docker stack rm` can send two) does not cut that short.
lab_wait_for 20 lab_has_address 1 "$ANCHOR_VIP" || lab_fail "the replacement did not take the VIP"
lab_signal "$ANCHOR_NAME" TERM
sleep 0.1
lab_signal "$ANCHOR_NAME" TERM 2>/dev/null || true
lab_reap "$ANCHOR_NAME"
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "the anchor exited $LAB_EXIT_STATUS after SIGTERM"
float_is_gone || lab_fail "the float is still there after the anchor's SIGTERM"
[ "$(float_count)" = 0 ] || lab_fail "float containers are left"
lab_lacks_address 1 "$ANCHOR_VIP" || lab_fail "the VIP stayed on node 1"
[ ! -e "$LAB_DIR/run/anchor.sock" ] || lab_fail "the tether socket was left behind"
lab_log "SIGTERM twice: float stopped and removed, VIP released, anchor exited 0"
