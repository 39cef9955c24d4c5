# shellcheck shell=bash
# Helpers of the anchor tests: one lab node with its own Docker Engine, the project's binary as an
# image, and the anchor run as a plain process against that engine.
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"
source "$(dirname "${BASH_SOURCE[0]}")/dockerd.sh"

ANCHOR_IMAGE=keepalived-swarm:test
ANCHOR_FLOAT=keepalived-float
ANCHOR_VIP=10.98.0.100

# Root, tools, a lab with node 1 (10.98.0.1/24) running its own dockerd, the image loaded.
anchor_lab_init() {
  lab_require_root
  dockerd_require
  [ -x "${KS_BINARY:-}" ] || { echo "SKIP: KS_BINARY is not set to the built keepalived-swarm" >&2; exit 77; }
  lab_init
  # KS_KEEP_LOGS=DIR keeps the lab's logs there (the lab folder itself is removed).
  [ -n "${KS_KEEP_LOGS:-}" ] && lab_on_cleanup 'mkdir -p "$KS_KEEP_LOGS" && cp "$LAB_DIR"/*.log "$KS_KEEP_LOGS"/'
  lab_add_node 1 10.98.0.1/24
  mkdir -p "$LAB_DIR/run"
  dockerd_start 1
  ANCHOR_RUN_COUNT=0
}

anchor_load_image() { dockerd_image_from_binary 1 "${1:-$ANCHOR_IMAGE}" "$KS_BINARY"; }

# Starts the anchor in node 1 with the test's settings plus ARGS; its log is anchorN.log.
anchor_start() {
  ANCHOR_RUN_COUNT=$((ANCHOR_RUN_COUNT + 1))
  ANCHOR_NAME="anchor$ANCHOR_RUN_COUNT"
  lab_spawn "$ANCHOR_NAME" 1 "$KS_BINARY" anchor --docker-host "unix://$(dockerd_socket 1)" \
    --run-dir "$LAB_DIR/run" --interface eth0 --vip "$ANCHOR_VIP/24" --vrid 61 \
    --advert-interval 100ms --stop-timeout 3 --log-level debug "$@"
}

anchor_log() { cat "$LAB_DIR/$ANCHOR_NAME.log"; }
anchor_log_has() { grep -qF -- "$1" "$LAB_DIR/${2:-$ANCHOR_NAME}.log"; }

# The float's id when it is running, else nothing.
float_running_id() {
  dockerd_cli 1 inspect -f '{{if .State.Running}}{{.Id}}{{end}}' "$ANCHOR_FLOAT" 2>/dev/null
}
float_is_running() { [ -n "$(float_running_id)" ]; }
float_is_running_other_than() {
  local id
  id=$(float_running_id)
  [ -n "$id" ] && [ "$id" != "$1" ]
}
float_is_gone() { ! dockerd_cli 1 inspect "$ANCHOR_FLOAT" >/dev/null 2>&1; }

# Number of containers labelled as floats, running or not.
float_count() {
  dockerd_cli 1 ps -aq --filter label=io.keepalived-swarm.role=float | grep -c . || true
}
expect_one_float() {
  local count
  count=$(float_count)
  [ "$count" = 1 ] || lab_fail "expected exactly one float container, found $count"
}

float_field() { dockerd_cli 1 inspect -f "$1" "$ANCHOR_FLOAT"; }
