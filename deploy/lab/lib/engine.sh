# shellcheck shell=bash
# Newer Docker Engines for lab nodes, from Debian's mirror (the only one reachable): a root file
# system per Debian suite with the engine, its CLI and keepalived installed (trixie: docker.io
# 26.1, keepalived 2.3.3; sid: docker.io 28.5, keepalived 2.3.4), made by debootstrap once and
# cached as a tarball, and made the root of a node's own mount namespace (pivot_root) to run its
# dockerd or keepalived. Defines functions and nothing else.
#
#   ks_engine_suite VERSION             the Debian suite that ships engine VERSION: 26.1 trixie,
#                                       28.5 sid; status 1 for others (20.10 is the host's own)
#   ks_engine_rootfs SUITE CACHE DIR    DIR holds SUITE's root file system with the engine, from
#                                       CACHE/engine-SUITE.tar (debootstrapped on first use)
#   ks_engine_enter ROOTFS SHARED_DIR RUN
#                                       make ROOTFS the root of the caller's own mount namespace
#                                       (pivot_root, as on a machine: runc's exec into a container
#                                       fails under a mere chroot), after the cgroup hierarchies
#                                       are set up, with what its programs need (proc, sys with the
#                                       cgroups, dev, an empty /tmp), SHARED_DIR at the same path
#                                       (paths need no translation), and as /run the caller's own
#                                       (RUN "own": a lab node's private /run) or an empty one
#                                       ("fresh"); the host's file system is gone from view after
#   ks_engine_runner MIN_API            make ks_dockerd_exec (dockerd.sh) start the engine
#                                       refusing API versions below MIN_API (1.44 is Docker 29's
#                                       floor; "" for the engine's own)
#   ks_engine_spec_version SPEC         "28.5:1.44" -> 28.5 (an engine, and the oldest API it
#   ks_engine_spec_min_api SPEC         "28.5:1.44" -> 1.44  accepts when given)

ks_engine_suite() {
  case "$1" in
    26.1) echo trixie ;;
    28.5) echo sid ;;
    *) return 1 ;;
  esac
}

ks_engine_spec_version() { echo "${1%%:*}"; }
ks_engine_spec_min_api() { if [[ $1 == *:* ]]; then echo "${1#*:}"; fi; }

ks_engine_rootfs() {
  local suite=$1 cache=$2 dir=$3 tar
  tar="$cache/engine-$suite.tar"
  if [ ! -s "$tar" ]; then
    local build="$cache/engine-$suite.build"
    rm -rf "$build"
    mkdir -p "$build"
    debootstrap --variant=minbase \
      --include=docker.io,docker-cli,containerd,runc,iproute2,ca-certificates,keepalived \
      "$suite" "$build" http://deb.debian.org/debian >"$cache/engine-$suite.debootstrap.log" 2>&1 ||
      { echo "debootstrap of $suite failed: see $cache/engine-$suite.debootstrap.log" >&2; return 1; }
    tar -C "$build" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$build"
  fi
  if [ ! -x "$dir/usr/sbin/dockerd" ]; then
    mkdir -p "$dir"
    tar -C "$dir" -xf "$tar"
  fi
}

ks_engine_enter() {
  local rootfs=$1 shared=$2 run=$3
  mount --make-rprivate /
  # pivot_root needs the new root to be a mount point.
  mount --bind "$rootfs" "$rootfs"
  mount -t proc proc "$rootfs/proc"
  # /sys as this namespace sees it: its network devices, and the cgroups mounted again under it.
  mount --rbind /sys "$rootfs/sys"
  mount --rbind /dev "$rootfs/dev"
  mount -t tmpfs tmpfs "$rootfs/tmp"
  # A lab node's own /run: the stack file's /var/run/docker.sock and /run/keepalived-swarm binds
  # are resolved in the engine's view, so they must be the node's, as with the host's engine.
  if [ "$run" = own ]; then mount --rbind /run "$rootfs/run"; else mount -t tmpfs tmpfs "$rootfs/run"; fi
  mkdir -p "$rootfs$shared" "$rootfs/.host"
  mount --bind "$shared" "$rootfs$shared"
  cd "$rootfs" || return 1
  pivot_root . .host
  cd /
  umount -l /.host
}

# shellcheck disable=SC2034 # read by ks_dockerd_exec (dockerd.sh)
ks_engine_runner() {
  KS_DOCKERD_RUNNER=()
  [ -z "$1" ] || KS_DOCKERD_RUNNER=(env "DOCKER_MIN_API_VERSION=$1")
}
