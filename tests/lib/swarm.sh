# shellcheck shell=bash
# What the swarm tests ask of the lab swarm (deploy/lab/swarm-lab.sh, sourced first with
# KS_LAB_LIBRARY=1, and tests/lib/lab.sh): where the VIP is, which of the stack's containers run on
# a node, and the scenarios and measurements the swarm tests share. Defines functions and nothing
# else.
#
#   master                  the one node holding the VIP; fails the test when there are more or none
#   float_id N              the running float container's id on node N ("" when none): the
#                           anchor's container, or in direct mode the float service's task
#   anchor_id N             the running anchor task's container id on node N ("" when none)
#   not_holding N           node N does not hold the VIP
#   at_most_one_holder      no two nodes hold the VIP
#   floats_everywhere N...  a float runs on every node given
#   no_float_on N           no float runs on node N
#   anchor_replaced_on N ID node N runs an anchor other than container ID
#   float_replaced_on N ID  node N runs a float other than container ID
#   other_than N            the first node that is not N
#   service_container N S   the running container of the stack's service S on node N
#   privileges N ID         container ID's "user|cap_add|cap_drop|privileged|mount sources"
#
# A test that runs scenarios (tests/integration/test_swarm_chaos.sh, test_swarm_managers.sh) also
# sets, before calling them: ALL (the nodes, "1 2 3"), INTERVAL_S (advert_interval_s), PROBES (the
# VIP prober's log, tests/lib/vip_prober.py), ARTIFACTS and ARTIFACT_PREFIX (where logs are kept, as
# ARTIFACTS/ARTIFACT_PREFIX-NAME), rows=() (the report's table) and monitor_pids=() (background
# `ip monitor` jobs). Then:
#
#   advert_interval_s       KS_LAB_ADVERT_INTERVAL in seconds (100ms -> 0.1, 1s -> 1)
#   downtime FROM TO        the longest the VIP went without a successful probe in that window
#   watch_holders           "EPOCH NODES..." every 50 ms, until killed
#   wait_stable S NODE...   one holder, floats on NODEs, the buoy answering, within S seconds
#   record NAME VALUE... H  a row of the table: runs, median and max of the values, H holders
#   scenario NAME S REPS ACTION
#                           ACTION MASTER, REPS times, each followed by wait_stable S; recorded
#   kill_float_container N, drain N, partition N
#                           the actions: docker kill of node N's float; drain, then active; its
#                           bridge port down for 5 s (carrier lost), then up
#   stop_jobs PID...        end the test's background jobs (empty arguments skipped)
#   stop_monitors           end the jobs in monitor_pids
#   save_logs FILE...       keep FILEs (probes), node MACs, containers' and engines' logs under
#                           ARTIFACTS for a surprising figure
#   show_nodes              each node's containers and their last log lines, on stderr (failures)
#   stop_jobs_left          any job still running (after swarm_down), so ctest does not hang

master() {
  local holders
  holders=$(swarm_holders)
  [ "$(wc -w <<<"$holders")" -eq 1 ] || lab_fail "expected one VIP holder, found [$holders]"
  echo "$holders"
}
float_id() {
  if swarm_direct_mode; then
    swarm_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_float" \
      --filter status=running
  else
    swarm_docker "$1" ps -q --filter name='^keepalived-float$' --filter status=running
  fi
}
anchor_id() {
  swarm_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_anchor" \
    --filter status=running
}
not_holding() { [[ " $(swarm_holders) " != *" $1 "* ]]; }
at_most_one_holder() { [ "$(swarm_holders | wc -w)" -le 1 ]; }
floats_everywhere() {
  local node
  for node in "$@"; do [ -n "$(float_id "$node")" ] || return 1; done
}
no_float_on() { [ -z "$(float_id "$1")" ]; }
anchor_replaced_on() { local id; id=$(anchor_id "$1"); [ -n "$id" ] && [ "$id" != "$2" ]; }
float_replaced_on() { local id; id=$(float_id "$1"); [ -n "$id" ] && [ "$id" != "$2" ]; }
other_than() {
  local node
  for node in $(swarm_nodes); do [ "$node" = "$1" ] || { echo "$node"; return; }; done
}
service_container() {
  swarm_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_$2" \
    --filter status=running | head -n 1
}
privileges() {
  swarm_docker "$1" inspect -f '{{.Config.User}}|{{json .HostConfig.CapAdd}}|{{json .HostConfig.CapDrop}}|{{.HostConfig.Privileged}}|{{range .Mounts}}{{.Source}} {{end}}' "$2"
}

# The tests' bounds are in advert intervals; the lab's interval is written as the stack takes it.
advert_interval_s() {
  awk -v d="$KS_LAB_ADVERT_INTERVAL" 'BEGIN {
    if (d ~ /ms$/) { sub(/ms$/, "", d); print d / 1000 } else { sub(/s$/, "", d); print d + 0 } }'
}

