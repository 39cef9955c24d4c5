#!/usr/bin/env bash
# A multi-manager Docker Swarm on one machine, running keepalived-swarm with a VIP on the lab
# subnet. Each node is a network namespace on a bridge that lives in a namespace of its own (the
# root namespace gets no lab address and sees no lab traffic), with its own dockerd, host name,
# /run and data root. A client namespace on the same bridge reaches the VIP.
#
#   deploy/lab/swarm-lab.sh up [NODES]   build the image, start NODES (3) managers, deploy, show the VIP
#   deploy/lab/swarm-lab.sh status       where the VIP is, what the buoy says
#   deploy/lab/swarm-lab.sh down         remove everything the lab made
#
# Settings (environment): KS_LAB_SUBNET (10.77.0, a /24), KS_LAB_VIP (<subnet>.100),
# KS_LAB_ADVERT_INTERVAL (1s), KS_LAB_STATE (/var/lib/keepalived-swarm-lab), KS_LAB_PREFIX (ksl),
# KS_LAB_IMAGE_TAR (an image tarball to use instead of building one), KS_LAB_VIP6 (unset; an
# IPv6 VIP such as fd00:77::100 makes the lab dual-stack: nodes get fd00:77::N/64 and the stack
# one election for both VIPs), KS_LAB_ENGINES (each node's Docker Engine, in node order: 20.10,
# the host's own, for every node not named; 26.1 and 28.5 come from Debian trixie and sid root file
# systems, cached in KS_CACHE_DIR (/var/cache/keepalived-swarm); VERSION:MIN_API makes the engine
# refuse older clients, e.g. "28.5:1.44" refuses what Docker 29 refuses), KS_LAB_COMPOSE (the
# stack file, deploy/docker-compose.yml; deploy/docker-compose.direct.yml runs the float as the
# service itself, without an anchor), KS_LAB_VIPS (several IPv4 VIPs, space separated, such as
# "10.77.0.100 10.77.0.101 10.77.0.102": the stack gets them all, KS_LAB_VIP defaults to the first),
# KS_LAB_SPREAD (1: KEEPALIVED_SPREAD=true, each VIP its own election homed on its own manager;
# 0: false; unset: the stack's default). `status` shows each VIP's holder. Other KEEPALIVED_*
# variables of the environment reach the stack file as they are (such as KEEPALIVED_PREEMPT_DELAY=5s:
# with spread, a VIP goes home that long after its node's float starts, 30 s by default).
# Sourced with KS_LAB_LIBRARY=1 it only defines the functions (the chaos suite uses them).
# Namespaces, processes and engines are handled by the library in deploy/lab/lib (netns.sh,
# process.sh, dockerd.sh), which the tests' lab shares.
set -euo pipefail

KS_LAB_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
# shellcheck source=deploy/lab/lib/netns.sh
source "$KS_LAB_ROOT/deploy/lab/lib/netns.sh"
# shellcheck source=deploy/lab/lib/dockerd.sh
source "$KS_LAB_ROOT/deploy/lab/lib/dockerd.sh"
# shellcheck source=deploy/lab/lib/engine.sh
source "$KS_LAB_ROOT/deploy/lab/lib/engine.sh"
KS_LAB_STATE=${KS_LAB_STATE:-/var/lib/keepalived-swarm-lab}
KS_LAB_PREFIX=${KS_LAB_PREFIX:-ksl}
KS_LAB_SUBNET=${KS_LAB_SUBNET:-10.77.0}
KS_LAB_VIPS=${KS_LAB_VIPS:-}
KS_LAB_VIP=${KS_LAB_VIP:-${KS_LAB_VIPS%% *}}
KS_LAB_VIP=${KS_LAB_VIP:-$KS_LAB_SUBNET.100}
KS_LAB_SPREAD=${KS_LAB_SPREAD:-}
KS_LAB_VIP6=${KS_LAB_VIP6:-}
KS_LAB_ADVERT_INTERVAL=${KS_LAB_ADVERT_INTERVAL:-1s}
KS_LAB_IMAGE=${KS_LAB_IMAGE:-keepalived-swarm:lab}
KS_LAB_STACK=${KS_LAB_STACK:-keepalived}
KS_LAB_ENGINES=${KS_LAB_ENGINES:-}
KS_LAB_COMPOSE=${KS_LAB_COMPOSE:-deploy/docker-compose.yml}
KS_LAB_CLIENT=250
# The newest CLI of the lab's engines (it talks to older engines too, not the other way round).
DOCKER_CLI=$(cat "$KS_LAB_STATE/cli" 2>/dev/null || echo /usr/bin/docker)

