# shellcheck shell=bash
# Network namespaces of the lab: hosts (one namespace each, with an eth0) plugged into a bridge
# that lives in a namespace of its own, the switch. Nothing here touches the root namespace's
# interfaces: every address, VRRP packet and ARP stays inside namespaces the lab created. Sourced
# by the swarm lab (deploy/lab/swarm-lab.sh) and the tests' lab (tests/lib/lab.sh); defines
# functions and nothing else, so sourcing it twice is harmless.
#
#   ks_switch_create SWITCH              namespace SWITCH with the bridge br0 (no STP, no forward
#                                        delay), up
#   ks_host_add SWITCH NS PORT [--no-dad] [ADDRESS/PREFIX...]
#                                        namespace NS whose eth0 is a veth with the other end PORT
#                                        on SWITCH's br0; the addresses on eth0 (IPv6 ones without
#                                        duplicate address detection, empty ones skipped), eth0 up. --no-dad turns
#                                        DAD off in NS first, also for the link-local address
#   ks_port_set SWITCH PORT up|down      take a host's bridge port up or down (its carrier)
#   ks_netns_has_address NS ADDRESS      true when eth0 in NS holds ADDRESS (IPv4 or IPv6)
#   ks_holders ADDRESS NS_OF NODE...     the NODEs (in order) whose namespace, as the function
#                                        NS_OF prints it, holds ADDRESS on eth0
#   ks_netns_kill_all NS...              SIGKILL every process in NS (started there by the lab)
#   ks_netns_with_prefix PREFIX          the namespaces whose name starts with PREFIX
#   ks_netns_delete NS...                delete the namespaces (a failure is the caller's to see)

ks_switch_create() {
  local switch=$1
  ip netns add "$switch"
  ip -n "$switch" link set lo up
  ip -n "$switch" link add br0 type bridge stp_state 0 forward_delay 0
  ip -n "$switch" link set br0 up
}

ks_host_add() {
  local switch=$1 ns=$2 port=$3 address
  shift 3
  ip netns add "$ns"
  if [ "${1:-}" = --no-dad ]; then
    shift
    # Addresses, and the link-local source of IPv6 adverts, are usable at once.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
      net.ipv6.conf.default.accept_dad=0
  fi
  ip link add eth0 netns "$ns" type veth peer name "$port" netns "$switch"
  ip -n "$switch" link set "$port" master br0 up
  ip -n "$ns" link set lo up
  for address in "$@"; do
    case $address in
      "") ;;
      *:*) ip -n "$ns" addr add "$address" dev eth0 nodad ;;
      *) ip -n "$ns" addr add "$address" dev eth0 ;;
    esac
  done
  ip -n "$ns" link set eth0 up
}

ks_port_set() { ip -n "$1" link set "$2" "$3"; }

# Reads the whole listing before matching: `ip ... | grep -q` under pipefail fails at random when
# grep exits early and ip dies of SIGPIPE.
ks_netns_has_address() {
  local ns=$1 address=$2 listing
  listing=$(ip -n "$ns" -o addr show dev eth0 2>/dev/null) || return 1
  grep -qE "inet6? ${address}/" <<<"$listing"
}

ks_holders() {
  local address=$1 ns_of=$2 node holders=()
  shift 2
  for node in "$@"; do
    ks_netns_has_address "$("$ns_of" "$node")" "$address" && holders+=("$node")
  done
  echo "${holders[*]}"
}

ks_netns_kill_all() {
  local ns pid
  for ns in "$@"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  done
}

ks_netns_with_prefix() { ip netns list | awk '{ print $1 }' | grep "^$1" || true; }

ks_netns_delete() {
  local ns
  for ns in "$@"; do ip netns del "$ns"; done
}
