#!/usr/bin/env bash
# GET /cluster, its metrics and `keepalived-swarm status` on loopback: three buoys at 127.0.0.1-3
# (one port, as a stack's buoys), each in front of a stand-in float whose status names the others
# as its VRRP peers, plus 127.0.0.4, a peer that accepts connections and never answers. Checked:
# one MASTER is healthy; the silent peer is shown unreachable without slowing the page; two
# MASTERs are a split brain (status exits 2, the metric says 1); a stopped buoy is unreachable.
set -euo pipefail
source "$KS_SOURCE_DIR/tests/lib/buoy.sh"
buoy_require_tools curl python3
buoy_init

PORT=$((20000 + $$ % 20000))
pids=()
cleanup_cluster() {
  ks_stop_pids 10 "${pids[@]}"
  buoy_cleanup
}
trap cleanup_cluster EXIT

# A status document for node N in STATE, its peers the three others.
fixture() { # n state
  python3 - "$KS_SOURCE_DIR/tests/fixtures/float_status_master.json" "$1" "$2" <<'PY'
import json, sys
status = json.load(open(sys.argv[1]))
n, state = sys.argv[2], sys.argv[3]
status["node"] = "manager-" + n
i = status["instances"][0]
i["state"] = state
i["primary_address"] = "127.0.0.%s" % n
i["peers"] = ["127.0.0.%d" % k for k in (1, 2, 3, 4)]
i["mode"] = "unicast"
i["vips_held"] = i["vips"] if state == "MASTER" else []
print(json.dumps(status))
PY
}
declare -A float_pid buoy_pid
start_float() { # n state
  fixture "$1" "$2" >"$BUOY_TMP/float$1.json"
  "$KS_FLOAT_STATUS_SERVER" "$BUOY_TMP/float$1.sock" "$BUOY_TMP/float$1.json" \
    >"$BUOY_TMP/float$1.log" 2>&1 &
  float_pid[$1]=$!
  pids+=($!)
  buoy_wait_for 10 test -S "$BUOY_TMP/float$1.sock"
}
stop_pid() { kill -TERM "$1" && wait "$1" 2>/dev/null || true; }
start_buoy() { # n
  "$KS_BINARY" buoy --listen "127.0.0.$1:$PORT" --float-socket "$BUOY_TMP/float$1.sock" \
    --node-hostname "manager-$1" --cluster-interval 200ms --cluster-timeout 300ms \
    >"$BUOY_TMP/buoy$1.log" 2>&1 &
  buoy_pid[$1]=$!
  pids+=($!)
  buoy_wait_for 20 grep -q 'buoy listening' "$BUOY_TMP/buoy$1.log"
}
cluster() { curl -fsS --max-time 2 "http://127.0.0.$1:$PORT/cluster"; }
# Prints a field of node 1's /cluster: a python expression over the document `c`.
field() { cluster 1 | python3 -c "import json, sys; c = json.load(sys.stdin); print($1)"; }
status_exit() { # url
  local code=0
  "$KS_BINARY" status "$@" >"$BUOY_TMP/status.out" 2>&1 || code=$?
  echo "$code"
}

# The silent peer: accepts, reads, never answers.
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.4", int(sys.argv[1]))); s.listen(16)
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$PORT" &
pids+=($!)

for n in 1 2 3; do start_float "$n" "$([ "$n" = 1 ] && echo MASTER || echo BACKUP)"; done
for n in 1 2 3; do start_buoy "$n"; done

lab_log "one MASTER, two BACKUPs and a silent peer"
all_answered() { [ "$(field 'sum(1 for n in c["nodes"] if n["reachable"])')" = 3 ]; }
buoy_wait_for 10 all_answered
[ "$(field 'len(c["nodes"])')" = 4 ] || lab_fail "expected 4 nodes: $(cluster 1)"
[ "$(field 'c["masters"]["VI_77"], c["split_brain"], c["no_master"]')" = "1 False False" ] ||
  lab_fail "expected one master and no split brain: $(cluster 1)"
[ "$(field 'c["holders"]["10.99.0.100/24"]')" = "['manager-1']" ] || lab_fail "holders: $(cluster 1)"
[ "$(field '[n["name"] for n in c["nodes"] if n["self"]]')" = "['manager-1']" ] ||
  lab_fail "the serving node is not marked self"
