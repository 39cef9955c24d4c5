# shellcheck shell=bash
# Docker Engines inside lab nodes (tests/lib/lab.sh): each node N of the lab can run its own
# dockerd, with its own data-root, exec-root, pidfile and socket under the lab folder, inside the
# node's network namespace (so host-network containers land there) and its own UTS namespace
# (host name nodeN). Works for any number of nodes and any subnet the lab uses.
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
# Cleanup (on the lab's EXIT): every container is removed, the engine stopped, and anything left
# running in the node's namespaces (container shims) killed by pid.

DOCKERD_CLI=${DOCKERD_CLI:-/usr/bin/docker}
[ -x "$DOCKERD_CLI" ] || DOCKERD_CLI=$(command -v docker || true)

dockerd_require() {
  lab_require_command dockerd containerd runc unshare
  [ -n "$DOCKERD_CLI" ] || { echo "SKIP: no docker CLI" >&2; exit 77; }
  [ -d /sys/fs/cgroup ] || { echo "SKIP: no cgroup file system" >&2; exit 77; }
}

dockerd_dir() { echo "$LAB_DIR/docker$1"; }
dockerd_socket() { echo "$(dockerd_dir "$1")/docker.sock"; }
dockerd_cli() {
  local node=$1
  shift
  "$DOCKERD_CLI" -H "unix://$(dockerd_socket "$node")" "$@"
}

# The script each engine runs as: new UTS namespace (host name), the host's cgroup hierarchies
# mounted again (`ip netns exec` gives a fresh /sys without them), then dockerd itself.
_dockerd_write_launcher() {
  local launcher=$LAB_DIR/dockerd-launcher.sh
  [ -f "$launcher" ] && return 0
  {
    echo 'set -e'
    echo 'node=$1 dir=$2 cgroup=$3'
    echo 'hostname "node$node"'
    echo 'mount -t tmpfs cgroup /sys/fs/cgroup'
    awk '$3 == "cgroup" || $3 == "cgroup2" { print $2, $3, $4 }' /proc/self/mounts |
      while read -r target type options; do
        local opts=${options#rw,}
        if [ "$type" = cgroup2 ]; then
          echo "mkdir -p '$target' && mount -t cgroup2 none '$target'"
        else
          local controllers
          controllers=$(tr ',' '\n' <<<"$opts" | grep -vE '^(rw|ro|relatime|nosuid|nodev|noexec)$' | paste -sd, -)
          echo "mkdir -p '$target' && mount -t cgroup -o '$controllers' cgroup '$target'"
        fi
      done
    echo 'rm -f "$dir/docker.pid"'
    echo 'exec dockerd --data-root "$dir/data" --exec-root "$dir/exec" -H "unix://$dir/docker.sock" \'
    echo '  --pidfile "$dir/docker.pid" --iptables=false --ip-masq=false --bridge=none \'
    echo '  --cgroup-parent "/$cgroup"'
  } >"$launcher"
}

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
  _dockerd_write_launcher
  if [ -z "${DOCKERD_HOOKED[$node]:-}" ]; then
    DOCKERD_HOOKED[$node]=1
    lab_on_cleanup "_dockerd_cleanup $node"
  fi
  lab_spawn "dockerd$node" "$node" unshare --uts --fork --kill-child=TERM \
    bash "$LAB_DIR/dockerd-launcher.sh" "$node" "$dir" "$(_dockerd_cgroup "$node")"
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
  # A killed dockerd leaves the containerd it started behind, often as a zombie nobody reaps
  # soon; its pid file then makes the next dockerd wait for it in vain. End it (by its pid).
  local containerd_pidfile
  containerd_pidfile="$(dockerd_dir "$node")/exec/containerd/containerd.pid"
  pid=$(cat "$containerd_pidfile" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill -KILL "$pid" 2>/dev/null
    lab_wait_for 10 _dockerd_gone "$pid" || true
  fi
  rm -f "$containerd_pidfile"
}

# True when PID has exited (a zombie counts: only its parent could still reap it).
_dockerd_gone() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$state" ] || [ "$state" = Z ]
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
  local pid
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  sleep 0.2
  # The engine's (now empty) cgroups in every host hierarchy.
  find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$(_dockerd_cgroup "$node")" 2>/dev/null |
    while read -r group; do find "$group" -depth -type d -exec rmdir {} + 2>/dev/null; done
  return 0
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
