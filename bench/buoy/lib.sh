# shellcheck shell=bash
# Shared by bench/buoy/run.sh and bench/buoy/abuse.sh: tools, express from npm, both servers on
# 127.0.0.1, cleanup of what was started (by pid, with deploy/lab/lib/process.sh) and of the temp
# folder. Source it, then:
#
#   bench_require_tools TOOL...          exit 1 naming the first missing tool
#   bench_install_express                express@4 into bench/buoy/node_modules when missing
#   bench_init                           $tmp; cleanup on EXIT
#   bench_start_servers BUILD BUOY_PORT EXPRESS_PORT LOG_LEVEL
#                                        sets buoy_pid and express_pid once both listen
#   rss_mib PID, peak_mib PID            resident memory now and at its peak, in MiB

bench_here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=deploy/lab/lib/process.sh
source "$bench_here/../../deploy/lab/lib/process.sh"

bench_require_tools() {
  local missing
  missing=$(ks_first_missing_command "$@") ||
    { echo "bench: '$missing' is missing (tests/lib/install-deps.sh installs it)" >&2; exit 1; }
}

bench_install_express() {
  if [ ! -d "$bench_here/node_modules/express" ]; then
    echo "bench: installing express@4 into $bench_here/node_modules" >&2
    npm install --prefix "$bench_here" --no-save --no-package-lock --no-audit --no-fund --silent express@4
  fi
}

bench_cleanup() {
  ks_stop_pids 10 "${pids[@]}"
  rm -rf "$tmp"
}

bench_init() {
  tmp=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1"); }
wait_for_port() {
  ks_wait_until 20 0.1 port_open "$1" || { echo "bench: nothing listens on port $1" >&2; exit 1; }
}

bench_start_servers() { # build buoy_port express_port log_level
  DOCKER_NODE_HOSTNAME=bench PORT=$3 node "$bench_here/express_buoy.js" >"$tmp/express.log" 2>&1 &
  express_pid=$!
  pids+=("$express_pid")
  DOCKER_NODE_HOSTNAME=bench "$1/keepalived-swarm" buoy --listen "127.0.0.1:$2" \
    --float-socket "$tmp/no-float.sock" --log-level "$4" >"$tmp/buoy.log" 2>&1 &
  buoy_pid=$!
  pids+=("$buoy_pid")
  wait_for_port "$3"
  wait_for_port "$2"
}

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
peak_mib() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
