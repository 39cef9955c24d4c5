#!/usr/bin/env bash
# Runs a program of another Debian's root file system (lib/engine.sh) here, as the root of a mount
# namespace of its own: keepalived 2.3 beside the host's 2.2, say. SHARED_DIR is seen at the same
# path inside, so the program's configuration, pid files and sockets need no translation.
# Replaces itself by the program (same pid: signals reach it).
#
#   engine-run.sh ROOTFS SHARED_DIR PROGRAM [ARGUMENTS...]
set -eu
[ "$#" -ge 3 ] || { echo "usage: $0 ROOTFS SHARED_DIR PROGRAM [ARGUMENTS...]" >&2; exit 2; }
lib="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib"
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --mount --propagation private bash -c '
set -eu
source "$1/engine.sh"
ks_engine_enter "$2" "$3" fresh
shift 3
exec "$@"' engine-run "$lib" "$@"
