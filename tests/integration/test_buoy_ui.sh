#!/usr/bin/env bash
# The buoy's web page in headless Chromium: the page's script fetches /status and shows the
# float's state, VIPs, master and transitions; then the float goes away and the page says so.
# Keeps screenshots in tests/artifacts/. Loopback only.
set -euo pipefail
source "$KS_SOURCE_DIR/tests/lib/buoy.sh"
buoy_require_tools chromium curl
buoy_init

artifacts="$KS_SOURCE_DIR/tests/artifacts"
mkdir -p "$artifacts"

# A fresh profile for each run; --virtual-time-budget lets the page's fetches and timers run
# before the DOM is dumped.
run_chromium() {
  timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-quic \
    --user-data-dir="$(mktemp -d "$BUOY_TMP/chromium.XXXXXX")" --window-size=1100,900 \
    --virtual-time-budget=5000 "$@" 2>>"$BUOY_TMP/chromium.log"
}

page_shows() {
  local dom=$1
  shift
  local text
  for text in "$@"; do
    grep -qF -- "$text" "$dom" || lab_fail "the page does not show '$text'; DOM kept in $dom"
  done
}

buoy_start_float "$KS_SOURCE_DIR/tests/fixtures/float_status_master.json"
buoy_start --node-hostname manager-1
buoy_wait_for 10 sh -c "curl -fsS '$BUOY_URL/status' | grep -q '\"state\":\"MASTER\"'"

lab_log "page with a MASTER float"
run_chromium --dump-dom "$BUOY_URL/ui" >"$BUOY_TMP/master.html"
page_shows "$BUOY_TMP/master.html" 'data-loaded="true"' 'id="state" data-state="MASTER">MASTER<' \
  '>manager-1<' '10.99.0.100/24' 'master down timer expired' 'anchor tether: connected'
run_chromium --screenshot="$artifacts/buoy-ui-master.png" "$BUOY_URL/ui" >/dev/null
[ "$(head -c 4 "$artifacts/buoy-ui-master.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
  lab_fail "no PNG screenshot at $artifacts/buoy-ui-master.png"

lab_log "page with the float gone"
buoy_stop_float
buoy_wait_for 10 sh -c "curl -fsS '$BUOY_URL/status' | grep -q '\"float\":\"unreachable\"'"
run_chromium --dump-dom "$BUOY_URL/ui" >"$BUOY_TMP/unreachable.html"
page_shows "$BUOY_TMP/unreachable.html" 'data-loaded="true"' 'data-state="unreachable"' \
  'The float does not answer'
run_chromium --screenshot="$artifacts/buoy-ui-unreachable.png" "$BUOY_URL/ui" >/dev/null

lab_log "PASS: the page shows the float's state and its absence (screenshots in tests/artifacts/)"
