#!/usr/bin/env bash
# The stack on the Docker Engines users run, not only Debian 12's 20.10: a swarm of three 28.5
# managers that refuse API versions below 1.44 (what Docker 29 refuses), and a mixed swarm of one
# 20.10, one 26.1 and one floored 28.5 manager (the upgrade path). On each: deploy, the VIP
# answers through the buoy, every anchor negotiated an API the engine accepts, the master's anchor
# killed, the master drained, `docker stack rm` leaves no container and no VIP. The chaos suite
# runs the rest on 20.10 only. The engines come from Debian's trixie and sid, cached as root file
# system tarballs (deploy/lab/lib/engine.sh). Direct mode (deploy/docker-compose.direct.yml: the
# float is the service, no anchor) runs the same smoke on three floored 28.5 managers, with the
# float task SIGKILLed instead of the anchor: its successor must remove the VIP it left behind.
# A table goes to tests/artifacts/engines-report.md.
#   KS_ENGINES_SWARMS: the swarms to run, "name=SPEC,SPEC,SPEC[@direct]" words (SPEC as
#   KS_LAB_ENGINES)
# ctest-labels: swarm
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/lab.sh"
lab_require_root
lab_require_command dockerd debootstrap python3 curl

export KS_LAB_PREFIX="ke$$" KS_LAB_STATE="/var/lib/ks-engines-$$" KS_LAB_SUBNET=10.76.0
export KS_LAB_VIP=10.76.0.100 KS_LAB_ADVERT_INTERVAL=100ms
export KS_LAB_IMAGE=keepalived-swarm:lab KS_LAB_RESTART_DELAY=1
KS_LAB_LIBRARY=1 source "$root/deploy/lab/swarm-lab.sh"
source "$root/tests/lib/swarm.sh"
SWARMS=${KS_ENGINES_SWARMS:-"docker29=28.5:1.44,28.5:1.44,28.5:1.44 mixed=20.10,26.1,28.5:1.44 direct=28.5:1.44,28.5:1.44,28.5:1.44@direct"}
REPORT="$root/tests/artifacts/engines-report.md"
IMAGE_TAR="/var/lib/ks-engines-image-$$.tar"

finish() {
  local status=$? node service id
  set +e
  if [ "$status" -ne 0 ]; then
    for node in $(swarm_nodes); do
      echo "----- node $node ($(swarm_engine_spec "$node")): containers" >&2
      swarm_docker "$node" ps -a --format '{{.Names}} {{.Status}}' 2>&1 | head -n 10 >&2
      for service in anchor float; do
        id=$(swarm_docker "$node" ps -aq --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_$service" | head -n 1)
        [ -n "$id" ] && swarm_docker "$node" logs --tail 15 "$id" >&2 2>&1
      done
      tail -n 5 "$KS_LAB_STATE/node$node/dockerd.log" >&2
    done
  fi
  swarm_down
  rm -f "$IMAGE_TAR"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

one_holder_on_others() { # node: one holder, not NODE
  swarm_one_holder && not_holding "$1"
}
ready_everywhere() { # the VIP on one node, a float on every node, the buoy answering on the VIP
  # shellcheck disable=SC2046 # one word a node
  swarm_one_holder && floats_everywhere $(swarm_nodes) && swarm_buoy_answers
}
negotiated_api() { # node: the API version its anchor (or, in direct mode, its float) negotiated
  if swarm_direct_mode; then
    swarm_docker "$1" logs "$(float_id "$1")" 2>&1 |
      sed -n 's/.*direct mode: this node.*api_version=\([0-9.]*\).*/\1/p' | tail -n 1
  else
    swarm_docker "$1" logs "$(anchor_id "$1")" 2>&1 |
      sed -n 's/.*connected to the Docker Engine.*api_version=\([0-9.]*\).*/\1/p' | tail -n 1
  fi
}
others_hold() { # node: some other node holds the VIP (NODE may still hold it too)
  local holder
  for holder in $(swarm_holders); do [ "$holder" = "$1" ] || return 0; done
  return 1
}
version_at_least() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, "."); split(b, y, ".")
  exit !(x[1] > y[1] || (x[1] == y[1] && x[2] + 0 >= y[2] + 0)) }'; }
no_containers() { # nothing of the stack left on any node, running or not
  local node
  for node in $(swarm_nodes); do [ -z "$(swarm_docker "$node" ps -aq)" ] || return 1; done
}

