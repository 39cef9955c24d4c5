# shellcheck shell=bash
# A lab of network namespaces joined by a bridge that lives in a namespace of its own, so nothing
# reaches the root namespace; built on the swarm lab's library (deploy/lab/lib: netns.sh for the
# namespaces, process.sh for processes by pid and waiting). Source this file, then:
#
#   lab_require_root                 exit 77 (skipped) unless root with working `ip netns`
#   lab_init                         make the switch namespace; cleanup runs on EXIT
#   lab_add_node 1 10.99.0.1/24 [fd00:99::1/64]
#   lab_exec 1 CMD...                run CMD in node 1
#   lab_spawn NAME 1 CMD...          start CMD in node 1 in the background, output to
#                                    $LAB_DIR/NAME.log, pid in LAB_PID[NAME]
#   lab_float_defaults OPTIONS...    float options of every lab_start_float that follows
#   lab_start_float NAME 1 [OPTIONS...]
#                                    spawn a float (`keepalived-swarm float`) as NAME in node 1
#                                    with the defaults and OPTIONS (see below)
#   lab_signal NAME SIG              signal a spawned process (by its pid)
#   lab_reap NAME                    wait for it; its exit status lands in LAB_EXIT_STATUS
#   lab_stop_all [SECONDS]           SIGTERM every spawned process, SIGKILL what still runs after
#                                    SECONDS (3), reap and forget them all
#   lab_wait_for SECONDS CMD...      poll CMD until it succeeds; fail after SECONDS
#   lab_holders ADDRESS              node numbers holding ADDRESS on eth0
#   lab_link_down 1 / lab_link_up 1  take node 1's bridge port down / up
#
# Everything the lab made (processes by pid, namespaces, files) goes away on exit, even on failure.

