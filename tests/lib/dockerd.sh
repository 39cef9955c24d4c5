# shellcheck shell=bash
# Docker Engines inside lab nodes (tests/lib/lab.sh): each node N of the lab can run its own
# dockerd, with its own data-root, exec-root, pidfile and socket under the lab folder, inside the
# node's network namespace (so host-network containers land there) and its own UTS namespace
# (host name nodeN). Works for any number of nodes and any subnet the lab uses. The cgroup and
# containerd handling is the swarm lab's (deploy/lab/lib/dockerd.sh).
#
#   dockerd_require                  exit 77 (skipped) unless dockerd, containerd, runc are here
#   dockerd_start N                  start node N's engine and wait until it answers
#   dockerd_stop N [SIGNAL]          stop it (TERM by default; KILL leaves containers running)
#   dockerd_restart N                stop (TERM) and start again
#   dockerd_wait N [SECONDS]         wait until node N's engine answers
#   dockerd_socket N                 path of node N's API socket
#   dockerd_cli N ARGS...            the docker CLI against node N's engine
#   dockerd_image_from_binary N TAG BINARY
#                                    make TAG in node N from BINARY and the shared libraries it
#                                    needs (entrypoint: /usr/local/bin/keepalived-swarm)
#
# KS_TEST_ENGINE=VERSION[:MIN_API] (e.g. 28.5:1.44) runs that engine instead of the host's: Debian
# trixie's or sid's, from the cached root file system of deploy/lab/lib/engine.sh, with its CLI.
#
# Cleanup (on the lab's EXIT): every container is removed, the engine stopped, and anything left
# running in the node's namespaces (container shims) killed by pid.

# shellcheck source=deploy/lab/lib/dockerd.sh
source "$KS_LAB_LIB/dockerd.sh"
# shellcheck source=deploy/lab/lib/engine.sh
source "$KS_LAB_LIB/engine.sh"

DOCKERD_CLI=${DOCKERD_CLI:-/usr/bin/docker}
[ -x "$DOCKERD_CLI" ] || DOCKERD_CLI=$(command -v docker || true)
DOCKERD_ROOTFS=""

dockerd_require() {
  lab_require_command dockerd containerd runc unshare
  [ -n "$DOCKERD_CLI" ] || { echo "SKIP: no docker CLI" >&2; exit 77; }
  [ -d /sys/fs/cgroup ] || { echo "SKIP: no cgroup file system" >&2; exit 77; }
  [ -z "${KS_TEST_ENGINE:-}" ] || lab_require_command debootstrap
}

# KS_TEST_ENGINE's root file system, unpacked in the lab folder, and its CLI.
_dockerd_engine_prepare() {
  [ -n "${KS_TEST_ENGINE:-}" ] && [ -z "$DOCKERD_ROOTFS" ] || return 0
  local suite
  suite=$(ks_engine_suite "$(ks_engine_spec_version "$KS_TEST_ENGINE")") ||
    lab_fail "KS_TEST_ENGINE=$KS_TEST_ENGINE: no such engine here (26.1 or 28.5, each with :MIN_API)"
  DOCKERD_ROOTFS=$LAB_DIR/rootfs-$suite
  ks_engine_rootfs "$suite" "${KS_CACHE_DIR:-/var/cache/keepalived-swarm}" "$DOCKERD_ROOTFS" ||
    lab_fail "no root file system for Docker $KS_TEST_ENGINE"
  DOCKERD_CLI=$DOCKERD_ROOTFS/usr/bin/docker
}

dockerd_dir() { echo "$LAB_DIR/docker$1"; }
dockerd_socket() { echo "$(dockerd_dir "$1")/docker.sock"; }
dockerd_cli() {
  local node=$1
  shift
  "$DOCKERD_CLI" -H "unix://$(dockerd_socket "$node")" "$@"
}

# What each engine runs as, in a new UTS namespace (host name): the host's cgroup hierarchies
# mounted again (`ip netns exec` gives a fresh /sys without them), then dockerd itself.
# shellcheck disable=SC2016 # expanded by the engine's shell
DOCKERD_LAUNCHER='set -e
node=$1 dir=$2 cgroup=$3 mounts=$4
source "$5/dockerd.sh"
source "$5/engine.sh"
hostname "node$node"
ks_cgroup_remount "$mounts"
if [ -n "$6" ]; then
  ks_engine_enter "$6" "$8" fresh
  ks_engine_runner "$7"
