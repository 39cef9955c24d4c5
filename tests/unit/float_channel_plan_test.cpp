#include <linux/if_addr.h>

#include <catch2/catch.hpp>

#include "roles/float/channel_plan.hpp"

using namespace ks;
using roles::float_role::ChannelPlan;
using roles::float_role::plan_channels;

namespace {

net::InterfaceAddress address_on(int index, const char* prefix, std::uint32_t flags = 0) {
    return net::InterfaceAddress{index, *net::parse_ip_prefix(prefix), flags};
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
    auto result = plan_channels(settings_with({"10.99.0.100/24"}), kLinks, kAddresses);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& plan = std::get<ChannelPlan>(result);
    REQUIRE(plan.channels.size() == 1);
    CHECK(plan.channels[0].link.name == "eth0");
    CHECK(plan.channels[0].primary_address.to_string() == "10.99.0.1");
    CHECK(plan.stale_vips.empty());
}

TEST_CASE("float plan: a VIP whose prefix does not match the interface's subnets is refused",
          "[float]") {
    CHECK(refusal(plan_channels(settings_with({"10.98.0.100/24"}), kLinks, kAddresses)) ==
          "VIP 10.98.0.100/24 is not in a subnet of interface 'eth0' (it has 10.99.0.1/24, "
          "10.99.0.50/24, fd00:99::1/64); use a VIP inside one of those subnets with the same "
          "prefix length, or give it without a prefix (/32)");
    // Same network, different length: the kernel would file it under another subnet.
    CHECK_FALSE(
        refusal(plan_channels(settings_with({"10.99.0.100/16"}), kLinks, kAddresses)).empty());
}

TEST_CASE("float plan: a VIP without prefix is a host address, accepted outside the subnets",
          "[float]") {
    auto result = plan_channels(settings_with({"10.98.0.100"}), kLinks, kAddresses);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    CHECK(std::get<ChannelPlan>(result).channels[0].vips[0].prefix_length == 32);
}

TEST_CASE("float plan: a VIP already on the interface is stale and removed first", "[float]") {
    auto addresses = kAddresses;
    addresses.push_back(address_on(2, "10.99.0.100/24", IFA_F_SECONDARY));
    auto result = plan_channels(settings_with({"10.99.0.100/24"}), kLinks, addresses);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& plan = std::get<ChannelPlan>(result);
    REQUIRE(plan.stale_vips.size() == 1);
    CHECK(plan.stale_vips[0].prefix.to_string() == "10.99.0.100/24");
    // A stale VIP never becomes the source address, whatever order the kernel lists it in.
    CHECK(plan.channels[0].primary_address.to_string() == "10.99.0.1");
}

TEST_CASE("float plan: IPv6 VIPs run from the link-local address, one instance per family",
          "[float]") {
    auto settings = settings_with({"10.99.0.100/24", "fd00:99::100/64"});
    settings.unicast_peers = {*net::parse_ip_address("10.99.0.2"),
                              *net::parse_ip_address("fd00:99::2")};
    settings.instance_name = "VI_9";
    auto result = plan_channels(settings, kLinks, kAddresses);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    const auto& channels = std::get<ChannelPlan>(result).channels;
    REQUIRE(channels.size() == 2);
    CHECK(channels[0].primary_address.to_string() == "10.99.0.1");
    CHECK(channels[0].peers.size() == 1);
    CHECK(channels[0].settings.instance_name == "VI_9");
    CHECK(channels[1].primary_address.to_string() == "fe80::1");
    CHECK(channels[1].peers[0].to_string() == "fd00:99::2");
    CHECK(channels[1].settings.instance_name == "VI_9-ipv6");
}

TEST_CASE("float plan: the node address picks the interface and the source", "[float]") {
    auto settings = settings_with({"192.168.5.100/24"}, "");
    settings.node_address = *net::parse_ip_address("192.168.5.1");
    auto result = plan_channels(settings, kLinks, kAddresses);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    CHECK(std::get<ChannelPlan>(result).channels[0].link.name == "eth1");

    settings.node_address = *net::parse_ip_address("10.99.0.50");  // a secondary of eth0
    settings.vips = {*net::parse_ip_prefix("10.99.0.100/24")};
    result = plan_channels(settings, kLinks, kAddresses);
    REQUIRE(std::holds_alternative<ChannelPlan>(result));
    CHECK(std::get<ChannelPlan>(result).channels[0].primary_address.to_string() == "10.99.0.50");
}

TEST_CASE("float plan: refusals say what is wrong and what to do", "[float]") {
    CHECK(refusal(plan_channels(settings_with({"10.99.0.100/24"}, "eth9"), kLinks, kAddresses)) ==
          "interface 'eth9' not found (--interface); interfaces here: lo, eth0, eth1");
    auto settings = settings_with({"10.99.0.100/24"});
    settings.node_address = *net::parse_ip_address("192.168.5.1");
    CHECK(refusal(plan_channels(settings, kLinks, kAddresses)) ==
          "the node address 192.168.5.1 (--node-address) is not on interface 'eth0' "
          "(--interface); set one of the two, or make them agree");
    settings.node_address = *net::parse_ip_address("172.16.0.1");
    CHECK(refusal(plan_channels(settings, kLinks, kAddresses))
              .rfind("no interface holds the node address 172.16.0.1", 0) == 0);
    const std::vector<net::InterfaceAddress> no_ipv6 = {address_on(2, "10.99.0.1/24")};
    CHECK(refusal(plan_channels(settings_with({"fd00:99::100"}), kLinks, no_ipv6)) ==
          "interface 'eth0' has no IPv6 link-local address, which VRRPv3 over IPv6 sends from; "
          "enable IPv6 on it");
    const std::vector<net::InterfaceAddress> no_ipv4 = {address_on(2, "fe80::1/64")};
    CHECK(refusal(plan_channels(settings_with({"10.99.0.100"}), kLinks, no_ipv4)) ==
          "interface 'eth0' has no IPv4 address to send VRRP from; give it one or set "
          "--node-address");
}