# The longest the VIP went without a successful answer between two instants (seconds): the largest
# gap between successive successful probes, less the probing period. DOWNTIME_PROBES names another
# prober's log (the tracked ingress's).
downtime() { # from to
  awk -v from="$1" -v to="$2" -v period=0.02 '
    $2 != "ok" { next }
    $1 < from { last = $1; next }
    $1 > to { if (last != "" && $1 - last > worst) worst = $1 - last; exit }
    { if (last != "" && $1 - last > worst) worst = $1 - last; last = $1 }
    END { w = worst - period; printf "%.3f", (w > 0 ? w : 0) }' "${DOWNTIME_PROBES:-$PROBES}"
}

# "EPOCH NODES..." every 50 ms, until killed.
watch_holders() { while :; do echo "$(date +%s.%3N) $(swarm_holders)"; sleep 0.05; done; }
# Stable: one holder, a float on every given node, the buoy answering on the VIP.
stable() {
  swarm_one_holder && floats_everywhere "$@" && swarm_buoy_answers
}
# A scenario's recovery: stable, and still one holder once a backup that wrongly took the VIP
# would have (its master-down interval).
wait_stable() { # seconds nodes...
  local seconds=$1
  shift
  lab_wait_for "$seconds" stable "$@" || lab_fail "not stable within ${seconds}s: holders [$(swarm_holders)]"
  sleep "$(awk -v i="$INTERVAL_S" 'BEGIN { print 5 * i + 0.5 }')"
  swarm_one_holder || lab_fail "two holders right after stabilising: [$(swarm_holders)]"
}