rows=()
# One swarm of three managers with the given engines, through the smoke.
smoke() { # name specs (comma-separated, then @direct for direct mode)
  local name=$1 specs=${2%@direct} mode=anchor node spec min seen start deploy_s kill_s stale_s drain_s m old
  local engines=()
  [ "$specs" = "$2" ] || mode=direct
  export KS_LAB_ENGINES=${specs//,/ }
  if [ "$mode" = direct ]; then
    export KS_LAB_COMPOSE=deploy/docker-compose.direct.yml
  else
    export KS_LAB_COMPOSE=deploy/docker-compose.yml
  fi
  lab_log "swarm '$name': engines $KS_LAB_ENGINES, $mode mode"
  mkdir -p "$KS_LAB_STATE"
  swarm_network_up 3
  swarm_engines_up
  swarm_load_image "$IMAGE_TAR"
  swarm_form
  for node in $(swarm_nodes); do
    spec=$(swarm_engine_spec "$node")
    seen=$(swarm_docker "$node" version --format '{{.Server.Version}} {{.Server.MinAPIVersion}}')
    [[ $seen == "$(ks_engine_spec_version "$spec")"* ]] ||
      lab_fail "node $node runs Docker $seen, expected $spec"
    engines+=("${seen%% *}")
    min=$(ks_engine_spec_min_api "$spec")
    if [ -n "$min" ]; then
      # The floor is real: a 20.10 client (API 1.41) is refused, as Docker 29 refuses it.
      seen=$(DOCKER_API_VERSION=1.41 swarm_docker "$node" version 2>&1) &&
        lab_fail "node $node's engine answered an API 1.41 client despite its $min floor"
      [[ $seen == *"too old"* ]] || lab_fail "node $node refused API 1.41 for another reason: $seen"
    fi
  done
  lab_log "engines: ${engines[*]}; the floored ones refuse API 1.41"

  start=$(date +%s.%N)
  swarm_deploy
  lab_wait_for 120 swarm_one_holder || lab_fail "no VIP after deploy"
  deploy_s=$(lab_elapsed "$start" "$(date +%s.%N)")
  lab_wait_for 60 ready_everywhere || lab_fail "not every node runs a float, or the buoy does not answer on the VIP"
  for node in $(swarm_nodes); do
    min=$(ks_engine_spec_min_api "$(swarm_engine_spec "$node")")
    seen=$(negotiated_api "$node")
    [ -n "$seen" ] || lab_fail "node $node's $mode logged no negotiated API version"
    [ -z "$min" ] || version_at_least "$seen" "$min" ||
      lab_fail "node $node's $mode uses API $seen, below its engine's floor $min"
    lab_log "node $node: the $([ "$mode" = direct ] && echo float || echo anchor) speaks API $seen"
  done

  if [ "$mode" = direct ]; then
    # The float service as the anchor makes its float: NET_ADMIN and NET_RAW only, unprivileged;
    # in direct mode it has the Docker socket too.
    # (The CLI may write them CAP_NET_ADMIN, CAP_NET_RAW.)
    local expected='^\|\["(CAP_)?NET_ADMIN","(CAP_)?NET_RAW"\]\|\["ALL"\]\|false\|.*docker\.sock'
    for node in $(swarm_nodes); do
      seen=$(privileges "$node" "$(float_id "$node")")
      [[ $seen =~ $expected ]] || lab_fail "node $node's float service: $seen"
    done
    lab_log "the float services have NET_ADMIN+NET_RAW only, and the Docker socket"
  fi
  m=$(master)
  stale_s=-
  if [ "$mode" = direct ]; then
    # SIGKILL: the float cannot resign, and its VIP stays on the node until the task that
    # replaces it removes it; meanwhile another node takes over after Master_Down_Interval.
    old=$(float_id "$m")
    start=$(date +%s.%N)
    swarm_docker "$m" kill "$old" >/dev/null
    lab_wait_for 30 others_hold "$m" || lab_fail "no other node took the VIP when node $m's float was killed"
    kill_s=$(lab_elapsed "$start" "$(date +%s.%N)")
    lab_wait_for 60 one_holder_on_others "$m" || lab_fail "the killed float's VIP stayed on node $m"
    stale_s=$(lab_elapsed "$start" "$(date +%s.%N)")
    lab_wait_for 60 float_replaced_on "$m" "$old" || lab_fail "the swarm did not restart node $m's float"
    lab_wait_for 60 ready_everywhere || lab_fail "no float on every node after the float's restart"
  else
    old=$(anchor_id "$m")
    start=$(date +%s.%N)
    swarm_docker "$m" kill "$old" >/dev/null
    lab_wait_for 30 one_holder_on_others "$m" || lab_fail "the VIP did not leave node $m when its anchor died"
    kill_s=$(lab_elapsed "$start" "$(date +%s.%N)")
    lab_wait_for 60 anchor_replaced_on "$m" "$old" || lab_fail "the swarm did not restart node $m's anchor"
    lab_wait_for 60 ready_everywhere || lab_fail "no float on every node after the anchor's restart"
  fi

  m=$(master)
  start=$(date +%s.%N)
  swarm_docker "$(other_than "$m")" node update --availability drain "node$m" >/dev/null
  lab_wait_for 60 one_holder_on_others "$m" || lab_fail "the VIP did not leave the drained node $m"
  drain_s=$(lab_elapsed "$start" "$(date +%s.%N)")
  lab_wait_for 60 no_float_on "$m" || lab_fail "a float still runs on the drained node $m"
  swarm_docker "$(other_than "$m")" node update --availability active "node$m" >/dev/null
  lab_wait_for 60 ready_everywhere || lab_fail "no float on node $m once active again"

  swarm_docker 1 stack rm "$KS_LAB_STACK" >/dev/null
  lab_wait_for 90 no_containers || lab_fail "containers left after docker stack rm"
  [ -z "$(swarm_holders)" ] || lab_fail "VIP left on nodes [$(swarm_holders)] after docker stack rm"
  lab_log "RESULT $name ($mode): VIP ${deploy_s}s after deploy; $([ "$mode" = direct ] && echo float || echo anchor)" \
    "killed: moved in ${kill_s}s, stale VIP gone ${stale_s}s; drain: moved in ${drain_s}s; stack rm left nothing"
  rows+=("| $name | $mode | ${engines[*]} | $KS_LAB_ENGINES | $deploy_s | $kill_s | $stale_s | $drain_s | nothing left |")
  swarm_down
}

lab_log "building the image (cached when the sources did not change)"
swarm_image "$IMAGE_TAR"
for swarm in $SWARMS; do smoke "${swarm%%=*}" "${swarm#*=}"; done

mkdir -p "$(dirname "$REPORT")"
{
  echo "| swarm | mode | engines | KS_LAB_ENGINES | VIP after deploy (s) | anchor (direct: float) SIGKILLed: VIP moved (s) | stale VIP removed (s) | drain: VIP moved (s) | stack rm |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >"$REPORT"
cat "$REPORT" >&2
