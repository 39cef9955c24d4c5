# shellcheck shell=bash
# Docker Engines in lab nodes: the cgroup hierarchies a node's dockerd needs, dockerd's command
# line, and the containerd a dead dockerd leaves behind. Sourced by the swarm lab
# (deploy/lab/swarm-lab.sh, node-supervisor.sh, build-image.sh) and the tests' engines
# (tests/lib/dockerd.sh); needs process.sh beside it (sourced here). Defines functions and nothing
# else, so sourcing it twice is harmless.
#
#   ks_cgroup_mounts                     the host's cgroup hierarchies under /sys/fs/cgroup (v1,
#                                        v2 or both), one "source target type options" a line;
#                                        read in the root namespace, for ks_cgroup_remount
#   ks_cgroup_remount FILE               in a node's own mount namespace: a tmpfs on
#                                        /sys/fs/cgroup and the hierarchies of FILE mounted again
#                                        (`ip netns exec` gives a fresh /sys without them)
#   ks_cgroup_remove NAME                remove the (empty) cgroups called NAME, with their
#                                        children, in every hierarchy
#   ks_dockerd_exec DATA_ROOT EXEC_ROOT PIDFILE CGROUP_PARENT SOCKET...
#                                        replace this (sub)shell by a lab node's dockerd: API on
#                                        each unix SOCKET, no iptables, no masquerading, no
#                                        bridge; CGROUP_PARENT "" for dockerd's default; the
#                                        words of KS_DOCKERD_RUNNER (none: the host's dockerd)
#                                        come first (engine.sh: another engine's floor)
#   ks_containerd_clear EXEC_ROOT [SECONDS]
#                                        end (SIGKILL, by its pid file) the containerd that a
#                                        stopped dockerd with EXEC_ROOT left behind, wait up to
#                                        SECONDS for it to be gone, remove the pid file

# shellcheck source=deploy/lab/lib/process.sh
source "$(dirname "${BASH_SOURCE[0]}")/process.sh"

ks_cgroup_mounts() {
  awk '($3 == "cgroup" || $3 == "cgroup2") && $2 ~ "^/sys/fs/cgroup" { print $1, $2, $3, $4 }' \
    /proc/self/mounts
}

ks_cgroup_remount() {
  local source target type options
  mount -t tmpfs -o mode=755 cgroup /sys/fs/cgroup
  while read -r source target type options; do
    mkdir -p "$target"
    mount -t "$type" -o "$options" "$source" "$target"
  done <"$1"
}

ks_cgroup_remove() {
  find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$1" 2>/dev/null |
    while read -r group; do find "$group" -depth -type d -exec rmdir {} + 2>/dev/null; done
  return 0
}

ks_dockerd_exec() {
  local data_root=$1 exec_root=$2 pidfile=$3 cgroup_parent=$4 socket hosts=() cgroup=()
  shift 4
  for socket in "$@"; do hosts+=(-H "unix://$socket"); done
  [ -z "$cgroup_parent" ] || cgroup=(--cgroup-parent "$cgroup_parent")
  exec ${KS_DOCKERD_RUNNER[@]+"${KS_DOCKERD_RUNNER[@]}"} dockerd --data-root "$data_root" \
    --exec-root "$exec_root" "${hosts[@]}" \
    --pidfile "$pidfile" --iptables=false --ip-masq=false --bridge=none "${cgroup[@]}"
}

# A killed dockerd leaves the containerd it started behind, often as a zombie nobody reaps soon;
# its pid file then makes the next dockerd wait for it in vain (15 s). Clear it as systemd's cgroup
# cleanup would (the container shims live on, and the next containerd picks them up).
ks_containerd_clear() {
  local pidfile=$1/containerd/containerd.pid seconds=${2:-0} pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    [ "$seconds" -eq 0 ] || ks_wait_until "$seconds" 0.02 ks_pid_gone "$pid" || true
  fi
  rm -f "$pidfile"
}
