# shellcheck shell=bash
# Processes of the lab, by pid only (never by name or pattern). Sourced by the swarm lab
# (deploy/lab/*.sh), the tests' lab (tests/lib/*.sh) and the benchmarks (bench/); defines
# functions and nothing else, so sourcing it twice is harmless.
#
#   ks_wait_until SECONDS INTERVAL CMD...  run CMD (output discarded) every INTERVAL seconds until
#                                          it succeeds; status 1 once SECONDS have passed
#   ks_pid_alive PID                       true while PID runs (a zombie counts as gone: only its
#                                          parent could still reap it)
#   ks_pid_gone PID                        the opposite
#   ks_stop_pids SECONDS PID...            SIGTERM to every PID, up to SECONDS for each to end,
#                                          then SIGKILL; reaps those that are this shell's children
#   ks_first_missing_command CMD...        prints the first CMD not installed, status 1; status 0
#                                          when all are there

ks_wait_until() {
  local seconds=$1 interval=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep "$interval"
  done
}

ks_pid_alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # The state follows the command name in brackets, which may itself hold spaces.
  stat=${stat##*) }
  [ -n "$stat" ] && [ "${stat%% *}" != Z ]
}

ks_pid_gone() { ! ks_pid_alive "$1"; }

ks_stop_pids() {
  local seconds=$1 pid
  shift
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    ks_wait_until "$seconds" 0.05 ks_pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

ks_first_missing_command() {
  local command
  for command in "$@"; do
    if ! command -v "$command" >/dev/null 2>&1; then
      echo "$command"
      return 1
    fi
  done
}
