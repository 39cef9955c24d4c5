# shellcheck shell=bash
# What the swarm tests ask of the lab swarm (deploy/lab/swarm-lab.sh, sourced first with
# KS_LAB_LIBRARY=1, and tests/lib/lab.sh): where the VIP is, which of the stack's containers run on
# a node. Defines functions and nothing else.
#
#   master                  the one node holding the VIP; fails the test when there are more or none
#   float_id N              the running float container's id on node N ("" when none): the
#                           anchor's container, or in direct mode the float service's task
#   anchor_id N             the running anchor task's container id on node N ("" when none)
#   not_holding N           node N does not hold the VIP
#   at_most_one_holder      no two nodes hold the VIP
#   floats_everywhere N...  a float runs on every node given
#   no_float_on N           no float runs on node N
#   anchor_replaced_on N ID node N runs an anchor other than container ID
#   float_replaced_on N ID  node N runs a float other than container ID
#   other_than N            the first node that is not N
#   service_container N S   the running container of the stack's service S on node N
#   privileges N ID         container ID's "user|cap_add|cap_drop|privileged|mount sources"

master() {
  local holders
  holders=$(swarm_holders)
  [ "$(wc -w <<<"$holders")" -eq 1 ] || lab_fail "expected one VIP holder, found [$holders]"
  echo "$holders"
}
float_id() {
  if swarm_direct_mode; then
    swarm_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_float" \
      --filter status=running
  else
    swarm_docker "$1" ps -q --filter name='^keepalived-float$' --filter status=running
  fi
}
anchor_id() {
  swarm_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_anchor" \
    --filter status=running
}
not_holding() { [[ " $(swarm_holders) " != *" $1 "* ]]; }
at_most_one_holder() { [ "$(swarm_holders | wc -w)" -le 1 ]; }
floats_everywhere() {
  local node
  for node in "$@"; do [ -n "$(float_id "$node")" ] || return 1; done
}
no_float_on() { [ -z "$(float_id "$1")" ]; }
anchor_replaced_on() { local id; id=$(anchor_id "$1"); [ -n "$id" ] && [ "$id" != "$2" ]; }
float_replaced_on() { local id; id=$(float_id "$1"); [ -n "$id" ] && [ "$id" != "$2" ]; }
other_than() {
  local node
  for node in $(swarm_nodes); do [ "$node" = "$1" ] || { echo "$node"; return; }; done
}
service_container() {
  swarm_docker "$1" ps -q --filter "label=com.docker.swarm.service.name=${KS_LAB_STACK}_$2" \
    --filter status=running | head -n 1
}
privileges() {
  swarm_docker "$1" inspect -f '{{.Config.User}}|{{json .HostConfig.CapAdd}}|{{json .HostConfig.CapDrop}}|{{.HostConfig.Privileged}}|{{range .Mounts}}{{.Source}} {{end}}' "$2"
}
