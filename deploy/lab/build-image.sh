#!/usr/bin/env bash
# Builds the keepalived-swarm image from the Dockerfile on a machine with no registry access and
# saves it as a tarball that `docker load` takes (the lab loads it into every node's engine).
#
#   deploy/lab/build-image.sh OUTPUT.tar [TAG]          (root)
#   KS_IMAGE_PLATFORM=linux/arm64 deploy/lab/build-image.sh OUTPUT.tar TAG
#                                   the image of another platform (cross-compiled, see Dockerfile)
#
# debian:bookworm-slim comes from debootstrap (Debian's mirror is reachable) and is cached, as is
# the built image, keyed by the sources it was built from. The build uses the machine's Docker
# engine when one answers on /var/run/docker.sock, else a private engine started for the build
# and stopped after it (it needs the root namespace's network for apt in the build stage).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
# shellcheck source=deploy/lab/lib/dockerd.sh
source deploy/lab/lib/dockerd.sh
output=${1:?usage: build-image.sh OUTPUT.tar [TAG]}
tag=${2:-keepalived-swarm:lab}
platform=${KS_IMAGE_PLATFORM:-}
cache=${KS_CACHE_DIR:-/var/cache/keepalived-swarm}
mkdir -p "$cache"
log() { printf '[build-image] %s\n' "$*" >&2; }

# The sources the image is built from (the build context less .dockerignore's test scripts); an
# unchanged set reuses the cached image.
source_key() {
  local sources=(Dockerfile .dockerignore CMakeLists.txt cmake include src roles tests
    ':!tests/lib' ':!tests/integration/*.sh' ':!tests/integration/*.yml')
  if git rev-parse --git-dir >/dev/null 2>&1; then
    { git ls-files -s -- "${sources[@]}"
      git diff HEAD -- "${sources[@]}"
      [ -z "$platform" ] || echo "$platform"; } | sha256sum | cut -c1-16
  else
    date +%s%N
  fi
}
key=$(source_key)
cached_image="$cache/image-$key.tar"
if [ -f "$cached_image" ]; then
  log "sources unchanged: reusing $cached_image"
  cp "$cached_image" "$output"
  exit 0
fi

docker_cli=/usr/bin/docker  # docker.io's CLI: BuildKit is built in (no buildx plugin needed)
builder_pid=""
builder_root=/var/lib/keepalived-swarm-builder
builder_exec=/run/keepalived-swarm-builder
stop_builder() {
  [ -n "$builder_pid" ] || return 0
  ks_stop_pids 10 "$builder_pid"
  umount "$builder_exec/netns/default" 2>/dev/null || true
  rm -rf "$builder_exec"
}
trap stop_builder EXIT

if DOCKER_HOST=unix:///var/run/docker.sock "$docker_cli" version >/dev/null 2>&1; then
  export DOCKER_HOST=unix:///var/run/docker.sock
  log "building with the machine's Docker engine"
else
  log "starting a private Docker engine for the build"
  mkdir -p "$builder_root" "$builder_exec"
  ks_dockerd_exec "$builder_root" "$builder_exec" "$builder_exec/docker.pid" "" \
    "$builder_exec/docker.sock" >"$cache/builder.log" 2>&1 &
  builder_pid=$!
  export DOCKER_HOST="unix://$builder_exec/docker.sock"
  ks_wait_until 30 0.2 "$docker_cli" version || true
  "$docker_cli" version >/dev/null || { tail -n 20 "$cache/builder.log" >&2; exit 1; }
fi

if ! "$docker_cli" image inspect debian:bookworm-slim >/dev/null 2>&1; then
  base="$cache/debian-bookworm-slim.tar"
  if [ ! -f "$base" ]; then
    log "making debian:bookworm-slim with debootstrap (once; cached in $cache)"
    rootfs=$(mktemp -d)
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
      { tail -n 20 "$cache/debootstrap.log" >&2; rm -rf "$rootfs"; exit 1; }
    tar -C "$rootfs" -c . | "$docker_cli" import - debian:bookworm-slim >/dev/null
    rm -rf "$rootfs"
    "$docker_cli" save -o "$base.tmp" debian:bookworm-slim && mv "$base.tmp" "$base"
  else
    "$docker_cli" load -i "$base" >/dev/null
  fi
fi

log "building $tag"
started=$SECONDS
DOCKER_BUILDKIT=1 "$docker_cli" build --network host ${platform:+--platform "$platform"} -t "$tag" . \
  >"$cache/build.log" 2>&1 ||
  { tail -n 40 "$cache/build.log" >&2; exit 1; }
log "built $tag in $((SECONDS - started))s: $("$docker_cli" image inspect -f '{{.Size}}' "$tag") bytes"
"$docker_cli" save -o "$output" "$tag"
# One cached image of the default platform; another platform's is kept beside it.
[ -n "$platform" ] || rm -f "$cache"/image-*.tar
cp "$output" "$cached_image"
