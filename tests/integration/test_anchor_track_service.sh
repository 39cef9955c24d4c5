#!/usr/bin/env bash
# --track-service against a real swarm (one manager: the lab node's own dockerd): a service that
# does not exist is down and says so, a stack's service comes up once its task runs healthy, goes
# down with a reason when its container is killed, up again with the next task, and down when
# scaled to 0; a new connection is greeted with every tracker; a storm of service events makes a
# few looks, not one per event. A reader on the anchor's tether socket records what a float is
# told (times printed); the anchor's real float runs alongside.
# ctest-engines: 26.1 28.5:1.44
set -euo pipefail
source "$(dirname "$0")/../lib/anchor.sh"
anchor_lab_init
anchor_load_image

STACK=lab
SERVICE=${STACK}_web
GHOST=${STACK}_ghost
PORT=18099
TETHER_LOG=$LAB_DIR/tether-reader.log

dockerd_cli 1 swarm init --advertise-addr 10.98.0.1 >/dev/null
lab_log "single-node swarm ready"

# A tiny long-running service of the project's own image: the buoy as an HTTP server, with the
# probe as its healthcheck (exec form: the image has no shell). Host network: no ingress needed.
cat >"$LAB_DIR/stack.yml" <<YAML
version: "3.8"
services:
  web:
    image: $ANCHOR_IMAGE
    command: ["buoy", "--listen", "127.0.0.1:$PORT"]
    networks: [hostnet]
    healthcheck:
      test: ["CMD", "/usr/local/bin/keepalived-swarm", "probe", "http://127.0.0.1:$PORT/health"]
      interval: 1s
      timeout: 2s
      retries: 2
    deploy:
      replicas: 1
      restart_policy:
        condition: any
        delay: 1s
networks:
  hostnet:
    external: true
    name: host
YAML
deploy_stack() {
  dockerd_cli 1 stack deploy --resolve-image never -c "$LAB_DIR/stack.yml" "$STACK" >/dev/null
}

# The anchor's tether lines; the reader reconnects until the anchor's socket exists.
lab_spawn tether-reader 1 python3 "$(dirname "$0")/../lib/tether_reader.py" "$LAB_DIR/run/anchor.sock"
anchor_start --float-image "$ANCHOR_IMAGE" --pull never --track-service "$SERVICE" \
  --track-service "$GHOST"
started_at=$(lab_now)

# The last tracker line for NAME, as "up REASON" or "down REASON".
tracker_state() {
  grep -F "\"name\":\"service:$1\"" "$TETHER_LOG" | tail -n 1 |
    sed -E 's/.*"up":(true|false),"reason":"([^"]*)".*/\1 \2/; s/^true/up/; s/^false/down/'
}
# Succeeds when NAME's last line is up/down (first argument) and its reason contains TEXT.
tracker_is() { # up|down name text
  local state
  state=$(tracker_state "$2")
  [[ "$state" == "$1 "* ]] && [[ "$state" == *"$3"* ]]
}
# Seconds since the epoch of the first line that says NAME is up/down after time AFTER.
tracker_time() { # up|down name after
  local value
  value=$([ "$1" = up ] && echo true || echo false)
  awk -v after="$3" -v name="\"name\":\"service:$2\"" -v up="\"up\":$value" \
    'index($0, name) && index($0, up) && $1 > after { print $1; exit }' "$TETHER_LOG"
}
tracker_went() { [ -n "$(tracker_time "$@")" ]; }
expect() { # up|down name text seconds
  lab_wait_for "$4" tracker_is "$1" "$2" "$3" || {
    cat "$TETHER_LOG" >&2
    lab_fail "service:$2 is not $1 with '$3' (last: $(tracker_state "$2"))"
  }
}
task_container() {
  dockerd_cli 1 ps -q --filter "label=com.docker.swarm.service.name=$SERVICE" --filter status=running
}

expect down "$GHOST" "service $GHOST does not exist" 30
expect down "$SERVICE" "service $SERVICE does not exist" 5
anchor_log_has "a tracked service does not exist" || lab_fail "no warning about the missing services"
lab_log "both missing services are down: $(tracker_state "$GHOST") / $(tracker_state "$SERVICE")"
lab_wait_for 30 float_is_running || lab_fail "the anchor did not start its float"

deployed_at=$(lab_now)
deploy_stack
expect up "$SERVICE" "running, healthy" 60
up_at=$(tracker_time up "$SERVICE" "$deployed_at")
lab_log "MEASURED: stack deploy -> service:$SERVICE up ($(tracker_state "$SERVICE")) in" \
  "$(lab_elapsed "$deployed_at" "$up_at") s"
