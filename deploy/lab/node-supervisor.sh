#!/usr/bin/env bash
# One lab node's engine: runs inside the node's network namespace, in a mount and UTS namespace of
# its own (started by swarm-lab.sh). The node gets its host name, a private /run (so
# /var/run/docker.sock and /run/keepalived-swarm are the node's own, as on a real machine), the
# host's cgroup hierarchies, and a dockerd that is restarted when it dies, as systemd would.
#
#   node-supervisor.sh NODE STATE_DIR CGROUP_MOUNTS_FILE [ROOTFS [MIN_API]]
#
# With ROOTFS (lib/engine.sh) the engine is that root file system's, which becomes the node's
# root, refusing API versions below MIN_API when given; without it, the host's.
set -u
lib="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib"
# shellcheck source=deploy/lab/lib/dockerd.sh
source "$lib/dockerd.sh"
# shellcheck source=deploy/lab/lib/engine.sh
source "$lib/engine.sh"
node=$1 state=$2 cgroups=$3 rootfs=${4:-} min_api=${5:-}
dir="$state/node$node"
mkdir -p "$dir"

hostname "node$node"
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/keepalived-swarm /run/lock
# `ip netns exec` remounted /sys for the namespace, without the cgroup hierarchies dockerd needs.
ks_cgroup_remount "$cgroups"
# From here on, another engine's root file system is this node's "/" (with the lab's folder).
if [ -n "$rootfs" ]; then
  ks_engine_enter "$rootfs" "$state" own
  ks_engine_runner "$min_api"
fi

stopping=0
dockerd_pid=""
trap 'stopping=1; [ -n "$dockerd_pid" ] && kill -TERM "$dockerd_pid" 2>/dev/null' TERM INT
while :; do
  rm -f /run/docker.pid
  ks_dockerd_exec "$dir/docker" /run/docker /run/docker.pid "/ks-lab-node$node" \
    /run/docker.sock "$dir/docker.sock" >>"$dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  echo "$dockerd_pid" >"$dir/dockerd.pid"
  # `wait` returns early when a trap fires; keep waiting until dockerd is really gone.
  while kill -0 "$dockerd_pid" 2>/dev/null; do wait "$dockerd_pid"; done
  # dockerd's own containerd dies with it and can linger as an unreaped zombie whose pid file makes
  # the next dockerd wait 15 s for it.
  ks_containerd_clear /run/docker
  [ "$stopping" -eq 1 ] && break
  echo "supervisor: dockerd exited; restarting in ${KS_LAB_RESTART_DELAY:-1}s" >>"$dir/dockerd.log"
  sleep "${KS_LAB_RESTART_DELAY:-1}"
done
