#include <linux/if_addr.h>

#include <catch2/catch.hpp>

#include "roles/float/channel_plan.hpp"

using namespace ks;
using roles::float_role::ChannelPlan;
using roles::float_role::plan_channels;
using roles::float_role::VipMarks;

constexpr auto kMarked = VipMarks::kept;

namespace {

net::InterfaceAddress address_on(int index, const char* prefix, std::uint32_t flags = 0,
                                 std::uint8_t protocol = 0) {
    return net::InterfaceAddress{index, *net::parse_ip_prefix(prefix), flags, protocol};
}

config::InstanceSettings settings_with(std::vector<const char*> vips,
                                       const char* interface = "eth0") {
    config::InstanceSettings settings;
    settings.interface = interface;
    for (const auto* vip : vips) settings.vips.push_back(*net::parse_ip_prefix(vip));
    return settings;
}

const std::vector<net::Link> kLinks = {{1, "lo", {}, true, true, false},
                                       {2, "eth0", {0x02, 0, 0, 0, 0, 0x01}, true, true, true},
                                       {3, "eth1", {0x02, 0, 0, 0, 0, 0x02}, true, true, true}};
const std::vector<net::InterfaceAddress> kAddresses = {
    address_on(1, "127.0.0.1/8"),
    address_on(2, "10.99.0.1/24"),
    address_on(2, "10.99.0.50/24", IFA_F_SECONDARY),
    address_on(2, "fe80::1/64"),
    address_on(2, "fd00:99::1/64"),
    address_on(3, "192.168.5.1/24")};

std::string refusal(const std::variant<ChannelPlan, std::string>& result) {
    const auto* message = std::get_if<std::string>(&result);
    return message ? *message : std::string{};
}

}  // namespace