swarm_log() { printf '[swarm-lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
swarm_fail() {
  swarm_log "error: $*"
  exit 1
}

swarm_switch_ns() { echo "${KS_LAB_PREFIX}-sw"; }
swarm_ns() { echo "${KS_LAB_PREFIX}-n$1"; }
swarm_client_ns() { echo "${KS_LAB_PREFIX}-client"; }
swarm_nodes() { cat "$KS_LAB_STATE/nodes" 2>/dev/null || true; }
swarm_docker() {
  local node=$1
  shift
  DOCKER_HOST="unix://$KS_LAB_STATE/node$node/docker.sock" "$DOCKER_CLI" "$@"
}
swarm_client() { ip netns exec "$(swarm_client_ns)" "$@"; }

# Node numbers holding ADDRESS (default: the VIP) on eth0.
swarm_holders() {
  # shellcheck disable=SC2046 # one word a node
  ks_holders "${1:-$KS_LAB_VIP}" swarm_ns $(swarm_nodes)
}

swarm_wait_for() { ks_wait_until "$1" 0.05 "${@:2}"; }

# The stack's IPv4 VIPs, read when asked (a test may deploy other VIPs later): KS_LAB_VIPS, else
# KS_LAB_VIP.
swarm_vips() { echo "${KS_LAB_VIPS:-$KS_LAB_VIP}"; }
# Every VIP of the stack on exactly one node (spread over the managers or not).
swarm_each_vip_one_holder() {
  local vip
  for vip in $(swarm_vips); do [ "$(swarm_holders "$vip" | wc -w)" -eq 1 ] || return 1; done
}

swarm_add_namespace() { # name address port
  local ns=$1 address=$2 port=$3 ipv6=""
  # The VIP's /64 with the node's number as host part, usable at once (no DAD wait).
  [ -z "$KS_LAB_VIP6" ] || ipv6="${KS_LAB_VIP6%::*}::${address##*.}/64"
  ks_host_add "$(swarm_switch_ns)" "$ns" "$port" "$address/24" "$ipv6"
  [ -z "$KS_LAB_VIP6" ] ||
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

swarm_dockerd_answers() { swarm_docker "$1" version >/dev/null 2>&1; }

# Node N's engine from KS_LAB_ENGINES: VERSION[:MIN_API].
swarm_engine_spec() {
  local specs
  read -r -a specs <<<"$KS_LAB_ENGINES"
  echo "${specs[$(($1 - 1))]:-20.10}"
}

# Node N's engine root file system ("" for the host's engine), unpacked once per lab.
swarm_engine_rootfs() {
  local version suite
  version=$(ks_engine_spec_version "$(swarm_engine_spec "$1")")
  [ "$version" != 20.10 ] || return 0
  suite=$(ks_engine_suite "$version") ||
    swarm_fail "no engine $version for node $1: KS_LAB_ENGINES takes 20.10, 26.1, 28.5, each with :MIN_API"
  ks_engine_rootfs "$suite" "${KS_CACHE_DIR:-/var/cache/keepalived-swarm}" \
    "$KS_LAB_STATE/rootfs-$suite" || swarm_fail "no root file system for Docker $version"
  echo "$KS_LAB_STATE/rootfs-$suite"
}

# Starts node N's supervised dockerd in its namespaces.
swarm_start_node() {
  local node=$1 rootfs
  mkdir -p "$KS_LAB_STATE/node$node"
  rootfs=$(swarm_engine_rootfs "$node") || exit 1
  setsid ip netns exec "$(swarm_ns "$node")" unshare --mount --uts --propagation private \
    bash "$KS_LAB_ROOT/deploy/lab/node-supervisor.sh" "$node" "$KS_LAB_STATE" \
    "$KS_LAB_STATE/cgroup-mounts" "$rootfs" "$(ks_engine_spec_min_api "$(swarm_engine_spec "$node")")" \
    </dev/null >>"$KS_LAB_STATE/node$node/supervisor.log" 2>&1 &
  echo $! >"$KS_LAB_STATE/node$node/supervisor.pid"
}

swarm_dockerd_pid() { cat "$KS_LAB_STATE/node$1/dockerd.pid"; }

swarm_network_up() {
  local count=$1 node
  ks_switch_create "$(swarm_switch_ns)"
  : >"$KS_LAB_STATE/nodes"
  for node in $(seq 1 "$count"); do
    swarm_add_namespace "$(swarm_ns "$node")" "$KS_LAB_SUBNET.$node" "v$node"
    echo "$node" >>"$KS_LAB_STATE/nodes"
  done
  swarm_add_namespace "$(swarm_client_ns)" "$KS_LAB_SUBNET.$KS_LAB_CLIENT" vclient
}

swarm_engines_up() {
  local node
  # The hierarchies dockerd needs, as the host mounts them (cgroup v1, v2 or both).
  ks_cgroup_mounts >"$KS_LAB_STATE/cgroup-mounts"
  for node in $(swarm_nodes); do swarm_start_node "$node"; done
  DOCKER_CLI=/usr/bin/docker
  for suite in trixie sid; do
    [ ! -x "$KS_LAB_STATE/rootfs-$suite/usr/bin/docker" ] || DOCKER_CLI="$KS_LAB_STATE/rootfs-$suite/usr/bin/docker"
  done
  echo "$DOCKER_CLI" >"$KS_LAB_STATE/cli"
  for node in $(swarm_nodes); do
    swarm_wait_for 60 swarm_dockerd_answers "$node" ||
      { tail -n 20 "$KS_LAB_STATE/node$node/dockerd.log" >&2; swarm_fail "node $node's dockerd did not start"; }
  done
}

# The image tarball: KS_LAB_IMAGE_TAR when given (saved from an image tagged $KS_LAB_IMAGE),
# else built from the Dockerfile (cached while the sources do not change).
swarm_image() {
  local output=$1
  if [ -n "${KS_LAB_IMAGE_TAR:-}" ]; then
    cp "$KS_LAB_IMAGE_TAR" "$output"
  else
    bash "$KS_LAB_ROOT/deploy/lab/build-image.sh" "$output" "$KS_LAB_IMAGE"
  fi
}

swarm_load_image() {
  local tar=$1 node pids=()
  for node in $(swarm_nodes); do
    swarm_docker "$node" load -i "$tar" >/dev/null &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
}

swarm_form() {
  local node token
  swarm_docker 1 swarm init --advertise-addr "$KS_LAB_SUBNET.1" >/dev/null
  token=$(swarm_docker 1 swarm join-token -q manager)
  for node in $(swarm_nodes); do
    [ "$node" = 1 ] && continue
    swarm_docker "$node" swarm join --token "$token" --advertise-addr "$KS_LAB_SUBNET.$node" \
      "$KS_LAB_SUBNET.1:2377" >/dev/null
  done
  swarm_wait_for 60 swarm_all_managers_ready || swarm_fail "the managers did not become ready"
}

swarm_all_managers_ready() {
  local ready
  ready=$(swarm_docker 1 node ls --format '{{.Status}} {{.ManagerStatus}}' | grep -c '^Ready \(Leader\|Reachable\)')
  [ "$ready" -eq "$(swarm_nodes | wc -l)" ]
}

# Deploys (or updates) the stack; extra VAR=value arguments go to the stack file.
swarm_deploy() {
  local vips spread=()
  # The IPv4 VIPs as the stack takes a list: comma separated, each in the lab's /24.
  vips=$(swarm_vips | awk '{ for (i = 1; i <= NF; i++) printf "%s%s/24", (i > 1 ? "," : ""), $i }')
  case $KS_LAB_SPREAD in
    "") ;;
    1 | true) spread=(KEEPALIVED_SPREAD=true) ;;
    *) spread=(KEEPALIVED_SPREAD=false) ;;
  esac
  env KEEPALIVED_VIRTUAL_IPS="$vips${KS_LAB_VIP6:+ $KS_LAB_VIP6/64}" \
    KEEPALIVED_SWARM_IMAGE="$KS_LAB_IMAGE" "${spread[@]}" \
    KEEPALIVED_ADVERT_INTERVAL="$KS_LAB_ADVERT_INTERVAL" "$@" \
    DOCKER_HOST="unix://$KS_LAB_STATE/node1/docker.sock" \
    "$DOCKER_CLI" stack deploy $(swarm_cli_detach) -c "$KS_LAB_ROOT/$KS_LAB_COMPOSE" \
    "$KS_LAB_STACK" >/dev/null
}
# CLIs from 25 on wait for the services unless told otherwise; 20.10's has no such option.
swarm_cli_detach() {
  local help
  help=$("$DOCKER_CLI" stack deploy --help 2>&1 || true)
  [[ $help != *--detach* ]] || echo --detach=true
}

