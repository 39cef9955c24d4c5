#include "roles/float/channel_plan.hpp"

#include <linux/if_addr.h>

#include <algorithm>

namespace ks::roles::float_role {
namespace {

std::string describe_links(const std::vector<net::Link>& links) {
    std::string names;
    for (const auto& link : links) names += (names.empty() ? "" : ", ") + link.name;
    return names.empty() ? "none" : names;
}

std::string describe_addresses(const std::vector<net::InterfaceAddress>& addresses) {
    std::string text;
    for (const auto& address : addresses) {
        if (address.link_local()) continue;
        text += (text.empty() ? "" : ", ") + address.prefix.to_string();
    }
    return text.empty() ? "no address" : text;
}

bool is_vip(const config::InstanceSettings& settings, const net::IpAddress& address) {
    return std::any_of(settings.vips.begin(), settings.vips.end(),
                       [&](const net::IpPrefix& vip) { return vip.address == address; });
}

/// One instance's channel on `link`, or why not.
std::variant<ChannelSetup, std::string> plan_instance(const config::InstanceSettings& settings,
                                                      const net::Link& link,
                                                      const std::vector<net::InterfaceAddress>& own,
                                                      bool swarm_peers,
                                                      std::vector<std::string>& warnings) {
    // One election for all VIPs: a dual-stack pair must live on one node and move together, and
    // the IPv4 election is the one the swarm's managers (IPv4 addresses) can protect. IPv6 VIPs
    // then ride along unadvertised, as keepalived's virtual_ipaddress_excluded.
    const bool v4 = settings.advertises_ipv4();
    const auto advertised = settings.advertised_vip_count();
    const auto advert_size = vrrp::advert_packet_size(
        settings.version, v4 ? vrrp::Family::ipv4 : vrrp::Family::ipv6, advertised);
    if (link.mtu != 0 && advert_size > link.mtu) {
        // A fragmented advert is lost whole with any fragment, and some switches drop fragments.
        return "an advert naming " + std::to_string(advertised) + " VIPs is " +
               std::to_string(advert_size) + " bytes, more than the MTU of interface '" +
               link.name + "' (" + std::to_string(link.mtu) +
               "); give fewer VIPs to this instance (split them over stacks with different "
               "--vrid)";
    }
    ChannelSetup setup;
    setup.settings = settings;
    setup.link = link;
    setup.vips = settings.vips;
    if (v4) {
        if (settings.node_address && settings.node_address->is_v4()) {
            setup.primary_address = *settings.node_address;
        } else {
            // The primary (not secondary) address is what the kernel would pick as source.
            auto primary = std::find_if(own.begin(), own.end(), [](const auto& address) {
                return address.prefix.address.is_v4() && (address.flags & IFA_F_SECONDARY) == 0;
            });
            if (primary == own.end()) {
                return "interface '" + link.name +
                       "' has no IPv4 address to send VRRP from; give it one or set "
                       "--node-address";
            }
            setup.primary_address = primary->prefix.address;
        }
    } else {
        // RFC 5798 5.1.2.1: IPv6 adverts come from the interface's link-local address.
        auto link_local = std::find_if(own.begin(), own.end(),
                                       [](const auto& address) { return address.link_local(); });
        if (link_local == own.end()) {
            return "interface '" + link.name +
                   "' has no IPv6 link-local address, which VRRPv3 over IPv6 sends from; "
                   "enable IPv6 on it";
        }
        setup.primary_address = link_local->prefix.address;
    }

    if (!settings.unicast_peers.empty()) {
        std::vector<net::IpAddress> peers;
        for (const auto& peer : settings.unicast_peers) {
            if (peer.is_v4() == v4) peers.push_back(peer);
        }
        if (peers.empty()) {
            return std::string("no --unicast-peer of the VIPs' advertising family (") +
                   (v4 ? "IPv4" : "IPv6") + "); list the other nodes' " +
                   (v4 ? "IPv4 addresses" : "IPv6 link-local addresses");
        }
        setup.unicast = true;
        setup.fixed_peers = std::move(peers);
    } else if (swarm_peers && v4) {
        setup.peers_from_swarm = true;
        setup.unicast = settings.peers == config::PeersMode::automatic;
        setup.await_peers = setup.unicast;
    }
    if (settings.spread && !setup.fixed_peers && !setup.peers_from_swarm) {
        return std::string(
            "--spread needs every node of the group to home the VIPs: list the other nodes with "
            "--unicast-peer, or run the float under the anchor or in direct mode (--peers auto)");
    }
    if (!setup.fixed_peers && !setup.peers_from_swarm &&
        settings.accept_from == vrrp::AcceptFrom::peers) {
        warnings.push_back(
            std::string("no peer set is known, so adverts from any router of VRID ") +
            std::to_string(settings.vrid) + " on '" + link.name + "' take part in the election" +
            (v4 ? "; list the other nodes with --unicast-peer to hear only them"
                : "; the swarm's managers are known by IPv4 addresses only: list the other "
                  "nodes' IPv6 link-local addresses with --unicast-peer to hear only them"));
    }
    // Spread priorities follow from the peer set: without it every node would think itself home.
    if (settings.spread) setup.await_peers = true;
    return setup;
}

}  // namespace

std::variant<ChannelPlan, std::string> plan_channels(
    const config::InstanceSettings& settings, const std::vector<net::Link>& links,
    const std::vector<net::InterfaceAddress>& addresses, bool swarm_peers, VipMarks vip_marks) {
    std::optional<net::Link> link;
    if (!settings.interface.empty()) {
        link = net::find_link(links, settings.interface);
        if (!link) {
            return "interface '" + settings.interface +
                   "' not found (--interface); interfaces here: " + describe_links(links);
        }
    }
    if (settings.node_address) {
        const auto holder = net::find_interface_holding(addresses, *settings.node_address);
        if (!holder) {
            return "no interface holds the node address " + settings.node_address->to_string() +
                   " (--node-address); addresses here: " + describe_addresses(addresses);
        }
        if (link && link->index != *holder) {
            return "the node address " + settings.node_address->to_string() +
                   " (--node-address) is not on interface '" + link->name +
                   "' (--interface); set one of the two, or make them agree";
        }
        if (!link) {
            for (const auto& candidate : links) {
                if (candidate.index == *holder) link = candidate;
            }
        }
    }
    if (!link) return "no interface given: set --interface or --node-address";

    ChannelPlan plan;
    std::vector<net::InterfaceAddress> own;
    for (const auto& address : addresses) {
        const bool on_link = address.interface_index == link->index;
        if (!is_vip(settings, address.prefix.address)) {
            if (on_link) own.push_back(address);
            continue;
        }
        // Taking over (then deleting) one of the node's addresses would cut the node off; only
        // an address a float marked as its VIP is a predecessor's leftover.
        const bool marked = address.protocol == net::kVipAddressProtocol;
        if (on_link && (marked || vip_marks == VipMarks::not_kept)) {
            plan.stale_vips.push_back(address);
            continue;
        }
        const auto holder = std::find_if(links.begin(), links.end(), [&](const net::Link& l) {
            return l.index == address.interface_index;
        });
        const std::string where =
            holder == links.end() ? "#" + std::to_string(address.interface_index) : holder->name;
        return "VIP " + address.prefix.address.to_string() + " is an address of this node (" +
               address.prefix.to_string() + " on '" + where + "', " +
               (marked ? "a VIP of a float on another interface" : "not added by a float") +
               "); choose an unused address as the VIP (if an earlier version's float left it "
               "there, remove it: ip address del " +
               address.prefix.to_string() + " dev " + where + ")";
    }

    for (const auto& vip : settings.vips) {
        if (vip.address.is_v4() && vip.prefix_length < 31) {
            // The subnet's own network and broadcast addresses belong to everyone on it.
            const auto bits = vip.address.to_v4().to_uint();
            const auto host_mask = (std::uint32_t{1} << (32 - vip.prefix_length)) - 1;
            if ((bits & host_mask) == 0 || (bits & host_mask) == host_mask) {
                return "VIP " + vip.to_string() + " is the " +
                       ((bits & host_mask) == 0 ? "network" : "broadcast") +
                       " address of its subnet; choose a host address inside it";
            }
        }
        if (vip.prefix_length == vip.max_prefix_length()) continue;  // a host route fits anywhere
        const bool in_subnet = std::any_of(own.begin(), own.end(), [&](const auto& address) {
            return address.prefix.prefix_length == vip.prefix_length &&
                   address.prefix.contains(vip.address);
        });
        if (!in_subnet) {
            return "VIP " + vip.to_string() + " is not in a subnet of interface '" + link->name +
                   "' (it has " + describe_addresses(own) +
                   "); use a VIP inside one of those subnets with the same prefix length, or give "
                   "it without a prefix (/" +
                   std::to_string(vip.max_prefix_length()) + ")";
        }
    }

    const auto instances = config::instances_of(settings);
    for (const auto& instance : instances) {
        auto setup = plan_instance(instance, *link, own, swarm_peers, plan.warnings);
        if (auto* problem = std::get_if<std::string>(&setup)) return std::move(*problem);
        auto& planned = std::get<ChannelSetup>(setup);
        if (settings.spread) {
            planned.spread_index = plan.channels.size();
            planned.spread_count = instances.size();
        }
        plan.channels.push_back(std::move(planned));
    }
    return plan;
}

vrrp::InstanceConfig engine_config(const ChannelSetup& setup) {
    vrrp::InstanceConfig config;
    config.version = setup.settings.version;
    config.vrid = setup.settings.vrid;
    config.priority = setup.settings.priority;
    config.advert_interval = setup.settings.advert_interval;
    config.preempt = setup.settings.preempt;
    config.preempt_delay = setup.settings.preempt_delay;
    config.primary_address = setup.primary_address;
    for (const auto& vip : setup.vips) {
        auto& list = vip.address.is_v4() == setup.primary_address.is_v4()
                         ? config.virtual_addresses
                         : config.unadvertised_addresses;
        list.push_back(vip.address);
    }
    config.unicast = setup.unicast;
    config.accept_from = setup.settings.accept_from;
    config.peers = setup.fixed_peers;
    config.await_peers = setup.await_peers;
    config.announce_repeat_delay = setup.settings.garp_refresh_delay;
    config.spread_index = setup.spread_index;
    config.spread_count = setup.spread_count;
    return config;
}

}  // namespace ks::roles::float_role
