#!/usr/bin/env bash
# The product test: a 3-manager swarm on this machine (one dockerd per network namespace), the
# stack deployed from deploy/docker-compose.yml, and what happens to managers thrown at it. Each
# scenario waits for its bounded window and asserts exactly one VIP holder; an HTTP prober in a
# client namespace measures the VIP's downtime. A table of the results is printed (and written to
# tests/artifacts/chaos-report.md, with the probes, scenario windows and node logs beside it).
#   KS_CHAOS_REPS (2): repetitions of the kill scenarios; KS_CHAOS_INTERVAL (100ms): advert interval
# ctest-labels: swarm
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/lab.sh"
lab_require_root
lab_require_command dockerd debootstrap python3 curl

export KS_LAB_PREFIX="kc$$" KS_LAB_STATE="/var/lib/ks-chaos-$$" KS_LAB_SUBNET=10.78.0
export KS_LAB_VIP=10.78.0.100 KS_LAB_ADVERT_INTERVAL=${KS_CHAOS_INTERVAL:-100ms}
export KS_LAB_IMAGE=keepalived-swarm:lab KS_LAB_RESTART_DELAY=1
KS_LAB_LIBRARY=1 source "$root/deploy/lab/swarm-lab.sh"
source "$root/tests/lib/swarm.sh"
REPS=${KS_CHAOS_REPS:-2}
INTERVAL_S=$(advert_interval_s)
REPORT="$root/tests/artifacts/chaos-report.md"
ARTIFACTS=$(dirname "$REPORT") ARTIFACT_PREFIX=chaos
PROBES="$KS_LAB_STATE/probes.log"
INGRESS_PROBES="$KS_LAB_STATE/ingress-probes.log"
prober_pid=""
ingress_prober_pid=""
sender_pid=""
monitor_pids=()
finish() {
  local status=$?
  set +e
  stop_jobs "$prober_pid" "$ingress_prober_pid" "$sender_pid"
  stop_monitors
  save_logs "$PROBES" "$INGRESS_PROBES"
  [ "$status" -eq 0 ] || show_nodes
  swarm_down
  stop_jobs_left
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

rows=()

manager_nodes() {
  local node
  for node in $(swarm_nodes); do
    [ "$(swarm_docker "$node" info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ] &&
      echo "$node"
  done
  return 0
}
lab_log "building the image (cached when the sources did not change)"
mkdir -p "$KS_LAB_STATE" "$ARTIFACTS"
rm -f "$ARTIFACTS"/chaos-*
swarm_image "$KS_LAB_STATE/image.tar"
swarm_network_up 3
swarm_engines_up
swarm_load_image "$KS_LAB_STATE/image.tar"
swarm_form
lab_log "3 managers ready"
ip netns exec "$(swarm_client_ns)" python3 "$root/tests/lib/vip_prober.py" "$KS_LAB_VIP" 8082 \
  "$PROBES" 0.02 &
prober_pid=$!
ALL="1 2 3"

# 1. Deploy: the VIP appears within a few advert intervals of the floats starting.
start=$(date +%s.%N)
swarm_deploy
lab_wait_for 120 swarm_one_holder || lab_fail "no VIP after deploy"
took=$(lab_elapsed "$start" "$(date +%s.%N)")
# shellcheck disable=SC2086
wait_stable 60 $ALL
rows+=("| 1. deploy (time to VIP) | 1 | $took | $took | $(swarm_holders | wc -w) |")

# Least privilege as deployed, on every node: the float keeps NET_ADMIN and NET_RAW only, the
# buoy runs as nobody with no capability, and only the anchor mounts the Docker socket.
for node in $ALL; do
  seen=$(privileges "$node" "$(float_id "$node")")
  [[ $seen == '|["NET_ADMIN","NET_RAW"]|["ALL"]|false|'* && $seen != *docker.sock* ]] ||
    lab_fail "node $node's float has more than NET_ADMIN and NET_RAW: $seen"
  seen=$(privileges "$node" "$(service_container "$node" buoy)")
  [[ $seen == '65534:65534|null|null|false|'* && $seen != *docker.sock* ]] ||
    lab_fail "node $node's buoy is not an unprivileged user without capabilities: $seen"
  seen=$(privileges "$node" "$(service_container "$node" anchor)")
  [[ $seen == '|null|null|false|'*docker.sock* ]] ||
    lab_fail "node $node's anchor: $seen"
done
lab_log "privileges: floats NET_ADMIN+NET_RAW only, buoys 65534 without capabilities, the" \
  "Docker socket in the anchors only"
lab_log "RESULT deploy: VIP on node $(master) ${took}s after docker stack deploy"

# The cluster view of a fresh stack: normal, a float down, a forced split brain.
source "$here/chaos_cluster_view.sh"
source "$here/chaos_swarm_decides.sh"
cluster_view_checks
# shellcheck disable=SC2086
wait_stable 60 $ALL

# Each action waits for its own effect, so the stability that follows is the recovery.
kill_anchor() {
  local old
  old=$(anchor_id "$1")
  swarm_docker "$1" kill "$old" >/dev/null
  # The tether closes with the anchor: the float resigns and the VIP leaves at once.
  lab_wait_for 30 not_holding "$1" || lab_fail "the VIP stayed on node $1 after its anchor died"
  lab_wait_for 60 anchor_replaced_on "$1" "$old" || lab_fail "swarm did not restart the anchor"
}
kill_float_process() {
  local old init_pid
  old=$(float_id "$1")
  init_pid=$(swarm_docker "$1" inspect -f '{{.State.Pid}}' keepalived-float)
  # The container runs the float under docker-init: kill the float itself.
  kill -KILL "$(pgrep -P "$init_pid" | head -n 1)"
  lab_wait_for 30 float_replaced_on "$1" "$old" || lab_fail "the anchor did not recreate the float"
}
scenario "2. docker kill anchor (master node)" 60 "$REPS" kill_anchor
scenario "3. docker kill float (master node)" 60 "$REPS" kill_float_container
scenario "4. SIGKILL float process" 60 "$REPS" kill_float_process

scenario "5. drain master node, then active" 90 1 drain

# As in the promotions (14): demoted from a steady swarm, promoted once it is a worker; Docker
# 20.10 left a node promoted while still leaving raft in "error", its tasks gone (a CI run).
demote() {
  local other
  other=$(other_than "$1")
  managers_steady 5 || lab_fail "not every manager is reachable before the demotion"
  swarm_docker "$other" node demote "node$1" >/dev/null
  lab_wait_for 60 not_holding "$1" || lab_fail "the VIP stayed on the demoted node $1"
  lab_wait_for 60 no_float_on "$1" || lab_fail "a float still runs on the worker node $1"
  demoted_to_worker "$1" "$other"
  promote "$1" "$other" || lab_fail "promoting node $1 failed"
}
scenario "6. demote master node, then promote" 120 1 demote

kill_dockerd() { kill -KILL "$(swarm_dockerd_pid "$1")"; }
scenario "7. SIGKILL master node's dockerd" 120 1 kill_dockerd

scenario "8. cut master node's link 5 s, heal" 120 1 partition

promotions
silent_cut hold

# 10. Rolling update to a new tag: count how often the VIP moves.
# A new image (another id, as a real release is), made on every node: the anchors must replace
# their floats, and the VIP may only move when the node holding it is updated.
for node in $(swarm_nodes); do
  printf 'FROM %s\nLABEL org.keepalived-swarm.test=rolling-update\n' "$KS_LAB_IMAGE" |
    DOCKER_BUILDKIT=0 swarm_docker "$node" build -q -t keepalived-swarm:lab-v2 - >/dev/null
done
# Swarm says every service of the stack finished its last rolling update (if it had one).
stack_updated() {
  local service state
  for service in anchor buoy; do
    state=$(swarm_docker 1 service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' \
      "${KS_LAB_STACK}_$service") || return 1
    [[ -z $state || $state == completed ]] || return 1
  done
}
watch_holders >"$KS_LAB_STATE/holders.log" &
watcher=$!
from=$(date +%s.%3N)
KS_LAB_IMAGE=keepalived-swarm:lab-v2 swarm_deploy
updated() { # every float runs its node's build of the new tag (ids differ from node to node)
  local node image
  for node in $ALL; do
    image=$(swarm_docker "$node" inspect -f '{{.Image}}' keepalived-float 2>/dev/null) || return 1
    [ "$image" = "$(swarm_docker "$node" image inspect -f '{{.Id}}' keepalived-swarm:lab-v2)" ] ||
      return 1
  done
}
lab_wait_for 300 updated || lab_fail "the rolling update did not replace every float"
# The buoys update one by one too: the next scenarios probe the master's buoy.
lab_wait_for 120 stack_updated || lab_fail "the stack's services did not finish their rolling update"
# shellcheck disable=SC2086
wait_stable 60 $ALL
to=$(date +%s.%3N)
kill "$watcher"
moves=$(awk '{ h = $2 } h != "" && h != last { if (last != "") n++; last = h } END { print n + 0 }' "$KS_LAB_STATE/holders.log")
read -r absent_lower absent <<<"$(longest_without_holder "$KS_LAB_STATE/holders.log")"
cp "$KS_LAB_STATE/holders.log" "$(dirname "$REPORT")/chaos-update-holders.txt"
lab_log "rolling update: the VIP moved $moves time(s); no holder for ${absent_lower}-${absent}s at most (between holder samples)"
# The master's anchor leaves its float running (a handover) and its successor keeps that float
# until the update is over, so the VIP moves once, to an updated node, or not at all.
[ "$moves" -le 1 ] || lab_fail "the VIP moved $moves times during a rolling update of 3 nodes"
# That move: the outdated master resigns (priority 0) and a backup takes over after its
# Skew_Time. Bound: Skew_Time + 100 ms, for the stretch the samples surely saw without a holder.
awk -v a="$absent_lower" -v i="$INTERVAL_S" 'BEGIN { exit !(a <= (256 - 100) * i / 256 + 0.1) }' ||
  lab_fail "no VIP holder for ${absent_lower}-${absent}s during the rolling update, more than Skew_Time + 100 ms"
rows+=("| 10. rolling update to a new tag ($moves moves; no holder for ${absent_lower}-${absent} s) | 1 | $(downtime "$from" "$to") | $(downtime "$from" "$to") | $(swarm_holders | wc -w) |")

# 11. A VRRP sender that is not a manager: the client namespace, a host on the same bridge,
# advertises the stack's VRID at priority 254 for 5 s. The floats hear only the managers (the peers
# their anchors hand them): the VIP must stay where it is, and the master lists the stranger.
FOREIGN="$KS_LAB_SUBNET.$KS_LAB_CLIENT"
VRID=77  # the stack file's default KEEPALIVED_ROUTER_ID; swarm_deploy does not set it
# Prints "HOST STATE UNKNOWN_SOURCE PRIORITY COUNT" from a buoy's /status: the float's first
# instance and its entry for the foreign source ("-" when absent).
foreign_summary() { # foreign-address < status document
  python3 -c '
import json, sys
d = json.load(sys.stdin)
f = d.get("float")
if not isinstance(f, dict):
    sys.exit("the buoy cannot reach its float: %s" % d.get("floatError"))
i = f["instances"][0]
entry = next((e for e in i.get("foreign_sources", []) if e.get("address") == sys.argv[1]), {})
print(d["buoy"]["hostname"], i["state"], i.get("adverts_dropped", {}).get("unknown_source", 0),
      entry.get("priority", "-"), entry.get("count", "-"))' "$1"
}
foreign_sender() {
  local m=$1 node targets=() started status=0 file moved bad samples gap document summary host
  local state dropped priority count metric changes others=()
  for node in $(swarm_nodes); do targets+=(--to "$KS_LAB_SUBNET.$node"); done
  file="$ARTIFACTS/chaos-foreign-holders.log"
  watch_holders >"$file" &
  monitor_pids+=($!)
  # Polling takes a round of 100-200 ms here: the kernel reports every VIP change in between.
  for node in $(swarm_nodes); do
    ip -n "$(swarm_ns "$node")" -ts monitor address dev eth0 >"$KS_LAB_STATE/foreign-$node.log" 2>&1 &
    monitor_pids+=($!)
  done
  sleep 0.3
  started=$(date +%s.%3N)
  ip netns exec "$(swarm_client_ns)" python3 "$root/tests/lib/vrrp_sender.py" --version 3 \
    --vrid "$VRID" --priority 254 --interval "$KS_LAB_ADVERT_INTERVAL" --vip "$KS_LAB_VIP" \
    "${targets[@]}" --to 224.0.0.18 --rate 10 --duration 5 >"$ARTIFACTS/chaos-foreign-sender.log" 2>&1 &
  sender_pid=$!
  wait "$sender_pid" || status=$?
  sender_pid=""
  [ "$status" -eq 0 ] || lab_fail "vrrp_sender.py failed: $(cat "$ARTIFACTS/chaos-foreign-sender.log")"
  lab_log "$(cat "$ARTIFACTS/chaos-foreign-sender.log")"
  grep -q "^sent 200 advertisements (0 errors)" "$ARTIFACTS/chaos-foreign-sender.log" ||
    lab_fail "the foreign sender did not send its 200 adverts (50 rounds to 4 addresses)"
  # Floats that obey the stranger give the VIP up and wait for it: no node holds the VIP from a few
  # advert intervals into the adverts until seconds after the last one. Keep watching a while.
  sleep 1.5
  stop_monitors
  samples=$(wc -l <"$file")
  bad=$(awk 'NF != 2' "$file")
  [ -z "$bad" ] || lab_fail "not one VIP holder in $(wc -l <<<"$bad") of $samples samples during" \
    "the foreign adverts (epoch holders): $(head -n 5 <<<"$bad" | tr '\n' ';')"
  moved=$(awk -v m="$m" '$2 != m' "$file")
  [ -z "$moved" ] || lab_fail "the VIP moved from node $m during the foreign adverts: $(head -n 5 <<<"$moved" | tr '\n' ';')"
  changes=$(grep -F "inet $KS_LAB_VIP/" "$KS_LAB_STATE"/foreign-*.log || true)
  [ -z "$changes" ] || lab_fail "the VIP was added or removed during the foreign adverts: $changes"
  # A failed probe costs its 250 ms timeout: below that, no probe failed.
  gap=$(downtime "$started" "$(date +%s.%3N)")
  awk -v g="$gap" 'BEGIN { exit !(g < 0.25) }' ||
    lab_fail "the VIP did not answer for ${gap}s during the foreign adverts"

  # The buoy relays its float's status (refreshed every 250 ms): the master's, through the VIP.
  document=$(swarm_client curl -sf --max-time 2 "http://$KS_LAB_VIP:8082/status") ||
    lab_fail "no /status from the buoy on the VIP"
  echo "$document" >"$ARTIFACTS/chaos-foreign-status.json"
  summary=$(foreign_summary "$FOREIGN" <<<"$document") || lab_fail "the master's status: $document"
  read -r host state dropped priority count <<<"$summary"
  [[ $host == "node$m" && $state == MASTER ]] ||
    lab_fail "the VIP's buoy is on $host with its float $state, expected node$m and MASTER"
  [ "$dropped" -gt 0 ] || lab_fail "node $m's float counted no advert dropped as unknown_source"
  [[ $priority == 254 && $count =~ ^[0-9]+$ && $count -gt 0 ]] ||
    lab_fail "node $m's foreign_sources does not list $FOREIGN at priority 254: $document"
  metric=$(swarm_client curl -sf --max-time 2 "http://$KS_LAB_VIP:8082/metrics" |
    grep -E '^keepalived_swarm_(vrrp_)?adverts_dropped_total\{[^}]*reason="unknown_source"' || true)
  awk '{ exit !($NF > 0) }' <<<"${metric:-x 0}" ||
    lab_fail "no unknown_source drops in the master's /metrics: [${metric}]"
  # The backups got their own copies (each manager's address was a destination).
  for node in $(swarm_nodes); do
    [ "$node" = "$m" ] && continue
    summary=$(swarm_client curl -sf --max-time 2 "http://$KS_LAB_SUBNET.$node:8082/status" |
      foreign_summary "$FOREIGN") || summary="? ? unreachable"
    others+=("node $node $(cut -d' ' -f2,3 <<<"$summary")")
  done
  lab_log "foreign sender: node $m (MASTER) dropped $dropped adverts as unknown_source, $FOREIGN" \
    "listed at priority $priority ($count adverts); $samples holder samples all [$m], no VIP change" \
    "in the kernel's log, longest probe gap ${gap}s; backups (state, drops): ${others[*]}"
  FOREIGN_NOTE="$FOREIGN at priority 254: $dropped adverts dropped by the master as unknown_source, the VIP stayed on node $m in all $samples holder samples"
}
scenario "11. foreign VRRP sender (priority 254, 5 s)" 30 1 foreign_sender

# 12-13. The VIP follows a healthy ingress: a global service in host mode with a healthcheck
# (tests/integration/chaos-ingress.yml), tracked by the anchors (KEEPALIVED_TRACK_SERVICE). Its task
# on the master is killed, then hangs until its healthcheck fails: each time the VIP must leave the
# node for one whose task is healthy. A second prober asks the ingress through the VIP: its downtime
# is what the ingress's users see.
INGRESS_STACK=ingress
INGRESS_SERVICE=${INGRESS_STACK}_web
ingress_task() { # node [health]: the node's running ingress container
  swarm_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=$INGRESS_SERVICE" \
    --filter status=running ${2:+--filter "health=$2"} | head -n 1
}
ingress_healthy_on() { [ -n "$(ingress_task "$1" healthy)" ]; }
ingress_healthy_everywhere() {
  local node
  for node in $ALL; do ingress_healthy_on "$node" || return 1; done
}
# Every float lists the service's tracker as up (each node's buoy relays its float's status).
tracking_everywhere() {
  local node
  for node in $ALL; do
    swarm_client curl -sf --max-time 1 "http://$KS_LAB_SUBNET.$node:8082/status" | python3 -c '
import json, sys
f = json.load(sys.stdin).get("float") or {}
trackers = (f.get("instances") or [{}])[0].get("trackers", [])
sys.exit(not any(t.get("name") == "service:" + sys.argv[1] and t.get("up") for t in trackers))' \
      "$INGRESS_SERVICE" || return 1
  done
}
# The VIP left node $1 for one node whose ingress task is healthy.
expect_moved_to_healthy() { # node what
  local holder
  lab_wait_for 30 not_holding "$1" || lab_fail "the VIP stayed on node $1 after its ingress $2"
  lab_wait_for 10 swarm_one_holder || lab_fail "not one VIP holder after node $1's ingress $2: [$(swarm_holders)]"
  holder=$(swarm_holders)
  ingress_healthy_on "$holder" || lab_fail "the VIP went to node $holder, whose ingress task is not healthy"
  lab_log "node $1's ingress $2: the VIP left it for node $holder ($(lab_elapsed "$INGRESS_FAULT_AT" "$(date +%s.%N)")s after the fault began, by polling the nodes)"
}
kill_ingress() {
  INGRESS_FAULT_AT=$(date +%s.%N)
  swarm_docker "$1" kill "$(ingress_task "$1")" >/dev/null
  expect_moved_to_healthy "$1" "task was killed"
  lab_wait_for 60 ingress_healthy_on "$1" || lab_fail "swarm did not restart node $1's ingress task"
}
hang_ingress() {
  local pid
  pid=$(swarm_docker "$1" inspect -f '{{.State.Pid}}' "$(ingress_task "$1")")
  INGRESS_FAULT_AT=$(date +%s.%N)
  # It still accepts connections (the kernel's backlog) and never answers: only its healthcheck
  # can tell. Swarm then replaces the unhealthy task; stopping kills the stopped process.
  kill -STOP "$pid"
  expect_moved_to_healthy "$1" "hung (healthcheck: 1 s interval, 2 retries)"
  lab_wait_for 90 ingress_healthy_on "$1" || lab_fail "swarm did not replace node $1's hung ingress task"
}
INGRESS_IMAGE=$KS_LAB_IMAGE swarm_docker 1 stack deploy -c "$here/chaos-ingress.yml" "$INGRESS_STACK" >/dev/null
lab_wait_for 120 ingress_healthy_everywhere || lab_fail "the ingress service is not healthy on every node"
ip netns exec "$(swarm_client_ns)" python3 "$root/tests/lib/vip_prober.py" "$KS_LAB_VIP" 8090 \
  "$INGRESS_PROBES" 0.02 &
ingress_prober_pid=$!
# Only the anchors' settings change (the image stays the rolling update's): they restart one by one.
start=$(date +%s.%N)
KS_LAB_IMAGE=keepalived-swarm:lab-v2 swarm_deploy KEEPALIVED_TRACK_SERVICE="$INGRESS_SERVICE"
lab_wait_for 240 stack_updated || lab_fail "the anchors did not finish their rolling update"
lab_wait_for 60 tracking_everywhere || lab_fail "the floats do not all list service:$INGRESS_SERVICE as up"
# shellcheck disable=SC2086
wait_stable 60 $ALL
lab_log "tracking $INGRESS_SERVICE on every node $(lab_elapsed "$start" "$(date +%s.%N)")s after the redeploy"
DOWNTIME_PROBES=$INGRESS_PROBES scenario "12. docker kill tracked ingress task (master node)" 90 \
  "$REPS" kill_ingress
DOWNTIME_PROBES=$INGRESS_PROBES scenario "13. tracked ingress hangs until unhealthy (master node)" \
  120 "$REPS" hang_ingress
swarm_docker 1 stack rm "$INGRESS_STACK" >/dev/null

# The release policy last: the anchors restart with it, one by one.
KS_LAB_IMAGE=keepalived-swarm:lab-v2 swarm_deploy KEEPALIVED_PARTITION_POLICY=release
lab_wait_for 240 stack_updated || lab_fail "the anchors did not finish their rolling update to the release policy"
# shellcheck disable=SC2086
wait_stable 60 $ALL
silent_cut release

save_logs "$PROBES" "$INGRESS_PROBES"
# 9. docker stack rm: no VIP left, no float container left.
swarm_docker 1 stack rm "$KS_LAB_STACK" >/dev/null
no_floats() { local node; for node in $ALL; do [ -z "$(swarm_docker "$node" ps -aq --filter name='^keepalived-float$')" ] || return 1; done; }
lab_wait_for 90 no_floats || lab_fail "float containers left after docker stack rm"
[ -z "$(swarm_holders)" ] || lab_fail "VIP left on nodes [$(swarm_holders)] after docker stack rm"
rows+=("| 9. docker stack rm | 1 | - | - | 0 |")
lab_log "RESULT stack rm: no float container, no VIP"

{
  echo "| scenario | runs | VIP downtime median (s) | max (s) | holders after |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Advert interval $KS_LAB_ADVERT_INTERVAL; partition: ${PARTITION_NOTE:-n/a}; foreign sender: ${FOREIGN_NOTE:-n/a}."
  echo "Silent cuts: $(IFS=';'; echo "${CUT_NOTES[*]:-n/a}")."
} | tee "$REPORT"
lab_log "PASS"