# Direct mode: the float is the stack's own service (deploy/docker-compose.direct.yml).
swarm_direct_mode() { [[ $KS_LAB_COMPOSE == *direct* ]]; }

swarm_one_holder() { [ "$(swarm_holders | wc -w)" -eq 1 ]; }
swarm_buoy_answers() { swarm_client curl -sf --max-time 1 "http://$KS_LAB_VIP:8082/" >/dev/null; }

swarm_status() {
  local vip holders
  for vip in $(swarm_vips) $KS_LAB_VIP6; do
    holders=$(swarm_holders "$vip")
    # shellcheck disable=SC2086 # one word a node
    echo "VIP $vip is held by: $(if [ -n "$holders" ]; then printf 'node%s ' $holders; else echo nobody; fi)"
  done
  echo "buoy at http://$KS_LAB_VIP:8082/ (from the client namespace):"
  swarm_client curl -s --max-time 2 "http://$KS_LAB_VIP:8082/" || echo "  (no answer)"
  echo
  echo "Try: ip netns exec $(swarm_client_ns) curl http://$KS_LAB_VIP:8082/status"
  echo "     ip netns exec $(swarm_client_ns) curl http://$KS_LAB_VIP:8082/cluster   (every manager)"
  echo "     DOCKER_HOST=unix://$KS_LAB_STATE/node1/docker.sock $DOCKER_CLI node ls"
}

