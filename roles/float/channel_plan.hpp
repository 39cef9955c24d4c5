#pragma once
// Deciding, from the settings and what the kernel reports, where each VRRP instance runs: which
// interface, which source address, which VIPs; which stale VIPs to remove first; or why not.
// Pure: the inputs are the link and address lists, so every refusal is unit-tested.

#include <string>
#include <variant>
#include <vector>

#include "keepalived_swarm/config/instance_config.hpp"
#include "keepalived_swarm/net/netlink.hpp"
#include "roles/float/vrrp_channel.hpp"

namespace ks::roles::float_role {

struct ChannelPlan {
    std::vector<ChannelSetup> channels;  ///< one per address family that has VIPs
    /// VIPs of ours already on the interface (a killed predecessor left them): remove them first.
    std::vector<net::InterfaceAddress> stale_vips;
};

/// The plan, or a message saying what is wrong and what to do.
std::variant<ChannelPlan, std::string> plan_channels(
    const config::InstanceSettings& settings, const std::vector<net::Link>& links,
    const std::vector<net::InterfaceAddress>& addresses);

}  // namespace ks::roles::float_role