fi
rm -f "$dir/docker.pid"
ks_dockerd_exec "$dir/data" "$dir/exec" "$dir/docker.pid" "/$cgroup" "$dir/docker.sock"'

_dockerd_cgroup() { echo "${LAB_ID}-node$1"; }

dockerd_wait() {
  local node=$1 seconds=${2:-30}
  lab_wait_for "$seconds" dockerd_cli "$node" version --format '{{.Server.APIVersion}}'
}

dockerd_start() {
  local node=$1
  local dir
  dir=$(dockerd_dir "$node")
  mkdir -p "$dir"
  _dockerd_engine_prepare
  # The host's hierarchies, read here: inside the node's namespace they are gone.
  [ -f "$LAB_DIR/cgroup-mounts" ] || ks_cgroup_mounts >"$LAB_DIR/cgroup-mounts"
  if [ -z "${DOCKERD_HOOKED[$node]:-}" ]; then
    DOCKERD_HOOKED[$node]=1
    lab_on_cleanup "_dockerd_cleanup $node"
  fi
  lab_spawn "dockerd$node" "$node" unshare --uts --fork --kill-child=TERM \
    bash -c "$DOCKERD_LAUNCHER" dockerd-launcher "$node" "$dir" "$(_dockerd_cgroup "$node")" \
    "$LAB_DIR/cgroup-mounts" "$KS_LAB_LIB" "$DOCKERD_ROOTFS" \
    "$(ks_engine_spec_min_api "${KS_TEST_ENGINE:-}")" "$LAB_DIR"
  dockerd_wait "$node" 60 || lab_fail "dockerd of node $node did not start (see dockerd$node.log)"
}
declare -gA DOCKERD_HOOKED=()

dockerd_stop() {
  local node=$1 signal=${2:-TERM}
  local name="dockerd$node"
  [ -n "${LAB_PID[$name]:-}" ] || return 0
  # unshare --fork runs dockerd as its child: signal dockerd itself, by its pidfile.
  local pid
  pid=$(cat "$(dockerd_dir "$node")/docker.pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill "-$signal" "$pid" 2>/dev/null
  lab_reap "$name"
  # The containerd it leaves behind would make the next dockerd wait for it in vain.
  ks_containerd_clear "$(dockerd_dir "$node")/exec" 10
}

dockerd_restart() {
  dockerd_stop "$1" TERM
  dockerd_start "$1"
}

_dockerd_cleanup() {
  local node=$1 ns
  ns=$(lab_ns "$node")
  if [ -n "${LAB_PID[dockerd$node]:-}" ]; then
    local ids
    ids=$(timeout 20 "$DOCKERD_CLI" -H "unix://$(dockerd_socket "$node")" ps -aq 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && timeout 30 "$DOCKERD_CLI" -H "unix://$(dockerd_socket "$node")" rm -f $ids >/dev/null 2>&1
    dockerd_stop "$node" TERM
  fi
  # Whatever still runs in this lab node's namespace was started by this lab (shims, floats).
  ks_netns_kill_all "$ns"
  sleep 0.2
  # The engine's (now empty) cgroups in every host hierarchy.
  ks_cgroup_remove "$(_dockerd_cgroup "$node")"
}

dockerd_image_from_binary() {
  local node=$1 tag=$2 binary=$3
  local root=$LAB_DIR/image-root
  rm -rf "$root"
  mkdir -p "$root/usr/local/bin" "$root/run/keepalived-swarm" "$root/tmp" "$root/etc"
  cp "$binary" "$root/usr/local/bin/keepalived-swarm"
  local library
  for library in $(ldd "$binary" | grep -oE '/[^ ]+'); do
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
  done
  echo "root:x:0:0:root:/root:/bin/false" >"$root/etc/passwd"
  tar -C "$root" -c . | dockerd_cli "$node" import \
    -c 'ENTRYPOINT ["/usr/local/bin/keepalived-swarm"]' - "$tag" >/dev/null
}