record() { # scenario downtimes... holders-after
  local scenario=$1 holders=${*: -1} values=("${@:2:$#-2}")
  local summary
  summary=$(printf '%s\n' "${values[@]}" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f | %.2f", m, v[NR] }')
  rows+=("| $scenario | ${#values[@]} | $summary | $holders |")
  lab_log "RESULT $scenario: downtime median/max ${summary/|//} s; holders after: $holders"
}

# Runs ACTION against the master REPS times, each time waiting for stability within WINDOW; each
# window goes to ARTIFACTS/ARTIFACT_PREFIX-scenarios.txt, to find its probes.
scenario() { # name window reps action
  local name=$1 window=$2 reps=$3 action=$4 values=() m from to
  for _ in $(seq 1 "$reps"); do
    m=$(master)
    from=$(date +%s.%3N)
    "$action" "$m"
    # shellcheck disable=SC2086
    wait_stable "$window" $ALL
    to=$(date +%s.%3N)
    values+=("$(downtime "$from" "$to")")
    echo "$from $to master=$m $name" >>"$ARTIFACTS/$ARTIFACT_PREFIX-scenarios.txt"
  done
  record "$name" "${values[@]}" "$(swarm_holders | wc -w)"
}

# Each action waits for its own effect, so the stability that follows is the recovery.
kill_float_container() {
  local old
  old=$(float_id "$1")
  swarm_docker "$1" kill "$old" >/dev/null
  lab_wait_for 30 float_replaced_on "$1" "$old" || lab_fail "the anchor did not recreate the float"
}
drain() {
  local hostname
  hostname="node$1"
  swarm_docker "$(other_than "$1")" node update --availability drain "$hostname" >/dev/null
  lab_wait_for 60 not_holding "$1" || lab_fail "the VIP stayed on the drained node $1"
  lab_wait_for 60 no_float_on "$1" || lab_fail "a float still runs on the drained node $1"
  swarm_docker "$(other_than "$1")" node update --availability active "$hostname" >/dev/null
}
# The node's bridge port down for 5 s, then up: the cut node loses its carrier, so its link
# tracker resigns it and only the others hold the VIP; after the heal, one holder within an advert
# interval. Sets PARTITION_NOTE.
partition() {
  local node=$1 during heal_start converged removed changed exact=unknown n
  ip -n "$(swarm_switch_ns)" link set "v$node" down
  sleep 5
  during=$(swarm_holders)
  # The cut node lost its carrier: its link tracker resigned it, so only the others hold the VIP.
  { [ "$(wc -w <<<"$during")" -eq 1 ] && [ "$during" != "$node" ]; } ||
    lab_fail "holders during the carrier cut of node $node: [$during], expected one other node"
  # The connected side's /cluster names the cut node unreachable (it cannot see its state).
  [ "$(swarm_client curl -sf --max-time 2 "http://$KS_LAB_VIP:8082/cluster" | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(" ".join(n["address"] for n in c["nodes"] if not n["reachable"]), c["split_brain"])')" = "$KS_LAB_SUBNET.$node False" ] ||
    lab_fail "/cluster during the cut does not show node $node, and only it, unreachable"
  # Polling the nodes takes tens of milliseconds a round; the kernel timestamps the VIP leaving.
  for n in $(swarm_nodes); do
    ip -n "$(swarm_ns "$n")" -ts monitor address dev eth0 >"$KS_LAB_STATE/heal-$n.log" 2>&1 &
    monitor_pids+=($!)
  done
  sleep 0.2
  ip -n "$(swarm_switch_ns)" link set "v$node" up
  heal_start=$(date +%s.%N)
  lab_wait_for 10 at_most_one_holder || lab_fail "still more than one holder 10s after healing"
  converged=$(lab_elapsed "$heal_start" "$(date +%s.%N)")
  sleep 0.1
  stop_monitors
  # When the VIP last left a node, if it did; whether it came or went anywhere at all.
  removed=$(lab_monitor_times "Deleted .*inet $KS_LAB_VIP/" "$KS_LAB_STATE"/heal-*.log |
    sort -n | tail -n 1)
  changed=$(lab_monitor_times "inet $KS_LAB_VIP/" "$KS_LAB_STATE"/heal-*.log | tail -n 1)
  if [ -n "$removed" ]; then
    exact="$(lab_elapsed "$heal_start" "$removed")s"
  elif [ -n "$changed" ]; then
    exact="no VIP left a node"
  else
    exact="no VIP added or removed on any node"
  fi
  lab_log "partition of node $node: holders during the cut [$during]; after healing: ${exact}" \
    "by the kernel's clock (one holder ${converged}s after healing by polling)"
  # By the kernel's clock one advert interval plus scheduling; polling the nodes adds its rounds
  # (a round of five nodes takes up to 0.7 s on a loaded machine). When the kernel saw no VIP come
  # or go from before the heal on, the one holder of the cut stayed the only one: nothing to bound.
  if [ -n "$removed" ]; then
    awk -v c="${exact%s}" -v i="$INTERVAL_S" 'BEGIN { exit !(c <= i + 0.1) }'
  elif [ -n "$changed" ]; then
    awk -v c="$converged" -v i="$INTERVAL_S" 'BEGIN { exit !(c <= i + 0.25) }'
  fi || lab_fail "healing took ${exact} (${converged}s by polling), more than one advert interval (${INTERVAL_S}s)"
  # shellcheck disable=SC2034 # the test's report reads it
  PARTITION_NOTE="holders during the cut: nodes [$during] (the cut node resigned: no carrier); after healing: ${exact} (kernel timestamps; one holder ${converged}s after by polling)"
}

# The test's own background jobs (probers, samplers), by pid; "" for one never started.
stop_jobs() {
  local pid
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    # A job ended by the signal waits with status 143: not a failure of the test.
    if kill "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
  done
}
stop_monitors() {
  [ "${#monitor_pids[@]}" -gt 0 ] || return 0
  kill "${monitor_pids[@]}" 2>/dev/null || true
  wait "${monitor_pids[@]}" 2>/dev/null || true
  monitor_pids=()
}
# What a surprising figure needs to be explained: the given files (every probe), and the current
# containers' logs, as ARTIFACTS/ARTIFACT_PREFIX-NAME.
save_logs() { # files...
  local file node role id
  for file in "$@"; do
    [ -f "$file" ] && cp "$file" "$ARTIFACTS/$ARTIFACT_PREFIX-$(basename "$file")"
  done
  # Failed probes name the MAC address the client sent to: whose it is.
  for node in $(swarm_nodes); do
    echo "node$node $(ip -n "$(swarm_ns "$node")" -o link show eth0 2>/dev/null |
      sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')"
  done >"$ARTIFACTS/$ARTIFACT_PREFIX-node-macs.txt"
  for node in $(swarm_nodes); do
    for role in float anchor; do
      if [ "$role" = float ]; then
        id=$(swarm_docker "$node" ps -aq --filter name=keepalived-float | head -n 1) || id=""
      else
        id=$(swarm_docker "$node" ps -aq --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_anchor" | head -n 1) || id=""
      fi
      [ -z "$id" ] || swarm_docker "$node" logs "$id" >"$ARTIFACTS/$ARTIFACT_PREFIX-node$node-$role.log" 2>&1 || true
    done
    # The engine's own account (raft, membership), which the lab folder loses at swarm_down.
    tail -n 400 "$KS_LAB_STATE/node$node/dockerd.log" >"$ARTIFACTS/$ARTIFACT_PREFIX-node$node-dockerd.log" 2>/dev/null || true
  done
  return 0
}
show_nodes() {
  local node float anchor
  for node in $(swarm_nodes); do
    echo "----- node $node: containers" >&2
    swarm_docker "$node" ps -a --format '{{.Names}} {{.Status}}' 2>&1 | head -n 10 >&2
    float=$(swarm_docker "$node" ps -aq --filter name=keepalived-float | head -n 1)
    [ -n "$float" ] && swarm_docker "$node" logs --tail 15 "$float" >&2 2>&1
    anchor=$(swarm_docker "$node" ps -aq --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_anchor" | head -n 1)
    [ -n "$anchor" ] && swarm_docker "$node" logs --tail 15 "$anchor" >&2 2>&1
  done
  return 0
}
# Any other job the test started that a failure left running (a holders watcher): ctest waits for
# every process that holds the test's output, so one left behind hangs the suite. After
# swarm_down, which ends the lab's own jobs (the nodes' engines) in order.
stop_jobs_left() {
  local jobs_left
  jobs_left=$(jobs -pr)
  # shellcheck disable=SC2086 # one pid a word
  [ -z "$jobs_left" ] || { kill $jobs_left 2>/dev/null; wait $jobs_left 2>/dev/null; }
}
