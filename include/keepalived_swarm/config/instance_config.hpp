#pragma once
// Settings of the VRRP instance a float runs. The float reads them; the anchor reads the same
// options, validates them, and passes them to the float container as environment variables.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/config/common.hpp"
#include "keepalived_swarm/config/option_table.hpp"
#include "keepalived_swarm/config/track_config.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"
#include "keepalived_swarm/vrrp/instance.hpp"
#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::config {

/// Where the float's peers come from.
enum class PeersMode {
    automatic,  ///< the other swarm managers, from the anchor: unicast to them, only them heard
    multicast,  ///< VRRP multicast; the anchor's managers (when known) are still the only ones
                ///< heard
    fixed,      ///< --unicast-peer
};

struct InstanceSettings {
    std::string interface;  ///< empty: the interface that holds node_address
    /// This node's address on the VRRP network: the advert source and, without --interface,
    /// how the interface is found. The anchor passes the node's swarm address here.
    std::optional<net::IpAddress> node_address;
    std::vector<net::IpPrefix> vips;
    std::uint8_t vrid = 77;
    std::uint8_t priority = 100;
    vrrp::Duration advert_interval = std::chrono::seconds(1);
    vrrp::Version version = vrrp::Version::v3;
    std::vector<net::IpAddress> unicast_peers;  ///< empty: from the anchor, or multicast
    PeersMode peers = PeersMode::automatic;     ///< fixed whenever unicast_peers is set
    vrrp::AcceptFrom accept_from = vrrp::AcceptFrom::peers;
    bool preempt = false;  ///< the original ran keepalived with nopreempt
    vrrp::Duration preempt_delay{0};
    std::string instance_name;  ///< "VI_<vrid>" unless set
    unsigned garp_repeat = 5;   ///< keepalived's garp_master_repeat
    vrrp::Duration garp_refresh_delay = std::chrono::seconds(5);  ///< garp_master_delay
    std::string notify_command;
    TrackSettings track;  ///< the float's own health checks
    /// Each VIP its own instance (VRIDs vrid, vrid+1, ...), homed round-robin over the nodes:
    /// see instances_of().
    bool spread = false;

    /// One election carries all VIPs: an IPv4 one when there is any IPv4 VIP (the IPv6 VIPs
    /// then ride along unadvertised, as keepalived's virtual_ipaddress_excluded), else IPv6.
    bool advertises_ipv4() const;
    /// The VIPs the adverts name: those of the advertised family.
    std::size_t advertised_vip_count() const;

    friend bool operator==(const InstanceSettings&, const InstanceSettings&) = default;
};

/// The float needs --interface or --node-address; the anchor can discover both.
enum class InterfaceRequirement { required, optional };

using InstanceOption = SettingsOption<InstanceSettings>;
/// The options of InstanceSettings, one per field (those of TrackSettings included), with the
/// names of the original project's variables: the one place an option is declared.
const std::vector<InstanceOption>& instance_options();
/// The table's specs, for the command line and --help.
std::vector<OptionSpec> instance_option_specs();
/// Reads and validates InstanceSettings; problems go to the validator.
InstanceSettings read_instance_settings(Validator& validator, InterfaceRequirement interface);
/// With --spread, a VIP goes home this long after its node is back, unless --preempt-delay says.
inline constexpr vrrp::Duration kSpreadPreemptDelay = std::chrono::seconds(30);
/// The VRRP instances `settings` describe, in VIP order: itself, or with --spread one per VIP
/// with the next VRID each and a name of its own (VI_<vrid>, or NAME_<vrid> when named).
std::vector<InstanceSettings> instances_of(const InstanceSettings& settings);
/// KEY=VALUE strings that make a float read back exactly `settings` (interface included if set),
/// rendered by the table.
std::vector<std::string> instance_environment(const InstanceSettings& settings);

}  // namespace ks::config
