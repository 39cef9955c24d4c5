# shellcheck shell=bash
# What the float's benchmarks against keepalived share. Source after tests/lib/lab.sh, from the
# repository's root; defines functions and nothing else.
#
#   bench_build DIR              a static binary of keepalived-swarm built as the image's is
#                                (MinSizeRel), niced (the machine is shared), in build tree DIR,
#                                and stripped; sets BIN and LAB_FLOAT_BINARY
#   bench_keepalived             after lab_init: sets KEEPALIVED (the command, an array) and
#                                KA_VERSION; the host's keepalived, or with KS_BENCH_KEEPALIVED=sid
#                                the one of that Debian suite's root file system
#                                (deploy/lab/lib/engine.sh, cached in $KS_CACHE_DIR)
#   bench_summary VALUES...      "MEDIAN MAX" of the values
#   bench_ticks PIDS...          CPU clock ticks (user + system) the processes used so far
#   bench_memory PIDS...         "RSS PRIVATE" of the processes together, in KiB (VmRSS, RssAnon)
#   bench_start_router IMPL NAME NODE VRID VERSION INTERVAL PRIORITY [FLOAT OPTIONS...]
#                                a router of the one VIP $VIP/24 on eth0 of node NODE, spawned as
#                                NAME: keepalived (IMPL keepalived; one vrrp_instance) or the float
#                                (any other IMPL; LAB_FLOAT_BINARY, the options appended)
#   bench_pids NAME              the pids of NAME's process tree (keepalived: parent and VRRP child)

# shellcheck source=deploy/lab/lib/engine.sh
source deploy/lab/lib/engine.sh

bench_build() {
  local dir=$1
  nice -n 10 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=MinSizeRel -DKS_STATIC=ON \
    -DKS_TESTS=OFF >/dev/null
  nice -n 10 cmake --build "$dir" --target keepalived-swarm | tail -n 1
  BIN=$PWD/$dir/keepalived-swarm-stripped
  strip -o "$BIN" "$dir/keepalived-swarm"
  # shellcheck disable=SC2034 # read by lab_start_float
  LAB_FLOAT_BINARY=$BIN
}

bench_keepalived() {
  KEEPALIVED=(keepalived)
  if [ -n "${KS_BENCH_KEEPALIVED:-}" ]; then
    ks_engine_rootfs "$KS_BENCH_KEEPALIVED" "${KS_CACHE_DIR:-/var/cache/keepalived-swarm}" \
      "$LAB_DIR/rootfs" || lab_fail "no $KS_BENCH_KEEPALIVED root file system for its keepalived"
    KEEPALIVED=("$PWD/deploy/lab/engine-run.sh" "$LAB_DIR/rootfs" "$LAB_DIR" keepalived)
  fi
  # shellcheck disable=SC2034 # read by the benchmark
  KA_VERSION=$("${KEEPALIVED[@]}" --version 2>&1 | awk 'NR == 1 { sub(/^v/, "", $2); print $2 }')
}

bench_summary() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.3f %.3f", m, v[NR] }'
}

# Fields 14 and 15 of /proc/PID/stat count every thread of the process. (The command name in
# field 2 has no blanks for either implementation, so awk's fields line up.)
bench_ticks() {
  local pid ticks=0
  for pid in "$@"; do ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$ticks"
}

# RSS counts the pages of the executable and its libraries mapped in; the private (anonymous)
# part is what the process itself allocated.
bench_memory() {
  local pid rss=0 anon=0
  for pid in "$@"; do
    rss=$((rss + $(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")))
    anon=$((anon + $(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")))
  done
  echo "$rss $anon"
}

bench_start_router() {
  local impl=$1 name=$2 node=$3 vrid=$4 version=$5 interval=$6 priority=$7
  shift 7
  if [ "$impl" != keepalived ]; then
    lab_start_float "$name" "$node" --vip "$VIP/24" --vrid "$vrid" --vrrp-version "$version" \
      --advert-interval "$interval" --priority "$priority" --status-socket none --log-level warn \
      "$@"
    return
  fi
  cat >"$LAB_DIR/$name.conf" <<CONF
global_defs {
  vrrp_version $version
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id $vrid
  priority $priority
  advert_int $interval
  virtual_ipaddress {
    $VIP/24
  }
}
CONF
  # -l -G: its log in the lab's log file, not through syslog(3), which with no syslog daemon
  # falls back to the machine's console (on a serial one, about 0.1 s per line). Without -D, as
  # the float runs with --log-level warn.
  lab_spawn "$name" "$node" "${KEEPALIVED[@]}" -n -l -G --vrrp -f "$LAB_DIR/$name.conf" \
    -p "$LAB_DIR/$name.pid" -r "$LAB_DIR/$name.vrrp.pid" -c "$LAB_DIR/$name.chk.pid"
}

bench_pids() {
  local name=$1
  echo "${LAB_PID[$name]}"
  if [ -f "$LAB_DIR/$name.vrrp.pid" ]; then cat "$LAB_DIR/$name.vrrp.pid" 2>/dev/null || true; fi
}
