#!/usr/bin/env bash
# Five managers (the chaos suite runs three): the same stack on a 5-manager swarm of the local lab,
# through the chaos suite's core scenarios (deploy, the master's float killed, the master drained,
# the master's link cut), then with three VIPs spread over the managers (KEEPALIVED_SPREAD): each
# VIP on its own manager, one holder's float killed: its VIP alone moves, and goes home after the
# preempt delay once the anchor has recreated the float. An HTTP prober in a client namespace
# measures the VIP's downtime, as in the chaos suite. The tables are printed and written to
# tests/artifacts/managers-report.md, with the probes and node logs beside it.
#   KS_MANAGERS (5): managers; KS_MANAGERS_REPS (2): repetitions of the float kill;
#   KS_MANAGERS_INTERVAL (100ms): advert interval; KS_MANAGERS_SPREAD (1): 0 leaves the spread
#   VIPs out
# ctest-labels: swarm
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/lab.sh"
lab_require_root
lab_require_command dockerd debootstrap python3 curl

# Its own prefix, folder and subnet: never the chaos suite's (kc, 10.78.0) or the engines' (ke).
export KS_LAB_PREFIX="km$$" KS_LAB_STATE="/var/lib/ks-managers-$$" KS_LAB_SUBNET=10.79.0
export KS_LAB_VIP=10.79.0.100 KS_LAB_VIPS="" KS_LAB_SPREAD=""
export KS_LAB_ADVERT_INTERVAL=${KS_MANAGERS_INTERVAL:-100ms}
export KS_LAB_IMAGE=keepalived-swarm:lab KS_LAB_RESTART_DELAY=1
KS_LAB_LIBRARY=1 source "$root/deploy/lab/swarm-lab.sh"
source "$root/tests/lib/swarm.sh"
MANAGERS=${KS_MANAGERS:-5}
REPS=${KS_MANAGERS_REPS:-2}
# The spread VIPs; the first is KS_LAB_VIP, which the prober asks throughout.
SPREAD_VIPS="$KS_LAB_VIP $KS_LAB_SUBNET.101 $KS_LAB_SUBNET.102"
PREEMPT_DELAY_S=5
INTERVAL_S=$(advert_interval_s)
REPORT="$root/tests/artifacts/managers-report.md"
ARTIFACTS=$(dirname "$REPORT") ARTIFACT_PREFIX=managers
PROBES="$KS_LAB_STATE/probes.log"
SPREAD_SAMPLES="$KS_LAB_STATE/spread-holders.log"
prober_pid=""
sampler_pid=""
monitor_pids=()
rows=()
spread_rows=()
finish() {
  local status=$?
  set +e
  stop_jobs "$prober_pid" "$sampler_pid"
  stop_monitors
  save_logs "$PROBES" "$SPREAD_SAMPLES"
  [ "$status" -eq 0 ] || show_nodes
  swarm_down
  stop_jobs_left
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

# Every node's buoy answers at the node's own address, so /cluster can see every manager: the
# partition checks that only the cut node is unreachable.
buoys_everywhere() {
  local node
  for node in $ALL; do
    swarm_client curl -sf --max-time 1 "http://$KS_LAB_SUBNET.$node:8082/health" >/dev/null || return 1
  done
}
# No container of the stack runs on any node: a new stack may take the buoys' host port.
nothing_running() {
  local node
  for node in $ALL; do [ -z "$(swarm_docker "$node" ps -q)" ] || return 1; done
}

began=$SECONDS
lab_log "building the image (cached when the sources did not change)"
mkdir -p "$KS_LAB_STATE" "$ARTIFACTS"
rm -f "$ARTIFACTS"/managers-*
swarm_image "$KS_LAB_STATE/image.tar"
swarm_network_up "$MANAGERS"
swarm_engines_up
swarm_load_image "$KS_LAB_STATE/image.tar"
swarm_form
ALL=$(swarm_nodes | xargs)
lab_log "$MANAGERS managers ready $((SECONDS - began))s after the start"
ip netns exec "$(swarm_client_ns)" python3 "$root/tests/lib/vip_prober.py" "$KS_LAB_VIP" 8082 \
  "$PROBES" 0.02 &
prober_pid=$!

# 1. Deploy: the VIP appears within a few advert intervals of the floats starting.
start=$(date +%s.%N)
swarm_deploy
lab_wait_for 120 swarm_one_holder || lab_fail "no VIP after deploy"
took=$(lab_elapsed "$start" "$(date +%s.%N)")
# shellcheck disable=SC2086
wait_stable 60 $ALL
rows+=("| 1. deploy (time to VIP) | 1 | $took | $took | $(swarm_holders | wc -w) |")
lab_log "RESULT deploy: VIP on node $(master) ${took}s after docker stack deploy"

scenario "3. docker kill float (master node)" 60 "$REPS" kill_float_container
scenario "5. drain master node, then active" 90 1 drain
# The drained node's buoy comes back with its task; the cut's /cluster check needs it.
lab_wait_for 60 buoys_everywhere || lab_fail "not every node's buoy answers after the drain"
scenario "8. cut master node's link 5 s, heal" 120 1 partition

# The logs of the single VIP's stack, before it goes (the spread stack's are kept at the end); the
# anchors' until they end: how each stopped and removed its float, which the swarm's removal of
# their containers would take along.
ARTIFACT_PREFIX=managers-single save_logs
# (A node may run two for a moment: the swarm starts a replacement before the old one is gone.)
for node in $ALL; do
  for id in $(anchor_id "$node"); do
    swarm_docker "$node" logs -f --since 0s "$id" >>"$ARTIFACTS/managers-node$node-anchor-stop.log" 2>&1 &
    monitor_pids+=($!)
  done
done
# 9. docker stack rm, for the spread stack that follows: nothing of the stack runs, no VIP. The
# chaos suite asserts that no float container is left; here one a node's anchor did not remove
# is reported (its anchor's log says why), and the next stack's anchor replaces it.
swarm_docker 1 stack rm "$KS_LAB_STACK" >/dev/null
lab_wait_for 90 nothing_running || lab_fail "the stack's containers still run after docker stack rm"
stop_monitors
[ -z "$(swarm_holders)" ] || lab_fail "VIP left on nodes [$(swarm_holders)] after docker stack rm"
left=$(for node in $ALL; do [ -z "$(swarm_docker "$node" ps -aq --filter name='^keepalived-float$')" ] || echo "$node"; done | xargs)
if [ -n "$left" ]; then
  lab_log "WARNING: docker stack rm left a stopped float container on nodes [$left]; their anchors:" \
    "$(for node in $left; do tail -n 1 "$ARTIFACTS/managers-node$node-anchor-stop.log"; done | cut -c 1-160 | tr '\n' ';')"
fi
rows+=("| 9. docker stack rm (float containers left: nodes [${left:-none}]) | 1 | - | - | $(swarm_holders | wc -w) |")
lab_log "RESULT stack rm: no VIP; float containers left on nodes [${left:-none}]"

# Spread: three VIPs, each its own VRRP instance homed round-robin on the managers sorted by
# address, preempting after PREEMPT_DELAY_S.
# The manager VIP number I (from 0) calls home: the I-th by address, round robin.
home_of() { # index
  local managers
  read -r -a managers <<<"$(for node in $ALL; do echo "$KS_LAB_SUBNET.$node $node"; done |
    sort -t . -k 4,4n | awk '{ print $2 }' | xargs)"
  echo "${managers[$(($1 % ${#managers[@]}))]}"
}
# Each spread VIP's holders, in VIP order: nodes joined by commas, "-" for none.
spread_holders() {
  local vip holders out=()
  for vip in $SPREAD_VIPS; do
    holders=$(swarm_holders "$vip")
    holders=${holders// /,}
    out+=("${holders:--}")
  done
  echo "${out[*]}"
}
# Every spread VIP on exactly one node, no node holding two.
spread_apart() {
  local holders
  read -r -a holders <<<"$(spread_holders)"
  [[ " ${holders[*]} " != *[,-]* ]] &&
    [ "$(printf '%s\n' "${holders[@]}" | sort -u | wc -l)" -eq "${#holders[@]}" ]
}
spread_at_home() { [ "$(spread_holders)" = "$HOMES" ]; }
vip_held_only_by() { [ "$(swarm_holders "$1")" = "$2" ]; }
vip_held_by_other_than() { # vip node: some node other than NODE holds VIP
  local holder
  for holder in $(swarm_holders "$1"); do [ "$holder" = "$2" ] || return 0; done
  return 1
}
vip_on_one_other_than() { # vip node: one node holds VIP, and not NODE
  local holders
  holders=$(swarm_holders "$1")
  [ "$(wc -w <<<"$holders")" -eq 1 ] && [ "$holders" != "$2" ]
}
epoch_of() { date -d "$1" +%s.%N; }
# Seconds from SINCE to the first holder sample at or after it where the first spread VIP is
# "taken" (held by a node other than NODE, maybe with NODE), "moved" (held by one node, not NODE)
# or "home" (held by NODE alone); "-" when none is.
sampled_after() { # since taken|moved|home node
  awk -v since="$1" -v what="$2" -v v="$3" '
    $1 < since { next }
    (what == "taken" && $2 != "-" && $2 != v) || (what == "moved" && $2 != "-" && $2 !~ /,/ &&
      $2 != v) || (what == "home" && $2 == v) { printf "%.3f", $1 - since; found = 1; exit }
    END { if (!found) print "-" }' "$SPREAD_SAMPLES"
}

spread() {
  local vips index=0 vip start held home_s victim others old killed taken moved back started
  local survivor column expected changed after_kill after_home node path home_after
  read -r -a vips <<<"$SPREAD_VIPS"
  HOMES=$(for vip in "${vips[@]}"; do home_of "$index"; index=$((index + 1)); done | xargs)
  export KS_LAB_VIPS=$SPREAD_VIPS KS_LAB_SPREAD=1
  lab_wait_for 90 nothing_running || lab_fail "the stack's containers still run after docker stack rm"
  start=$(date +%s.%N)
  swarm_deploy KEEPALIVED_PREEMPT_DELAY="${PREEMPT_DELAY_S}s"
  lab_wait_for 120 spread_apart || lab_fail "the spread VIPs are not on ${#vips[@]} different nodes: [$(spread_holders)]"
  held=$(lab_elapsed "$start" "$(date +%s.%N)")
  lab_log "spread: [$(spread_holders)] held ${held}s after docker stack deploy (homes: [$HOMES])"
  lab_wait_for $((PREEMPT_DELAY_S + 60)) spread_at_home ||
    lab_fail "the spread VIPs are not at home: [$(spread_holders)], expected [$HOMES]"
  home_s=$(lab_elapsed "$start" "$(date +%s.%N)")
  # shellcheck disable=SC2086
  wait_stable 60 $ALL
  spread_at_home || lab_fail "the spread VIPs left their homes once stable: [$(spread_holders)]"
  lab_log "RESULT spread deploy: VIPs ${vips[*]} on nodes [$HOMES], each alone: ${held}s after" \
    "docker stack deploy, all at home ${home_s}s after"
  spread_rows+=("| deploy, ${#vips[@]} VIPs: each on one node, no node with two | $held | holders [$(spread_holders)] |")
  spread_rows+=("| deploy: every VIP on its home | $home_s | homes [$HOMES] (by address, round robin) |")

  # The first VIP's holder loses its float (SIGKILL): a survivor takes that VIP after
  # Master_Down_Interval, the recreated float removes the stale one at start, then takes it back
  # after the preempt delay. The other VIPs never move. Every VIP is sampled every 50 ms.
  vip=${vips[0]}
  victim=$(home_of 0)
  others="${HOMES#* }"
  local arguments=()
  for node in $ALL; do arguments+=(--node "$node=$(swarm_ns "$node")"); done
  for index in "${!vips[@]}"; do arguments+=(--address "${vips[$index]}"); done
  python3 "$root/tests/lib/holder_sampler.py" --out "$SPREAD_SAMPLES" --seconds 300 \
    "${arguments[@]}" >"$KS_LAB_STATE/spread-sampler.log" 2>&1 &
  sampler_pid=$!
  # It takes a few seconds to start on a loaded machine: its samples must show the VIPs at home
  # before the kill.
  lab_wait_for 30 test -s "$SPREAD_SAMPLES" || lab_fail "the holder sampler wrote nothing: $(cat "$KS_LAB_STATE/spread-sampler.log")"
  sleep 0.3
  old=$(float_id "$victim")
  killed=$(date +%s.%N)
  swarm_docker "$victim" kill "$old" >/dev/null
  lab_wait_for 30 vip_held_by_other_than "$vip" "$victim" ||
    lab_fail "no other node took $vip when node $victim's float was killed"
  lab_wait_for 30 vip_on_one_other_than "$vip" "$victim" ||
    lab_fail "$vip not on one other node after node $victim's float was killed: [$(swarm_holders "$vip")]"
  survivor=$(swarm_holders "$vip")
  # More managers than VIPs: a manager that is home to none takes it, not one carrying a VIP.
  if [ "$MANAGERS" -gt "${#vips[@]}" ] && [[ " $HOMES " == *" $survivor "* ]]; then
    lab_fail "$vip went to node $survivor, which already holds a VIP, while others hold none"
  fi
  after_kill=$(downtime "$killed" "$(date +%s.%3N)")
  lab_wait_for 30 float_replaced_on "$victim" "$old" || lab_fail "the anchor did not recreate node $victim's float"
  started=$(epoch_of "$(swarm_docker "$victim" inspect -f '{{.State.StartedAt}}' "$(float_id "$victim")")")
  back=$(lab_elapsed "$killed" "$started")
  lab_wait_for $((PREEMPT_DELAY_S + 30)) vip_held_only_by "$vip" "$victim" ||
    lab_fail "$vip did not go home to node $victim: held by [$(swarm_holders "$vip")]"
  # Long enough for a wrong move after the return to be seen.
  sleep 2
  stop_jobs "$sampler_pid"
  sampler_pid=""
  after_home=$(downtime "$started" "$(date +%s.%3N)")
  spread_at_home || lab_fail "the spread VIPs are not all at home after the return: [$(spread_holders)]"
  cp "$SPREAD_SAMPLES" "$ARTIFACTS/managers-spread-holders.log"
  [ "$(head -n 1 "$SPREAD_SAMPLES" | cut -d' ' -f2-)" = "$HOMES" ] ||
    lab_fail "the first holder sample is not the VIPs at home [$HOMES]: $(head -n 1 "$SPREAD_SAMPLES")"
  # The other VIPs: the same single holder in every sample.
  for index in $(seq 2 "${#vips[@]}"); do
    expected=$(cut -d' ' -f"$index" <<<"$HOMES")
    column=$((index + 1))
    changed=$(awk -v c="$column" -v want="$expected" '$c != want' "$SPREAD_SAMPLES")
    [ -z "$changed" ] || lab_fail "${vips[$((index - 1))]} left node $expected while node $victim's float" \
      "was down or back (epoch holders...): $(head -n 5 <<<"$changed" | tr '\n' ';')"
  done
  # The times from the samples (every node read at one instant, every 50 ms; polling five nodes
  # takes a few tenths of a second here): the first sample from SINCE on whose holders of the first
  # VIP match.
  taken=$(sampled_after "$killed" taken "$victim")
  moved=$(sampled_after "$killed" moved "$victim")
  home_after=$(sampled_after "$started" home "$victim")
  # The first VIP's holders in the order they came (consecutive samples alike counted once).
  path=$(awk '$2 != last { printf "%s%s", (n++ ? " > " : ""), $2; last = $2 }' "$SPREAD_SAMPLES")
  lab_log "RESULT spread: node $victim's float SIGKILLed: $vip on node $survivor after ${taken}s," \
    "alone there after ${moved}s (probe downtime ${after_kill}s); the float back after ${back}s;" \
    "$vip home ${home_after}s after the float started (preempt delay ${PREEMPT_DELAY_S}s; probe" \
    "downtime ${after_home}s); its holders: $path; VIPs ${vips[*]:1} stayed on [$others] in all" \
    "$(wc -l <"$SPREAD_SAMPLES") samples"
  # Home no sooner than the preempt delay after the float's start, and not much later.
  awk -v h="$home_after" -v d="$PREEMPT_DELAY_S" 'BEGIN { exit !(h >= d - 0.1 && h <= d + 5) }' ||
    lab_fail "$vip went home ${home_after}s after node $victim's float started, not within [$PREEMPT_DELAY_S, $((PREEMPT_DELAY_S + 5))] s"
  spread_rows+=("| node $victim's float SIGKILLed: $vip on another node | $taken | node $survivor; probe downtime $after_kill s |")
  spread_rows+=("| ... and off node $victim (stale VIP removed) | $moved | holders of $vip: $path |")
  spread_rows+=("| ... the float recreated by its anchor | $back | |")
  spread_rows+=("| ... $vip home after the float started | $home_after | preempt delay ${PREEMPT_DELAY_S} s; probe downtime $after_home s |")
  spread_rows+=("| ... the other VIPs ${vips[*]:1} | - | never moved: [$others] in all $(wc -l <"$SPREAD_SAMPLES") samples (50 ms) |")
}
if [ "${KS_MANAGERS_SPREAD:-1}" = 1 ]; then spread; fi

{
  echo "$MANAGERS managers, advert interval $KS_LAB_ADVERT_INTERVAL."
  echo
  echo "| scenario | runs | VIP downtime median (s) | max (s) | holders after |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Partition: ${PARTITION_NOTE:-n/a}."
  if [ "${#spread_rows[@]}" -gt 0 ]; then
    echo
    echo "| spread: $SPREAD_VIPS, KEEPALIVED_PREEMPT_DELAY=${PREEMPT_DELAY_S}s | seconds | |"
    echo "|---|---|---|"
    printf '%s\n' "${spread_rows[@]}"
  fi
  echo
  echo "The test took $((SECONDS - began)) s."
} | tee "$REPORT"
lab_log "PASS"
