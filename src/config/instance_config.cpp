#include "keepalived_swarm/config/instance_config.hpp"

#include <algorithm>
#include <set>

#include "keepalived_swarm/process/command.hpp"

namespace ks::config {
namespace {

using namespace std::chrono_literals;

/// `interval` when the adverts of `version` can carry it; otherwise nullopt, and the validator
/// holds the problem.
std::optional<vrrp::Duration> interval_fit_for_version(Validator& validator, vrrp::Version version,
                                                       std::optional<vrrp::Duration> interval) {
    if (!interval) return std::nullopt;
    const auto raw = validator.text("advert-interval");
    if (version == vrrp::Version::v2) {
        if (*interval % 1s != 0us || *interval < 1s) {
            validator.add_problem("advert-interval", raw,
                                  "whole seconds from 1s to 255s with --vrrp-version 2 (RFC 3768 "
                                  "carries seconds), or use --vrrp-version 3");
            return std::nullopt;
        }
    } else if (*interval % 10ms != 0us) {
        validator.add_problem("advert-interval", raw,
                              "a multiple of 10ms with VRRPv3 (RFC 5798 carries centiseconds)");
        return std::nullopt;
    }
    return interval;
}

std::optional<std::string> node_address_text(const std::optional<net::IpAddress>& address) {
    if (!address) return std::nullopt;
    return address->to_string();
}

std::optional<std::string> vips_text(const std::vector<net::IpPrefix>& vips) {
    return joined(vips, ",", [](const net::IpPrefix& vip) { return vip.to_string(); });
}

std::optional<std::string> peers_text(const std::vector<net::IpAddress>& peers) {
    if (peers.empty()) return std::nullopt;
    return joined(peers, ",", [](const net::IpAddress& peer) { return peer.to_string(); });
}

std::optional<std::string> version_text(const vrrp::Version& version) {
    return std::to_string(static_cast<int>(version));
}

/// Fixed peers come from --unicast-peer, so --peers stays unset.
std::optional<std::string> peers_mode_text(const PeersMode& mode) {
    if (mode == PeersMode::fixed) return std::nullopt;
    return mode == PeersMode::automatic ? "auto" : "multicast";
}

std::optional<std::string> accept_from_text(const vrrp::AcceptFrom& accept_from) {
    return std::string(vrrp::to_string(accept_from));
}

std::optional<std::string> toggle_text(const bool& on) {
    return on ? "true" : "false";
}

/// What --spread needs of the other settings.
void check_spread(Validator& validator, const InstanceSettings& settings,
                  std::optional<bool> preempt) {
    if (preempt == false) {
        validator.add_problem("preempt", "false",
                              "on (or unset) with --spread: a VIP goes back to its home node only "
                              "by preemption; --preempt-delay sets how long it waits");
    }
    if (!settings.vips.empty() && settings.vrid + settings.vips.size() - 1 > 255) {
        validator.add_problem(
            "vrid", std::to_string(settings.vrid),
            "at most " + std::to_string(256 - settings.vips.size()) + " with --spread and " +
                std::to_string(settings.vips.size()) +
                " VIPs: each VIP takes the next VRID and the last must be at most 255");
    }
    if (settings.priority == vrrp::kOwnerPriority) {
        validator.add_problem("priority", "255",
                              "1-254 with --spread: the nodes after a VIP's home compete with "
                              "lower priorities, and 255 means the address owner");
    }
    const auto v4 = std::count_if(settings.vips.begin(), settings.vips.end(),
                                  [](const net::IpPrefix& vip) { return vip.address.is_v4(); });
    if (v4 != 0 && static_cast<std::size_t>(v4) != settings.vips.size()) {
        validator.add_problem("vip", "IPv4 and IPv6",
                              "one family with --spread: each VIP is its own election, and an "
                              "IPv6 VIP cannot ride along an IPv4 one; run a second stack with "
                              "another --vrid for the other family");
    }
}

std::vector<InstanceOption> make_instance_options() {
    std::vector<InstanceOption> table = {
        field_option(&InstanceSettings::interface, Reload::restart,
                     {"interface", "KEEPALIVED_INTERFACE", "", "IFACE",
                      "Interface that carries VRRP and receives the VIPs, such as eth0."},
                     text_unless_empty),
        field_option(&InstanceSettings::node_address, Reload::restart,
                     {"node-address", "KEEPALIVED_NODE_ADDRESS", "", "ADDR",
                      "This node's address on the VRRP network: the source of adverts, and "
                      "without --interface the interface holding it is used (default: the "
                      "interface's first address)."},
                     node_address_text),
        field_option(&InstanceSettings::vips, Reload::restart,
                     {"vip", "KEEPALIVED_VIRTUAL_IPS", "", "ADDR[/PREFIX]",
                      "Virtual IP address (IPv4 or IPv6); without a prefix it is /32 or /128.",
                      OptionKind::list},
                     vips_text),
        field_option(&InstanceSettings::vrid, Reload::restart,
                     {"vrid", "KEEPALIVED_ROUTER_ID", "77", "N",
                      "Virtual router id, 1-255; the same on every node of one VIP group."},
                     number_text<std::uint8_t>),
        field_option(&InstanceSettings::priority, Reload::in_place,
                     {"priority", "KEEPALIVED_PRIORITY", "100", "N",
                      "Priority 1-255; the highest live priority holds the VIPs (255: address "
                      "owner)."},
                     number_text<std::uint8_t>),
        field_option(&InstanceSettings::advert_interval, Reload::restart,
                     {"advert-interval", "KEEPALIVED_ADVERT_INTERVAL", "1s", "DUR",
                      "Advertisement interval: 100ms, 1s or 0.1 (seconds)."},
                     duration_text),
        field_option(&InstanceSettings::version, Reload::restart,
                     {"vrrp-version", "KEEPALIVED_VRRP_VERSION", "3", "2|3",
                      "VRRP version: 3 (RFC 5798, IPv4 and IPv6) or 2 (RFC 3768, IPv4, whole "
                      "seconds)."},
                     version_text),
        field_option(&InstanceSettings::unicast_peers, Reload::restart,
                     {"unicast-peer", "KEEPALIVED_UNICAST_PEERS", "", "ADDR",
                      "Send adverts to this peer instead of multicast (for networks that drop "
                      "multicast).",
                      OptionKind::list},
                     peers_text),
        field_option(&InstanceSettings::peers, Reload::restart,
                     {"peers", "KEEPALIVED_PEERS", "", "auto|multicast",
                      "auto: the other swarm managers (from the anchor) are the unicast peers, "
                      "kept up to date, and the float competes only once it has their list; "
                      "multicast: VRRP multicast. Default: auto, or the --unicast-peer list when "
                      "given."},
                     peers_mode_text),
        field_option(&InstanceSettings::accept_from, Reload::restart,
                     {"accept-from", "KEEPALIVED_ACCEPT_FROM", "peers", "peers|any",
                      "Whose adverts count: peers (only the peer set's, once one is known: a "
                      "stranger on the link cannot move the VIP) or any (RFC 5798: any router of "
                      "the VRID)."},
                     accept_from_text),
        field_option(&InstanceSettings::preempt, Reload::in_place,
                     {"preempt", "KEEPALIVED_PREEMPT", "false", "",
                      "Take the VIPs from a live master of lower priority (off: the VIP stays "
                      "put).",
                      OptionKind::toggle},
                     toggle_text),
        field_option(&InstanceSettings::preempt_delay, Reload::in_place,
                     {"preempt-delay", "KEEPALIVED_PREEMPT_DELAY", "0s", "DUR",
                      "With --preempt, keep a lower-priority master this long before taking "
                      "over."},
                     duration_text),
        field_option(&InstanceSettings::instance_name, Reload::restart,
                     {"instance-name", "KEEPALIVED_INSTANCE_NAME", "", "NAME",
                      "Name of the VRRP instance in logs, status and notify calls (default "
                      "VI_<vrid>)."},
                     text_always),
        field_option(&InstanceSettings::garp_repeat, Reload::restart,
                     {"garp-repeat", "KEEPALIVED_GARP_REPEAT", "5", "N",
                      "Gratuitous ARPs / unsolicited NAs per VIP in each burst on becoming "
                      "master."},
                     number_text<unsigned>),
        field_option(&InstanceSettings::garp_refresh_delay, Reload::restart,
                     {"garp-refresh-delay", "KEEPALIVED_GARP_DELAY", "5s", "DUR",
                      "Delay of the second burst after becoming master (0 disables it)."},
                     duration_text),
        field_option(&InstanceSettings::notify_command, Reload::restart,
                     {"notify", "KEEPALIVED_NOTIFY", "", "CMD",
                      "Command run on each state change with three arguments: the new state "
                      "(MASTER, BACKUP, FAULT or STOP), the instance name, and the reason (which "
                      "tracker and its last result, when a tracker caused it)."},
                     text_unless_empty),
        field_option(&InstanceSettings::spread, Reload::restart,
                     {"spread", "KEEPALIVED_SPREAD", "false", "",
                      "Active-active: each VIP is its own VRRP instance (VRIDs --vrid, --vrid+1, "
                      "...), homed round-robin over the nodes by their sorted addresses; a node's "
                      "VIPs move to different survivors when it fails and go home --preempt-delay "
                      "(default 30s here) after it is back. Needs the peer list: --unicast-peer, "
                      "or the swarm's managers.",
                      OptionKind::toggle},
                     toggle_text),
    };
    for (auto& option : nested_options(&InstanceSettings::track, track_options())) {
        table.push_back(std::move(option));
    }
    return table;
}

}  // namespace

const std::vector<InstanceOption>& instance_options() {
    static const std::vector<InstanceOption> table = make_instance_options();
    return table;
}

std::vector<OptionSpec> instance_option_specs() {
    return option_specs(instance_options());
}

bool InstanceSettings::advertises_ipv4() const {
    return std::any_of(vips.begin(), vips.end(),
                       [](const net::IpPrefix& vip) { return vip.address.is_v4(); });
}

std::size_t InstanceSettings::advertised_vip_count() const {
    const bool v4 = advertises_ipv4();
    return static_cast<std::size_t>(
        std::count_if(vips.begin(), vips.end(),
                      [&](const net::IpPrefix& vip) { return vip.address.is_v4() == v4; }));
}

InstanceSettings read_instance_settings(Validator& validator, InterfaceRequirement interface) {
    InstanceSettings settings;

    settings.interface = validator.text("interface");
    const auto node_addresses = validator.addresses("node-address");
    if (node_addresses.size() > 1) {
        validator.add_problem("node-address", validator.text("node-address"), "one address");
    } else if (node_addresses.size() == 1) {
        settings.node_address = node_addresses.front();
    }
    if (interface == InterfaceRequirement::required && settings.interface.empty() &&
        !settings.node_address && validator.options().list("node-address").empty()) {
        validator.add_problem("interface", "",
                              "an interface name such as eth0 (or --node-address ADDR to use "
                              "the interface that holds ADDR)");
    }
    if (!settings.interface.empty() &&
        (settings.interface.size() > 15 ||
         settings.interface.find_first_of("/ \t:") != std::string::npos)) {
        validator.add_problem("interface", settings.interface,
                              "an interface name of at most 15 characters without '/', ':' or "
                              "spaces");
    }

    if (auto version = validator.choice("vrrp-version", {"2", "3"})) {
        settings.version = *version == "2" ? vrrp::Version::v2 : vrrp::Version::v3;
    }
    if (auto vrid = validator.integer("vrid", 1, 255)) {
        settings.vrid = static_cast<std::uint8_t>(*vrid);
    }
    if (auto priority = validator.integer("priority", 1, 255)) {
        settings.priority = static_cast<std::uint8_t>(*priority);
    }
    const bool v2 = settings.version == vrrp::Version::v2;
    if (auto interval = interval_fit_for_version(
            validator, settings.version,
            v2 ? validator.duration("advert-interval", 1us, vrrp::kMaxV2Interval)
               : validator.duration("advert-interval", vrrp::kMinV3Interval,
                                    vrrp::kMaxV3Interval))) {
        settings.advert_interval = *interval;
    }

    settings.vips = validator.prefixes("vip");
    if (validator.options().list("vip").empty()) {
        validator.add_problem("vip", "", "at least one virtual IP address, such as 10.0.0.100/24");
    }
    std::set<net::IpAddress> seen;
    for (const auto& vip : settings.vips) {
        if (!seen.insert(vip.address).second) {
            validator.add_problem("vip", vip.to_string(), "each address once");
        }
        if (v2 && vip.address.is_v6()) {
            validator.add_problem("vip", vip.to_string(),
                                  "IPv4 addresses with --vrrp-version 2 (VRRPv2 has no IPv6); "
                                  "use --vrrp-version 3");
        }
        if (vip.address.is_multicast() || vip.address.is_unspecified() ||
            vip.address.is_loopback() ||
            (vip.address.is_v4() &&
             vip.address.to_v4() == boost::asio::ip::address_v4::broadcast())) {
            validator.add_problem(
                "vip", vip.to_string(),
                "a unicast address (not multicast, broadcast, loopback or unspecified)");
        }
        if (vip.address.is_v6() &&
            (vip.address.to_v6().is_v4_mapped() || vip.address.to_v6().is_link_local())) {
            validator.add_problem("vip", vip.to_string(),
                                  "a global or unique local IPv6 address (not IPv4-mapped, not "
                                  "link-local: those never leave their link's own hosts)");
        }
    }

    if (const auto advertised = settings.advertised_vip_count(); advertised > vrrp::kMaxAddresses) {
        validator.add_problem(
            "vip",
            std::to_string(advertised) + (settings.advertises_ipv4() ? " IPv4" : " IPv6") + " VIPs",
            "at most 255 VIPs of the advertised family (an advert's address count is one byte); "
            "split them over several stacks with different --vrid");
    }

    if (settings.node_address && seen.count(*settings.node_address) > 0) {
        validator.add_problem("node-address", settings.node_address->to_string(),
                              "the node's own address, not one of the VIPs");
    }
    settings.unicast_peers = validator.addresses("unicast-peer");
    std::set<net::IpAddress> peers_seen;
    for (const auto& peer : settings.unicast_peers) {
        if (seen.count(peer) > 0) {
            validator.add_problem("unicast-peer", peer.to_string(),
                                  "the address of another node, not one of the VIPs");
        } else if (settings.node_address == peer) {
            validator.add_problem("unicast-peer", peer.to_string(),
                                  "the address of another node, not this node's own "
                                  "(--node-address)");
        } else if (peer.is_multicast() || peer.is_unspecified() || peer.is_loopback()) {
            validator.add_problem("unicast-peer", peer.to_string(),
                                  "another node's unicast address (not multicast, loopback or "
                                  "unspecified)");
        } else if (!peers_seen.insert(peer).second) {
            validator.add_problem("unicast-peer", peer.to_string(), "each peer once");
        }
    }

    const bool has_peers = !settings.unicast_peers.empty();
    settings.peers = has_peers ? PeersMode::fixed : PeersMode::automatic;
    if (auto peers = validator.choice("peers", {"auto", "multicast"})) {
        if (has_peers) {
            validator.add_problem("peers", *peers,
                                  "unset when --unicast-peer (KEEPALIVED_UNICAST_PEERS) lists the "
                                  "peers; use one or the other");
        } else {
            settings.peers = *peers == "auto" ? PeersMode::automatic : PeersMode::multicast;
        }
    }
    if (auto accept = validator.choice("accept-from", {"peers", "any"})) {
        settings.accept_from = *accept == "any" ? vrrp::AcceptFrom::any : vrrp::AcceptFrom::peers;
    }

    // --spread changes two defaults: VIPs go home by preemption, after a delay.
    settings.spread = validator.toggle("spread").value_or(false);
    const auto given = [&](std::string_view flag) {
        const auto source = validator.options().source(flag);
        return source != Source::default_value && source != Source::unset;
    };
    const auto preempt = validator.toggle("preempt");
    settings.preempt = given("preempt") ? preempt.value_or(false) : settings.spread;
    settings.preempt_delay = validator.duration("preempt-delay", 0s, 1000s).value_or(0s);
    if (settings.spread && !given("preempt-delay")) settings.preempt_delay = kSpreadPreemptDelay;
    if (settings.spread)
        check_spread(validator, settings, given("preempt") ? preempt : std::nullopt);
    settings.instance_name = validator.text("instance-name");
    const bool name_ok = settings.instance_name.size() <= 64 &&
                         std::all_of(settings.instance_name.begin(), settings.instance_name.end(),
                                     [](char c) { return c > ' ' && c < 0x7f; });
    if (!name_ok) {
        validator.add_problem("instance-name", settings.instance_name.substr(0, 80),
                              "at most 64 printable characters without spaces");
        settings.instance_name.clear();
    }
    if (settings.instance_name.empty()) {
        settings.instance_name = "VI_" + std::to_string(settings.vrid);
    }
    if (auto repeat = validator.integer("garp-repeat", 1, 100)) {
        settings.garp_repeat = static_cast<unsigned>(*repeat);
    }
    settings.garp_refresh_delay =
        validator.duration("garp-refresh-delay", 0s, 3600s).value_or(settings.garp_refresh_delay);
    settings.notify_command = validator.text("notify");
    if (!settings.notify_command.empty() && !process::split_command_line(settings.notify_command)) {
        validator.add_problem("notify", settings.notify_command,
                              "a command with balanced quotes (it runs without a shell)");
    }
    settings.track = read_track_settings(validator);
    return settings;
}

std::vector<InstanceSettings> instances_of(const InstanceSettings& settings) {
    if (!settings.spread) return {settings};
    const bool named = settings.instance_name != "VI_" + std::to_string(settings.vrid);
    std::vector<InstanceSettings> instances;
    for (std::size_t index = 0; index < settings.vips.size(); ++index) {
        auto& instance = instances.emplace_back(settings);
        instance.vips = {settings.vips[index]};
        // Validation keeps the last VRID within 255.
        instance.vrid = static_cast<std::uint8_t>(settings.vrid + index);
        const auto vrid = std::to_string(instance.vrid);
        instance.instance_name = named ? settings.instance_name + "_" + vrid : "VI_" + vrid;
    }
    return instances;
}

std::vector<std::string> instance_environment(const InstanceSettings& settings) {
    return option_environment(instance_options(), settings);
}

}  // namespace ks::config