reason=$(field '[n["error"] for n in c["nodes"] if n["address"] == "127.0.0.4"][0]')
[[ $reason == *"timed out"* || $reason == *timeout* ]] || lab_fail "the silent peer's reason: $reason"
# The page never waits for a peer: it is served from the latest answers.
for _ in 1 2 3 4 5; do
  took=$(curl -fsS -o /dev/null -w '%{time_total}' "http://127.0.0.1:$PORT/cluster")
  awk -v t="$took" 'BEGIN { exit !(t < 0.1) }' || lab_fail "/cluster took ${took}s with a silent peer"
done
# Every buoy sees the same cluster.
for n in 2 3; do
  [ "$(cluster "$n" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["masters"]["VI_77"], len(c["nodes"]))')" = "1 4" ] ||
    lab_fail "buoy $n sees another cluster: $(cluster "$n")"
done
code=$(status_exit "http://127.0.0.2:$PORT")
[ "$code" = 1 ] || lab_fail "status exit $code with a silent peer, expected 1 (degraded): $(cat "$BUOY_TMP/status.out")"
grep -q 'UNREACHABLE' "$BUOY_TMP/status.out" && grep -q 'VIP 10.99.0.100/24: held by manager-1' "$BUOY_TMP/status.out" ||
  lab_fail "status table: $(cat "$BUOY_TMP/status.out")"
# The page is read whole before grep: grep -q stops at the first match, and curl writing the
# rest into a closed pipe fails the pipeline (pipefail) although the line was there.
metrics() { curl -fsS --max-time 2 "http://127.0.0.$1:$PORT/metrics"; }
page=$(metrics 1)
grep -qx 'keepalived_swarm_cluster_split_brain{node="manager-1"} 0' <<<"$page" ||
  lab_fail "split-brain metric is not 0"
grep -qx 'keepalived_swarm_cluster_masters{node="manager-1",instance="VI_77",vrid="77"} 1' <<<"$page" ||
  lab_fail "masters metric is not 1"

lab_log "two MASTERs: split brain"
stop_pid "${float_pid[2]}"
start_float 2 MASTER
split() { [ "$(field 'c["split_brain"]')" = True ]; }
buoy_wait_for 10 split
[ "$(field 'sorted(c["holders"]["10.99.0.100/24"])')" = "['manager-1', 'manager-2']" ] ||
  lab_fail "holders in split brain: $(cluster 1)"
code=$(status_exit "http://127.0.0.3:$PORT/cluster")
[ "$code" = 2 ] || lab_fail "status exit $code in split brain, expected 2: $(cat "$BUOY_TMP/status.out")"
grep -q 'split brain: manager-1, manager-2 all claim MASTER' "$BUOY_TMP/status.out" ||
  lab_fail "status does not name the two masters: $(cat "$BUOY_TMP/status.out")"
grep -qx 'keepalived_swarm_cluster_split_brain{node="manager-3"} 1' <<<"$(metrics 3)" ||
  lab_fail "split-brain metric is not 1 on buoy 3"

lab_log "a stopped buoy, then no master"
stop_pid "${buoy_pid[3]}"
gone() { [ "$(field '[n["reachable"] for n in c["nodes"] if n["address"] == "127.0.0.3"][0]')" = False ]; }
buoy_wait_for 10 gone
stop_pid "${float_pid[1]}"
start_float 1 BACKUP
stop_pid "${float_pid[2]}"
start_float 2 BACKUP
nobody() { [ "$(field 'c["no_master"]')" = True ]; }
buoy_wait_for 10 nobody
code=$(status_exit "http://127.0.0.1:$PORT" --json)
[ "$code" = 2 ] || lab_fail "status exit $code with no master, expected 2"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$BUOY_TMP/status.out" ||
  lab_fail "status --json did not print JSON: $(cat "$BUOY_TMP/status.out")"

lab_log "status against nothing, and a wrong command line"
code=$(status_exit "http://127.0.0.3:$PORT")
[ "$code" = 3 ] || lab_fail "status exit $code with no buoy, expected 3"
grep -q 'did not answer' "$BUOY_TMP/status.out" || lab_fail "no reason given: $(cat "$BUOY_TMP/status.out")"
code=$(status_exit "ftp://x")
[ "$code" = 3 ] || lab_fail "status exit $code on a bad URL, expected 3"
lab_log "PASS"