lab_log "told on the way: $(grep -F "service:$SERVICE" "$TETHER_LOG" | grep -c . ) lines for $SERVICE"
tracker_is down "$GHOST" "does not exist" || lab_fail "the missing service changed: $(tracker_state "$GHOST")"

# The task's container is killed: down with a reason at once, up again with the next task.
first=$(task_container)
[ -n "$first" ] || lab_fail "no running container of $SERVICE"
killed_at=$(lab_now)
dockerd_cli 1 kill "$first" >/dev/null
lab_wait_for 20 tracker_went down "$SERVICE" "$killed_at" ||
  { cat "$TETHER_LOG" >&2; lab_fail "service:$SERVICE did not go down after its container was killed"; }
down_at=$(tracker_time down "$SERVICE" "$killed_at")
down_line=$(awk -v t="$down_at" '$1 == t' "$TETHER_LOG" | grep -F "service:$SERVICE" | head -n 1)
lab_log "MEASURED: container killed -> service:$SERVICE down in $(lab_elapsed "$killed_at" "$down_at") s: ${down_line#* * }"
expect up "$SERVICE" "running, healthy" 60
back_at=$(tracker_time up "$SERVICE" "$killed_at")
lab_log "MEASURED: container killed -> up again (next task) in $(lab_elapsed "$killed_at" "$back_at") s:" \
  "$(tracker_state "$SERVICE")"

# Scaled to 0: no task on this node.
scaled_at=$(lab_now)
dockerd_cli 1 service scale --detach "$SERVICE=0" >/dev/null
expect down "$SERVICE" "no task of $SERVICE on this node" 30
lab_log "MEASURED: scale to 0 -> service:$SERVICE down in" \
  "$(lab_elapsed "$scaled_at" "$(tracker_time down "$SERVICE" "$scaled_at")") s: $(tracker_state "$SERVICE")"

# A float connecting now is greeted with every tracker's state.
lab_signal tether-reader TERM
lab_reap tether-reader
mv "$TETHER_LOG" "$LAB_DIR/tether-first.log"
lab_spawn tether-reader 1 python3 "$(dirname "$0")/../lib/tether_reader.py" "$LAB_DIR/run/anchor.sock"
expect down "$SERVICE" "no task of $SERVICE on this node" 10
expect down "$GHOST" "does not exist" 5
lab_log "a new connection is greeted with both trackers"

# An event storm is coalesced: 20 quick updates of the service (a label: no task changes) make a
# few looks, not one per event.
looks() { grep -c "looked at the tracked services" "$LAB_DIR/$ANCHOR_NAME.log" || true; }
events() { grep -c "event of a tracked service" "$LAB_DIR/$ANCHOR_NAME.log" || true; }
sleep 1
looks_before=$(looks)
events_before=$(events)
storm_at=$(lab_now)
for i in $(seq 1 20); do
  dockerd_cli 1 service update --detach --label-add "storm=$i" "$SERVICE" >/dev/null 2>&1
done
storm_s=$(lab_elapsed "$storm_at" "$(lab_now)")
sleep 1 # the last events arrive after the last command returns
window_s=$(lab_elapsed "$storm_at" "$(lab_now)")
storm_events=$(($(events) - events_before))
storm_looks=$(($(looks) - looks_before))
lab_log "MEASURED: $storm_events service events in ${storm_s} s made $storm_looks looks" \
  "(counted over ${window_s} s)"
[ "$storm_events" -ge 20 ] || lab_fail "expected 20 update events, the anchor saw $storm_events"
# At most one look per 300 ms gap (and one more at either end of the window).
limit=$(awk -v s="$window_s" 'BEGIN { printf "%d", s / 0.3 + 2 }')
[ "$storm_looks" -le "$limit" ] && [ "$storm_looks" -lt "$storm_events" ] ||
  lab_fail "an event storm of $storm_events events in ${window_s} s made $storm_looks looks"
tracker_is down "$SERVICE" "no task of $SERVICE on this node" || lab_fail "the storm changed the state"

lab_signal "$ANCHOR_NAME" TERM
lab_reap "$ANCHOR_NAME"
[ "$LAB_EXIT_STATUS" -eq 0 ] || lab_fail "the anchor exited $LAB_EXIT_STATUS after SIGTERM"
dockerd_cli 1 stack rm "$STACK" >/dev/null
lab_log "total $(lab_elapsed "$started_at" "$(lab_now)") s"
