#pragma once
// Deciding, from the settings and what the kernel reports, where each VRRP instance runs: which
// interface, which source address, which VIPs, which peers; which stale VIPs to remove first; or
// why not.
// Pure: the inputs are the link and address lists, so every refusal is unit-tested.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "keepalived_swarm/config/instance_config.hpp"
#include "keepalived_swarm/net/route_events.hpp"
#include "keepalived_swarm/vrrp/instance.hpp"

namespace ks::roles::float_role {

/// Where an instance runs, what it holds and whom it talks to, resolved from the settings and
/// the interface.
struct ChannelSetup {
    config::InstanceSettings settings;
    net::Link link;
    net::IpAddress primary_address;   ///< advert source: node address or IPv6 link-local
    std::vector<net::IpPrefix> vips;  ///< every VIP; those of the primary's family are advertised
    bool unicast = false;             ///< adverts to the peers, not to the multicast group
    /// Compete only once the swarm's managers are known (auto mode, from the anchor or the
    /// float's own swarm watch).
    bool await_peers = false;
    /// The swarm's managers are this instance's peer set (IPv4, not fixed by --unicast-peer).
    bool peers_from_swarm = false;
    std::optional<std::vector<net::IpAddress>> fixed_peers;  ///< --unicast-peer of this family
    /// --spread: this channel's place among the VIPs, which decides its home node.
    std::optional<std::size_t> spread_index;
    std::size_t spread_count = 0;  ///< --spread: how many VIPs (instances) there are
};

struct ChannelPlan {
    std::vector<ChannelSetup> channels;
    /// VIPs of ours already on the interface (a killed predecessor left them): remove them first.
    std::vector<net::InterfaceAddress> stale_vips;
    /// What the operator should know about the plan (e.g. any router may take part).
    std::vector<std::string> warnings;
};

/// Whether the kernel keeps the mark a float puts on its VIPs (net::kVipAddressProtocol).
enum class VipMarks {
    kept,      ///< a VIP address without the mark is the node's own: never remove it
    not_kept,  ///< Linux before 5.18: an address equal to a VIP counts as a predecessor's
};

/// The plan, or a message saying what is wrong and what to do. `swarm_peers`: the swarm's
/// managers will be reported (by the anchor, or the float's own watch in direct mode).
std::variant<ChannelPlan, std::string> plan_channels(
    const config::InstanceSettings& settings, const std::vector<net::Link>& links,
    const std::vector<net::InterfaceAddress>& addresses, bool swarm_peers, VipMarks vip_marks);

/// The engine's configuration for a planned channel.
vrrp::InstanceConfig engine_config(const ChannelSetup& setup);

}  // namespace ks::roles::float_role