swarm_down() {
  local node supervisors=()
  [ -d "$KS_LAB_STATE" ] || [ -n "$(ks_netns_with_prefix "${KS_LAB_PREFIX}-")" ] || return 0
  for node in $(swarm_nodes); do
    [ -f "$KS_LAB_STATE/node$node/supervisor.pid" ] || continue
    supervisors+=("$(cat "$KS_LAB_STATE/node$node/supervisor.pid")")
  done
  ks_stop_pids 30 "${supervisors[@]}"
  # Whatever still runs in the lab's namespaces (container processes, shims) is the lab's own.
  # shellcheck disable=SC2046 # one word a namespace
  ks_netns_kill_all $(ks_netns_with_prefix "${KS_LAB_PREFIX}-")
  sleep 0.2
  # shellcheck disable=SC2046
  ks_netns_delete $(ks_netns_with_prefix "${KS_LAB_PREFIX}-")
  rm -rf "$KS_LAB_STATE"
}

swarm_up() {
  local count=${1:-3} started=$SECONDS
  [ "$(id -u)" -eq 0 ] || swarm_fail "run as root (namespaces, dockerd)"
  bash "$KS_LAB_ROOT/tests/lib/install-deps.sh"
  swarm_down
  mkdir -p "$KS_LAB_STATE"
  swarm_image "$KS_LAB_STATE/image.tar"
  swarm_log "starting $count nodes on $KS_LAB_SUBNET.0/24"
  swarm_network_up "$count"
  swarm_engines_up
  swarm_load_image "$KS_LAB_STATE/image.tar"
  swarm_form
  swarm_log "swarm of $count managers ready; deploying the stack with VIP(s) $(swarm_vips)${KS_LAB_SPREAD:+ (spread: $KS_LAB_SPREAD)}"
  swarm_deploy
  swarm_wait_for 120 swarm_each_vip_one_holder || swarm_fail "not every VIP is held by one node"
  swarm_wait_for 60 swarm_buoy_answers || swarm_fail "the buoy does not answer on the VIP"
  swarm_log "ready in $((SECONDS - started))s"
  swarm_status
}

if [ -z "${KS_LAB_LIBRARY:-}" ]; then
  case "${1:-}" in
    up) swarm_up "${2:-3}" ;;
    down) swarm_down && swarm_log "lab removed" ;;
    status) swarm_status ;;
    *) echo "usage: $0 up [NODES] | status | down" >&2; exit 2 ;;
  esac
fi
