#!/usr/bin/env bash
# The shipped Prometheus alert rules (deploy/prometheus/): promtool accepts them, and promtool's
# rule tests (alert_rules_test.yml) show each alert firing on what the buoys report, and only then.
set -euo pipefail
source "$KS_SOURCE_DIR/tests/lib/lab.sh"
lab_require_command promtool
promtool check rules "$KS_SOURCE_DIR/deploy/prometheus/keepalived-swarm-alerts.yml"
cd "$KS_SOURCE_DIR/tests/integration"
promtool test rules alert_rules_test.yml
lab_log "PASS"
