# shellcheck shell=bash
# The cluster view on the lab swarm, sourced by test_swarm_chaos.sh once the stack is stable:
# GET /cluster through the VIP, the cluster metrics, `keepalived-swarm status` run in a float
# container (as an operator would with docker exec) and the /ui page in headless Chromium, in
# three situations: normal; one backup's float killed (its anchor paused so it stays dead); a
# forced split brain (VRRP, and only VRRP, dropped to and from the master at the switch).
# Screenshots are kept in tests/artifacts/cluster-*.png.

# A field of the /cluster document served on the VIP: a python expression over `c`.
cluster_field() {
  swarm_client curl -sf --max-time 2 "http://$KS_LAB_VIP:8082/cluster" |
    python3 -c "import json, sys; c = json.load(sys.stdin); print($1)"
}
# `keepalived-swarm status` in node $1's float container; prints the exit status, keeps the table.
cluster_status_exit() { # node
  local code=0
  swarm_docker "$1" exec "$(float_id "$1")" /usr/local/bin/keepalived-swarm status \
    >"$KS_LAB_STATE/status-$1.out" 2>&1 || code=$?
  echo "$code"
}
cluster_metric() { # name
  swarm_client curl -sf --max-time 2 "http://$KS_LAB_VIP:8082/metrics" |
    awk -v m="$1" '$1 ~ "^"m"[{]" { print $2; exit }'
}
# The page as Chromium renders it after its scripts ran: DOM to $2, screenshot to artifacts/$1.png.
cluster_page() { # name dom
  local profile
  profile=$(mktemp -d "$KS_LAB_STATE/chromium.XXXXXX")
  swarm_client timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1400,900 --virtual-time-budget=5000 \
    --dump-dom "http://$KS_LAB_VIP:8082/ui" >"$2" 2>>"$KS_LAB_STATE/chromium.log"
  swarm_client timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --window-size=1400,900 --virtual-time-budget=5000 \
    --screenshot="$CLUSTER_ARTIFACTS/$1.png" "http://$KS_LAB_VIP:8082/ui" \
    >/dev/null 2>>"$KS_LAB_STATE/chromium.log"
  [ "$(head -c 4 "$CLUSTER_ARTIFACTS/$1.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
    lab_fail "no screenshot of the cluster page ($1)"
}
cluster_page_shows() { # dom text...
  local dom=$1 text
  shift
  for text in "$@"; do
    grep -qF -- "$text" "$dom" || lab_fail "the page does not show '$text'; DOM kept in $dom"
  done
}

cluster_view_checks() {
  local master backup code names anchor dom
  CLUSTER_ARTIFACTS=$(dirname "$REPORT")
  master=$(master)
  names=$(for node in $ALL; do swarm_docker "$node" info --format '{{.Name}}'; done | sort | xargs)

  # Normal: three managers, one MASTER, nothing wrong, from the client namespace through the VIP.
  healthy_view() { [ "$(cluster_field 'c["health"]')" = healthy ]; }
  lab_wait_for 15 healthy_view || lab_fail "/cluster is not healthy: $(cluster_field 'c["problems"]')"
  [ "$(cluster_field '" ".join(sorted(n["name"] for n in c["nodes"]))')" = "$names" ] ||
    lab_fail "/cluster does not list the three managers [$names]"
  [ "$(cluster_field 'list(c["masters"].values()), c["split_brain"], c["no_master"]')" = "[1] False False" ] ||
    lab_fail "/cluster: not exactly one MASTER"
  [ "$(cluster_field 'sum(n["reachable"] for n in c["nodes"])')" = 3 ] || lab_fail "a node unreachable"
  [ "$(cluster_field '[n["address"] for n in c["nodes"] if n["self"]][0]')" = "$KS_LAB_SUBNET.$master" ] ||
    lab_fail "the page through the VIP is not served by the master, node $master"
  [ "$(cluster_metric keepalived_swarm_cluster_split_brain)" = 0 ] &&
    [ "$(cluster_metric keepalived_swarm_cluster_masters)" = 1 ] || lab_fail "cluster metrics disagree"
  backup=$(for node in $ALL; do [ "$node" = "$master" ] || echo "$node"; done | head -n 1)
  code=$(cluster_status_exit "$backup")
  [ "$code" = 0 ] || lab_fail "status exit $code on a healthy cluster: $(cat "$KS_LAB_STATE/status-$backup.out")"
  dom="$KS_LAB_STATE/cluster-normal.html"
  cluster_page cluster-normal "$dom"
  cluster_page_shows "$dom" 'data-loaded="true"' 'data-cluster="healthy"' '>MASTER<' '>BACKUP<' 'class="self"'
  lab_log "cluster view, normal: 3 managers, one MASTER, status exit 0, page kept"

  # One backup's float killed; its anchor is paused so that it does not start another.
  anchor=$(anchor_id "$backup")
  swarm_docker "$backup" pause "$anchor" >/dev/null
  swarm_docker "$backup" kill "$(float_id "$backup")" >/dev/null
  float_missing() { [ "$(cluster_field 'sum(1 for n in c["nodes"] if n["reachable"] and not n["float"])')" = 1 ]; }
  lab_wait_for 15 float_missing || { swarm_docker "$backup" unpause "$anchor"; lab_fail "/cluster does not show node $backup's float missing"; }
  [ "$(cluster_field 'c["health"], list(c["masters"].values())')" = "degraded [1]" ] ||
    lab_fail "/cluster with one float down: $(cluster_field 'c["health"], c["problems"]')"
  code=$(cluster_status_exit "$master")
  [ "$code" = 1 ] || lab_fail "status exit $code with a float down, expected 1"
  grep -q 'NO FLOAT' "$KS_LAB_STATE/status-$master.out" || lab_fail "status table: $(cat "$KS_LAB_STATE/status-$master.out")"
  dom="$KS_LAB_STATE/cluster-float-down.html"
  cluster_page cluster-float-down "$dom"
  cluster_page_shows "$dom" 'data-cluster="degraded"' 'Degraded: ' 'its float cannot be read'
  swarm_docker "$backup" unpause "$anchor" >/dev/null
  lab_wait_for 30 healthy_view || lab_fail "/cluster not healthy after node $backup's float returned"
  lab_log "cluster view, node $backup's float killed: degraded, status exit 1, page kept"

  # Forced split brain: the master hears no VRRP and is heard by nobody; HTTP still flows.
  ip netns exec "$(swarm_switch_ns)" ebtables -A FORWARD -i "v$master" -p IPv4 --ip-proto 112 -j DROP
  ip netns exec "$(swarm_switch_ns)" ebtables -A FORWARD -o "v$master" -p IPv4 --ip-proto 112 -j DROP
  split_seen() { [ "$(cluster_field 'c["split_brain"]')" = True ]; }
  if ! lab_wait_for 15 split_seen; then
    ip netns exec "$(swarm_switch_ns)" ebtables -F FORWARD
    lab_fail "/cluster does not report the split brain: holders [$(swarm_holders)]"
  fi
  lab_log "split brain: holders [$(swarm_holders)]; $(cluster_field '"; ".join(c["problems"])')"
  [ "$(cluster_metric keepalived_swarm_cluster_split_brain)" = 1 ] || lab_fail "split-brain metric not 1"
  code=$(cluster_status_exit "$master")
  [ "$code" = 2 ] || lab_fail "status exit $code in split brain, expected 2"
  grep -q 'split brain' "$KS_LAB_STATE/status-$master.out" || lab_fail "status: $(cat "$KS_LAB_STATE/status-$master.out")"
  dom="$KS_LAB_STATE/cluster-split-brain.html"
  cluster_page cluster-split-brain "$dom"
  cluster_page_shows "$dom" 'data-cluster="split brain or no master"' 'SPLIT BRAIN: node' 'all claim MASTER for'
  ip netns exec "$(swarm_switch_ns)" ebtables -F FORWARD
  lab_wait_for 10 swarm_one_holder || lab_fail "not one holder after VRRP passes again: [$(swarm_holders)]"
  lab_wait_for 15 healthy_view || lab_fail "/cluster not healthy after the split brain healed"
  cp "$KS_LAB_STATE"/status-*.out "$KS_LAB_STATE"/cluster-*.html "$CLUSTER_ARTIFACTS/" 2>/dev/null || true
  lab_log "cluster view, forced split brain: reported by /cluster, metrics, status (exit 2), page kept"
}