LAB_ID=${LAB_ID:-ks$$}
LAB_SWITCH="${LAB_ID}sw"
LAB_DIR=""
LAB_NODES=()
declare -gA LAB_PID=()
LAB_CLEANUP_HOOKS=()
KS_LAB_LIB=${KS_LAB_LIB:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../deploy/lab/lib" && pwd)}
# shellcheck source=deploy/lab/lib/process.sh
source "$KS_LAB_LIB/process.sh"
# shellcheck source=deploy/lab/lib/netns.sh
source "$KS_LAB_LIB/netns.sh"

lab_log() { printf '[%s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
lab_fail() {
  lab_log "FAIL: $*"
  exit 1
}

lab_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root (network namespaces, raw sockets)" >&2
    exit 77
  fi
  if ! ip netns list >/dev/null 2>&1; then
    echo "SKIP: 'ip netns' does not work here" >&2
    exit 77
  fi
}

lab_require_command() {
  local missing
  if ! missing=$(ks_first_missing_command "$@"); then
    echo "SKIP: '$missing' is not installed (tests/lib/install-deps.sh installs it)" >&2
    exit 77
  fi
}

# Runs at exit: hooks first (in reverse), then processes, then namespaces.
lab_cleanup() {
  local status=$?
  set +e
  local i
  for ((i = ${#LAB_CLEANUP_HOOKS[@]} - 1; i >= 0; i--)); do eval "${LAB_CLEANUP_HOOKS[$i]}"; done
  lab_stop_all 3
  if [ -n "$LAB_DIR" ] && [ -f "$LAB_DIR/spawned.pids" ]; then
    local alive=() pid
    while read -r pid; do ks_pid_gone "$pid" || alive+=("$pid"); done <"$LAB_DIR/spawned.pids"
    [ "${#alive[@]}" -eq 0 ] || ks_stop_pids 3 "${alive[@]}"
  fi
  if [ "$status" -ne 0 ] && [ -n "$LAB_DIR" ]; then
    for log in "$LAB_DIR"/*.log; do
      [ -f "$log" ] || continue
      echo "----- $(basename "$log") (last 25 lines)" >&2
      tail -n 25 "$log" >&2
    done
  fi
  local node
  for node in "${LAB_NODES[@]}"; do ks_netns_delete "$(lab_ns "$node")" 2>/dev/null; done
  ks_netns_delete "$LAB_SWITCH" 2>/dev/null
  [ -n "$LAB_DIR" ] && rm -rf "$LAB_DIR"
  exit "$status"
}

lab_on_cleanup() { LAB_CLEANUP_HOOKS+=("$1"); }

lab_init() {
  LAB_DIR=$(mktemp -d "/tmp/${LAB_ID}.XXXXXX")
  trap lab_cleanup EXIT
  trap 'exit 130' INT TERM
  ks_switch_create "$LAB_SWITCH"
}

lab_ns() { echo "${LAB_ID}n$1"; }

# Node N: namespace $(lab_ns N), port vN on the switch, no duplicate address detection (addresses
# and link-local sources are usable at once).
lab_add_node() {
  local node=$1 addresses=("${@:2}")
  LAB_NODES+=("$node")
  ks_host_add "$LAB_SWITCH" "$(lab_ns "$node")" "v$node" --no-dad "${addresses[@]}"
}

lab_exec() {
  local node=$1
  shift
  ip netns exec "$(lab_ns "$node")" "$@"
}

lab_spawn() {
  local name=$1 node=$2
  shift 2
  ip netns exec "$(lab_ns "$node")" "$@" >"$LAB_DIR/$name.log" 2>&1 &
  LAB_PID[$name]=$!
  # Also on file: a spawn inside $(...) is in the subshell's LAB_PID only, and the clean-up must
  # stop it all the same when the run is cut short.
  echo "$!" >>"$LAB_DIR/spawned.pids"
}

lab_signal() {
  local name=$1 signal=$2
  kill "-$signal" "${LAB_PID[$name]}"
}

# Waits for a spawned process to exit and sets LAB_EXIT_STATUS to its status. (Not meant for
# $(...): a subshell cannot wait for the lab's children.)
LAB_EXIT_STATUS=0
lab_reap() {
  local name=$1
  LAB_EXIT_STATUS=0
  wait "${LAB_PID[$name]}" || LAB_EXIT_STATUS=$?
  unset "LAB_PID[$name]"
}

# lab_start_float NAME NODE [FLOAT OPTIONS...]: `keepalived-swarm float` in node NODE, spawned as
# NAME (log $LAB_DIR/NAME.log), with the options of lab_float_defaults (such as the test's VIP and
# VRID) and OPTIONS, and, unless they give their own: --interface eth0, --advert-interval 100ms and
# --status-socket $LAB_DIR/NAME.sock. The binary is $LAB_FLOAT_BINARY, else $KS_BINARY.
LAB_FLOAT_ARGS=()
lab_float_defaults() { LAB_FLOAT_ARGS=("$@"); }
lab_start_float() {
  local name=$1 node=$2
  shift 2
  local options=("${LAB_FLOAT_ARGS[@]}" "$@") defaults=()
  _lab_has_option --interface "${options[@]}" || _lab_has_option --node-address "${options[@]}" ||
    defaults+=(--interface eth0)
  _lab_has_option --advert-interval "${options[@]}" || defaults+=(--advert-interval 100ms)
  _lab_has_option --status-socket "${options[@]}" ||
    defaults+=(--status-socket "$LAB_DIR/$name.sock")
  lab_spawn "$name" "$node" "${LAB_FLOAT_BINARY:-$KS_BINARY}" float "${defaults[@]}" "${options[@]}"
}
_lab_has_option() { # option arguments...
  local option=$1 argument
  shift
  for argument in "$@"; do
    case $argument in "$option" | "$option"=*) return 0 ;; esac
  done
  return 1
}

lab_stop_all() {
  ks_stop_pids "${1:-3}" "${LAB_PID[@]}"
  LAB_PID=()
}

lab_wait_for() {
  local seconds=$1
  shift
  ks_wait_until "$seconds" 0.02 "$@" && return 0
  lab_log "timed out after ${seconds}s waiting for: $*"
  return 1
}

lab_has_address() { ks_netns_has_address "$(lab_ns "$1")" "$2"; }

lab_lacks_address() { ! lab_has_address "$@"; }

# True when the float serving status on unix socket SOCKET reports TEXT (a fixed string).
lab_status_has() {
  local socket=$1 text=$2 document
  document=$(curl -sf --max-time 2 --unix-socket "$socket" http://float/status) || return 1
  grep -qF -- "$text" <<<"$document"
}

lab_holders() { ks_holders "$1" lab_ns "${LAB_NODES[@]}"; }

lab_expect_holders() {
  local address=$1 expected=$2 actual
  actual=$(lab_holders "$address")
  [ "$actual" = "$expected" ] || lab_fail "$address held by [${actual}], expected [${expected}]"
}

lab_link_down() { ks_port_set "$LAB_SWITCH" "v$1" down; }
lab_link_up() { ks_port_set "$LAB_SWITCH" "v$1" up; }

# Seconds since the epoch of each line of `ip -ts monitor` output in FILES that matches the
# extended regular expression PATTERN, in file order: the kernel's time of an address change.
lab_monitor_times() { # pattern files...
  local pattern=$1 stamp
  shift
  { grep -ahE "$pattern" "$@" || true; } | sed -E 's/^\[([^]]+)\].*/\1/' |
    while read -r stamp; do date -d "$stamp" +%s.%N; done
}

# Seconds since the epoch with nanoseconds, for measuring.
lab_now() { date +%s.%N; }
lab_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The Python interpreter of the lab's tools, resolved once (a version manager's shim in front of
# python3 costs a few hundred milliseconds per start).
LAB_PYTHON=${LAB_PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}

# The float's status document (JSON) and metrics (Prometheus text) on unix socket SOCKET.
lab_status() { curl -sf --max-time 2 --unix-socket "$1" http://float/status; }
lab_metrics() { curl -sf --max-time 2 --unix-socket "$1" http://float/metrics; }

# lab_status_check SOCKET EXPR: true when the Python expression EXPR holds for the float's status,
# with `s` the document and `i` its first instance, e.g. 'i["state"] == "MASTER"'.
# lab_status_get SOCKET EXPR prints EXPR's value (strings as they are, anything else as JSON).
lab_status_eval() { # check|get socket expr
  local document
  document=$(lab_status "$2") || return 1
  "$LAB_PYTHON" -c '
import json, sys
mode, expr = sys.argv[1], sys.argv[2]
s = json.loads(sys.stdin.read())
i = (s.get("instances") or [{}])[0]
try:
    value = eval(expr, {"s": s, "i": i})
except (KeyError, IndexError, TypeError) as error:
    print(f"status: {expr}: {type(error).__name__} {error}", file=sys.stderr)
    sys.exit(1)
if mode == "check":
    sys.exit(0 if value else 1)
print(value if isinstance(value, str) else json.dumps(value))
' "$1" "$3" <<<"$document"
}
lab_status_check() { lab_status_eval check "$@"; }
lab_status_get() { lab_status_eval get "$@"; }

# lab_sample_holders NAME SECONDS ADDRESS...: in the background, every 50 ms for SECONDS, appends
# one line "EPOCH HOLDERS..." to $LAB_DIR/NAME.samples with the holders of each ADDRESS on eth0 as
# comma-separated node numbers ("-" for none), all read at the same instant (holder_sampler.py).
# lab_reap NAME waits for the end.
lab_sample_holders() {
  local name=$1 seconds=$2 node address arguments=()
  shift 2
  for node in "${LAB_NODES[@]}"; do arguments+=(--node "$node=$(lab_ns "$node")"); done
  for address in "$@"; do arguments+=(--address "$address"); done
  "$LAB_PYTHON" "$(dirname "${BASH_SOURCE[0]}")/holder_sampler.py" --out "$LAB_DIR/$name.samples" \
    --seconds "$seconds" "${arguments[@]}" >"$LAB_DIR/$name.log" 2>&1 &
  LAB_PID[$name]=$!
}

# lab_samples_expect NAME EXPECTED: every sample of NAME shows EXPECTED (such as "1" or "1 1");
# logs how many samples there were and fails, listing the first deviations, when one differs.
lab_samples_expect() {
  local name=$1 expected=$2 file="$LAB_DIR/$1.samples" total bad
  [ -s "$file" ] || lab_fail "no samples in $name"
  total=$(wc -l <"$file")
  bad=$(awk -v want="$expected" '{ line = $0; sub(/^[^ ]+ /, "", line); if (line != want) print }' \
    "$file")
  if [ -n "$bad" ]; then
    lab_log "$name: $(wc -l <<<"$bad") of $total samples differ from [$expected] (epoch holders):"
    head -n 10 <<<"$bad" >&2
    return 1
  fi
  lab_log "$name: all $total samples [$expected]"
}
