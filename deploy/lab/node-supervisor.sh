#!/usr/bin/env bash
# One lab node's engine: runs inside the node's network namespace, in a mount and UTS namespace of
# its own (started by swarm-lab.sh). The node gets its host name, a private /run (so
# /var/run/docker.sock and /run/keepalived-swarm are the node's own, as on a real machine), the
# host's cgroup hierarchies, and a dockerd that is restarted when it dies, as systemd would.
#
#   node-supervisor.sh NODE STATE_DIR CGROUP_MOUNTS_FILE
set -u
node=$1 state=$2 cgroups=$3
dir="$state/node$node"
mkdir -p "$dir"

hostname "node$node"
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/keepalived-swarm /run/lock
# `ip netns exec` remounted /sys for the namespace, without the cgroup hierarchies dockerd needs.
mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
while read -r source target type options; do
  mkdir -p "$target"
  mount -t "$type" -o "$options" "$source" "$target"
done <"$cgroups"

stopping=0
dockerd_pid=""
trap 'stopping=1; [ -n "$dockerd_pid" ] && kill -TERM "$dockerd_pid" 2>/dev/null' TERM INT
while :; do
  rm -f /run/docker.pid
  dockerd --data-root "$dir/docker" --exec-root /run/docker \
    -H unix:///run/docker.sock -H "unix://$dir/docker.sock" --pidfile /run/docker.pid \
    --iptables=false --ip-masq=false --bridge=none --cgroup-parent "/ks-lab-node$node" \
    >>"$dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  echo "$dockerd_pid" >"$dir/dockerd.pid"
  # `wait` returns early when a trap fires; keep waiting until dockerd is really gone.
  while kill -0 "$dockerd_pid" 2>/dev/null; do wait "$dockerd_pid"; done
  # dockerd's own containerd dies with it and can linger as an unreaped zombie whose pid file makes
  # the next dockerd wait 15 s for it; clear it as systemd's cgroup cleanup would (the container
  # shims live on, and the next containerd picks them up).
  containerd_pid=$(cat /run/docker/containerd/containerd.pid 2>/dev/null || true)
  [ -n "$containerd_pid" ] && kill -KILL "$containerd_pid" 2>/dev/null
  rm -f /run/docker/containerd/containerd.pid
  [ "$stopping" -eq 1 ] && break
  echo "supervisor: dockerd exited; restarting in ${KS_LAB_RESTART_DELAY:-1}s" >>"$dir/dockerd.log"
  sleep "${KS_LAB_RESTART_DELAY:-1}"
done