TEST_CASE("float plan: an IPv4 VIP in the interface subnet runs from the primary address",
          "[float]") {
    auto result =
        plan_channels(settings_with({"10.99.0.100/24"}), kLinks, kAddresses, false, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& plan = std::get<ChannelPlan>(result);
    REQUIRE(plan.channels.size() == 1);
    CHECK(plan.channels[0].link.name == "eth0");
    CHECK(plan.channels[0].primary_address.to_string() == "10.99.0.1");
    CHECK(plan.stale_vips.empty());
}

TEST_CASE("float plan: a VIP whose prefix does not match the interface's subnets is refused",
          "[float]") {
    CHECK(refusal(plan_channels(settings_with({"10.98.0.100/24"}), kLinks, kAddresses, false,
                                kMarked)) ==
          "VIP 10.98.0.100/24 is not in a subnet of interface 'eth0' (it has 10.99.0.1/24, "
          "10.99.0.50/24, fd00:99::1/64); use a VIP inside one of those subnets with the same "
          "prefix length, or give it without a prefix (/32)");
    // Same network, different length: the kernel would file it under another subnet.
    CHECK_FALSE(refusal(plan_channels(settings_with({"10.99.0.100/16"}), kLinks, kAddresses, false,
                                      kMarked))
                    .empty());
}

TEST_CASE("float plan: a VIP without prefix is a host address, accepted outside the subnets",
          "[float]") {
    auto result = plan_channels(settings_with({"10.98.0.100"}), kLinks, kAddresses, false, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    CHECK(std::get<ChannelPlan>(result).channels[0].vips[0].prefix_length == 32);
}

TEST_CASE("float plan: a VIP a float left on the interface is stale and removed first", "[float]") {
    auto addresses = kAddresses;
    addresses.push_back(address_on(2, "10.99.0.100/24", IFA_F_SECONDARY, net::kVipAddressProtocol));
    auto result =
        plan_channels(settings_with({"10.99.0.100/24"}), kLinks, addresses, false, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& plan = std::get<ChannelPlan>(result);
    REQUIRE(plan.stale_vips.size() == 1);
    CHECK(plan.stale_vips[0].prefix.to_string() == "10.99.0.100/24");
    // A stale VIP never becomes the source address, whatever order the kernel lists it in.
    CHECK(plan.channels[0].primary_address.to_string() == "10.99.0.1");
}

TEST_CASE("float plan: VIPs whose advert would not fit the link's MTU are refused", "[float]") {
    auto links = kLinks;
    links[1].mtu = 1500;
    config::InstanceSettings settings = settings_with({});
    // IPv6: 40 + 8 + 16 x 90 = 1488 bytes fit 1500; 91 (1504 bytes) do not.
    for (int i = 1; i <= 90; ++i) {
        settings.vips.push_back(*net::parse_ip_prefix("fd00:99::" + std::to_string(100 + i)));
    }
    CHECK(std::holds_alternative<ChannelPlan>(
        plan_channels(settings, links, kAddresses, false, kMarked)));
    settings.vips.push_back(*net::parse_ip_prefix("fd00:99::1:1"));
    CHECK(refusal(plan_channels(settings, links, kAddresses, false, kMarked)) ==
          "an advert naming 91 VIPs is 1504 bytes, more than the MTU of interface 'eth0' (1500); "
          "give fewer VIPs to this instance (split them over stacks with different --vrid)");
    // Beside an IPv4 VIP they are not advertised: the advert names one address.
    settings.vips.push_back(*net::parse_ip_prefix("10.99.0.100/24"));
    CHECK(std::holds_alternative<ChannelPlan>(
        plan_channels(settings, links, kAddresses, false, kMarked)));
}

TEST_CASE("float plan: a VIP that is an address of the node is refused, never removed", "[float]") {
    // A typo in the VIP list names the node's own primary address, or a secondary one.
    CHECK(
        refusal(plan_channels(settings_with({"10.99.0.1"}), kLinks, kAddresses, false, kMarked)) ==
        "VIP 10.99.0.1 is an address of this node (10.99.0.1/24 on 'eth0', not added by a "
        "float); choose an unused address as the VIP (if an earlier version's float left it "
        "there, remove it: ip address del 10.99.0.1/24 dev eth0)");
    CHECK(
        refusal(plan_channels(settings_with({"10.99.0.50/24"}), kLinks, kAddresses, false, kMarked))
            .starts_with("VIP 10.99.0.50 is an address of this node"));
    // Another interface's address, even one a float marked, is not this float's to take.
    auto addresses = kAddresses;
    addresses.push_back(address_on(3, "192.168.5.9/24", 0, net::kVipAddressProtocol));
    CHECK(refusal(plan_channels(settings_with({"10.99.0.100/24", "192.168.5.9"}), kLinks, addresses,
                                false, kMarked))
              .starts_with("VIP 192.168.5.9 is an address of this node (192.168.5.9/24 on "
                           "'eth1', a VIP of a float on another interface)"));
    // A kernel that drops the mark (before 5.18) cannot tell: the old rule, a VIP on the
    // interface is a predecessor's.
    auto result = plan_channels(settings_with({"10.99.0.50/24"}), kLinks, kAddresses, false,
                                VipMarks::not_kept);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    CHECK(std::get<ChannelPlan>(result).stale_vips.size() == 1);
}

TEST_CASE(
    "float plan: a dual-stack VIP pair is one IPv4 election that carries the IPv6 VIPs "
    "unadvertised, so both move together",
    "[float]") {
    auto settings = settings_with({"10.99.0.100/24", "fd00:99::100/64"});
    settings.unicast_peers = {*net::parse_ip_address("10.99.0.2"),
                              *net::parse_ip_address("fd00:99::2")};
    settings.instance_name = "VI_9";
    auto result = plan_channels(settings, kLinks, kAddresses, false, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& channels = std::get<ChannelPlan>(result).channels;
    REQUIRE(channels.size() == 1);
    CHECK(channels[0].primary_address.to_string() == "10.99.0.1");
    CHECK(channels[0].vips.size() == 2);
    REQUIRE(channels[0].fixed_peers);
    CHECK(*channels[0].fixed_peers ==
          std::vector<net::IpAddress>{*net::parse_ip_address("10.99.0.2")});
    CHECK(channels[0].settings.instance_name == "VI_9");
    const auto engine = roles::float_role::engine_config(channels[0]);
    CHECK(engine.virtual_addresses ==
          std::vector<net::IpAddress>{*net::parse_ip_address("10.99.0.100")});
    CHECK(engine.unadvertised_addresses ==
          std::vector<net::IpAddress>{*net::parse_ip_address("fd00:99::100")});
    CHECK(engine.unicast);
}

TEST_CASE("float plan: IPv6-only VIPs run from the link-local address", "[float]") {
    auto result =
        plan_channels(settings_with({"fd00:99::100/64"}), kLinks, kAddresses, true, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& plan = std::get<ChannelPlan>(result);
    REQUIRE(plan.channels.size() == 1);
    CHECK(plan.channels[0].primary_address.to_string() == "fe80::1");
    // The anchor's managers are IPv4 addresses: they cannot be this election's peers.
    CHECK_FALSE(plan.channels[0].peers_from_swarm);
    CHECK_FALSE(plan.channels[0].unicast);
    REQUIRE(plan.warnings.size() == 1);
    CHECK(plan.warnings[0].find("IPv6 link-local addresses with --unicast-peer") !=
          std::string::npos);
}

TEST_CASE(
    "float plan: with an anchor in auto mode the instance waits for the managers, sends to "
    "them and hears only them",
    "[float]") {
    auto result =
        plan_channels(settings_with({"10.99.0.100/24"}), kLinks, kAddresses, true, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& plan = std::get<ChannelPlan>(result);
    const auto& setup = plan.channels.at(0);
    CHECK(setup.peers_from_swarm);
    CHECK(setup.unicast);
    CHECK(setup.await_peers);
    CHECK_FALSE(setup.fixed_peers);
    CHECK(plan.warnings.empty());
    const auto engine = roles::float_role::engine_config(setup);
    CHECK(engine.await_peers);
    CHECK(engine.accept_from == vrrp::AcceptFrom::peers);

    auto multicast = settings_with({"10.99.0.100/24"});
    multicast.peers = config::PeersMode::multicast;
    result = plan_channels(multicast, kLinks, kAddresses, true, kMarked);
    const auto& heard_only = std::get<ChannelPlan>(result).channels.at(0);
    CHECK(heard_only.peers_from_swarm);  // the managers still filter who is heard
    CHECK_FALSE(heard_only.unicast);
    CHECK_FALSE(heard_only.await_peers);
}

TEST_CASE("float plan: standalone multicast without peers warns that any router takes part",
          "[float]") {
    auto result =
        plan_channels(settings_with({"10.99.0.100/24"}), kLinks, kAddresses, false, kMarked);
    const auto& plan = std::get<ChannelPlan>(result);
    CHECK_FALSE(plan.channels.at(0).peers_from_swarm);
    REQUIRE(plan.warnings.size() == 1);
    CHECK(plan.warnings[0].rfind("no peer set is known", 0) == 0);

    auto any = settings_with({"10.99.0.100/24"});
    any.accept_from = vrrp::AcceptFrom::any;  // chosen knowingly: nothing to warn about
    CHECK(std::get<ChannelPlan>(plan_channels(any, kLinks, kAddresses, false, kMarked))
              .warnings.empty());
}

TEST_CASE("float plan: the node address picks the interface and the source", "[float]") {
    auto settings = settings_with({"192.168.5.100/24"}, "");
    settings.node_address = *net::parse_ip_address("192.168.5.1");
    auto result = plan_channels(settings, kLinks, kAddresses, false, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    CHECK(std::get<ChannelPlan>(result).channels[0].link.name == "eth1");

    settings.node_address = *net::parse_ip_address("10.99.0.50");  // a secondary of eth0
    settings.vips = {*net::parse_ip_prefix("10.99.0.100/24")};
    result = plan_channels(settings, kLinks, kAddresses, false, kMarked);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    CHECK(std::get<ChannelPlan>(result).channels[0].primary_address.to_string() == "10.99.0.50");
}

TEST_CASE("float plan: refusals say what is wrong and what to do", "[float]") {
    CHECK(refusal(plan_channels(settings_with({"10.99.0.100/24"}, "eth9"), kLinks, kAddresses,
                                false, kMarked)) ==
          "interface 'eth9' not found (--interface); interfaces here: lo, eth0, eth1");
    auto settings = settings_with({"10.99.0.100/24"});
    settings.node_address = *net::parse_ip_address("192.168.5.1");
    CHECK(refusal(plan_channels(settings, kLinks, kAddresses, false, kMarked)) ==
          "the node address 192.168.5.1 (--node-address) is not on interface 'eth0' "
          "(--interface); set one of the two, or make them agree");
    settings.node_address = *net::parse_ip_address("172.16.0.1");
    CHECK(refusal(plan_channels(settings, kLinks, kAddresses, false, kMarked))
              .rfind("no interface holds the node address 172.16.0.1", 0) == 0);
    const std::vector<net::InterfaceAddress> no_ipv6 = {address_on(2, "10.99.0.1/24")};
    CHECK(
        refusal(plan_channels(settings_with({"fd00:99::100"}), kLinks, no_ipv6, false, kMarked)) ==
        "interface 'eth0' has no IPv6 link-local address, which VRRPv3 over IPv6 sends from; "
        "enable IPv6 on it");
    const std::vector<net::InterfaceAddress> no_ipv4 = {address_on(2, "fe80::1/64")};
    CHECK(refusal(plan_channels(settings_with({"10.99.0.100"}), kLinks, no_ipv4, false, kMarked)) ==
          "interface 'eth0' has no IPv4 address to send VRRP from; give it one or set "
          "--node-address");
}

TEST_CASE("float plan: a VIP that is its subnet's network or broadcast address is refused",
          "[float]") {
    CHECK(refusal(plan_channels(settings_with({"10.99.0.255/24"}), kLinks, kAddresses, false,
                                kMarked)) ==
          "VIP 10.99.0.255/24 is the broadcast address of its subnet; choose a host address "
          "inside it");
    CHECK(
        refusal(plan_channels(settings_with({"10.99.0.0/24"}), kLinks, kAddresses, false, kMarked))
            .find("network address") != std::string::npos);
}
