// --spread in the float's configuration and plan: its defaults, what it refuses, and the
// instances it makes.

#include <catch2/catch.hpp>

#include "keepalived_swarm/config/float_config.hpp"
#include "roles/float/channel_plan.hpp"

using namespace ks;
using namespace std::chrono_literals;

namespace {

config::Parsed<config::FloatConfig> parse_float(std::vector<std::string> args) {
    args.insert(args.begin(), {"--interface", "eth0"});
    auto command_line = config::parse_command_line(
        config::float_role_description().specs, args,
        [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
    return config::parse_float_config(command_line);
}

std::string problems_of(const config::Parsed<config::FloatConfig>& parsed) {
    std::string text;
    for (const auto& problem : parsed.problems) text += problem.message() + "\n";
    return text;
}

const std::vector<net::Link> kLinks = {{2, "eth0", {0x02, 0, 0, 0, 0, 0x01}, true, true, true}};
const std::vector<net::InterfaceAddress> kAddresses = {
    {2, *net::parse_ip_prefix("10.99.0.1/24"), 0, 0}};

}  // namespace

TEST_CASE("spread turns preemption on with a 30 s delay unless told otherwise", "[config]") {
    const auto spread = parse_float({"--vip", "10.99.0.100/24", "--spread"});
    REQUIRE(spread.problems.empty());
    CHECK(spread.config.instance.spread);
    CHECK(spread.config.instance.preempt);
    CHECK(spread.config.instance.preempt_delay == 30s);

    const auto delayed =
        parse_float({"--vip", "10.99.0.100/24", "--spread", "--preempt-delay", "5s"});
    REQUIRE(delayed.problems.empty());
    CHECK(delayed.config.instance.preempt_delay == 5s);

    const auto plain = parse_float({"--vip", "10.99.0.100/24"});
    REQUIRE(plain.problems.empty());
    CHECK_FALSE(plain.config.instance.preempt);
    CHECK(plain.config.instance.preempt_delay == 0s);
}

TEST_CASE("spread refuses what cannot home the VIPs", "[config]") {
    const auto no_preempt =
        parse_float({"--vip", "10.99.0.100/24", "--spread", "--preempt", "false"});
    CHECK_FALSE(no_preempt.problems.empty());
    CHECK_THAT(problems_of(no_preempt), Catch::Contains("only by preemption"));

    const auto past_255 = parse_float(
        {"--vip", "10.99.0.100/24", "--vip", "10.99.0.101/24", "--vrid", "255", "--spread"});
    CHECK_FALSE(past_255.problems.empty());
    CHECK_THAT(problems_of(past_255), Catch::Contains("at most 254"));
    CHECK(parse_float(
              {"--vip", "10.99.0.100/24", "--vip", "10.99.0.101/24", "--vrid", "254", "--spread"})
              .problems.empty());

    const auto owner = parse_float({"--vip", "10.99.0.100/24", "--spread", "--priority", "255"});
    CHECK_FALSE(owner.problems.empty());
    CHECK_THAT(problems_of(owner), Catch::Contains("1-254 with --spread"));

    const auto mixed = parse_float({"--vip", "10.99.0.100/24", "--vip", "fd00::100", "--spread"});
    CHECK_FALSE(mixed.problems.empty());
    CHECK_THAT(problems_of(mixed), Catch::Contains("one family with --spread"));
}

TEST_CASE("spread makes one instance per VIP with the next VRID and its own name", "[config]") {
    config::InstanceSettings settings;
    settings.vips = {*net::parse_ip_prefix("10.99.0.100/24"),
                     *net::parse_ip_prefix("10.99.0.101/24")};
    settings.vrid = 60;
    settings.instance_name = "VI_60";
    CHECK(config::instances_of(settings) == std::vector<config::InstanceSettings>{settings});

    settings.spread = true;
    auto instances = config::instances_of(settings);
    REQUIRE(instances.size() == 2);
    CHECK(instances[0].vrid == 60);
    CHECK(instances[1].vrid == 61);
    CHECK(instances[0].instance_name == "VI_60");
    CHECK(instances[1].instance_name == "VI_61");
    CHECK(instances[1].vips == std::vector<net::IpPrefix>{settings.vips[1]});

    settings.instance_name = "web";
    instances = config::instances_of(settings);
    CHECK(instances[0].instance_name == "web_60");
    CHECK(instances[1].instance_name == "web_61");
}

TEST_CASE("spread plans one channel per VIP, and needs the peer set", "[float]") {
    config::InstanceSettings settings;
    settings.interface = "eth0";
    settings.vips = {*net::parse_ip_prefix("10.99.0.100/24"),
                     *net::parse_ip_prefix("10.99.0.101/24"),
                     *net::parse_ip_prefix("10.99.0.102/24")};
    settings.spread = true;
    settings.peers = config::PeersMode::multicast;
    const auto alone = roles::float_role::plan_channels(settings, kLinks, kAddresses, false,
                                                        roles::float_role::VipMarks::kept);
    REQUIRE(std::holds_alternative<std::string>(alone));
    CHECK_THAT(std::get<std::string>(alone), Catch::Contains("--spread needs every node"));

    // The swarm's managers (multicast adverts): spread waits for their list.
    const auto swarm = roles::float_role::plan_channels(settings, kLinks, kAddresses, true,
                                                        roles::float_role::VipMarks::kept);
    REQUIRE(std::holds_alternative<roles::float_role::ChannelPlan>(swarm));
    const auto& channels = std::get<roles::float_role::ChannelPlan>(swarm).channels;
    REQUIRE(channels.size() == 3);
    for (std::size_t index = 0; index < channels.size(); ++index) {
        CHECK(channels[index].spread_index == index);
        CHECK(channels[index].spread_count == 3);
        CHECK(channels[index].await_peers);
        CHECK(channels[index].vips == std::vector<net::IpPrefix>{settings.vips[index]});
        CHECK(roles::float_role::engine_config(channels[index]).spread_index == index);
    }

    settings.unicast_peers = {*net::parse_ip_address("10.99.0.2")};
    settings.peers = config::PeersMode::fixed;
    const auto fixed = roles::float_role::plan_channels(settings, kLinks, kAddresses, false,
                                                        roles::float_role::VipMarks::kept);
    REQUIRE(std::holds_alternative<roles::float_role::ChannelPlan>(fixed));
    CHECK(std::get<roles::float_role::ChannelPlan>(fixed).channels.size() == 3);
}
