#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "keepalived_swarm/config/float_config.hpp"

using namespace ks::config;
using namespace std::chrono_literals;

namespace {

EnvironmentLookup fake_environment(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

Parsed<FloatConfig> parse_float(std::vector<std::string> args,
                                std::map<std::string, std::string> env = {}) {
    auto command_line =
        parse_command_line(float_role_description().specs, args, fake_environment(env));
    return parse_float_config(command_line);
}

bool mentions(const std::vector<Problem>& problems, const std::string& text) {
    for (const auto& problem : problems) {
        if (problem.message().find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("durations accept milliseconds, seconds and bare seconds", "[config]") {
    CHECK(parse_duration("100ms") == 100ms);
    CHECK(parse_duration("0.1") == 100ms);
    CHECK(parse_duration("1s") == 1s);
    CHECK(parse_duration("1.5s") == 1500ms);
    CHECK(parse_duration("250us") == 250us);
    CHECK(parse_duration("2m") == 120s);
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("ms"));
    CHECK_FALSE(parse_duration("1.s"));
    CHECK_FALSE(parse_duration("-1s"));
    CHECK_FALSE(parse_duration("1x"));
    CHECK_FALSE(parse_duration("0.0000001"));
    CHECK(format_duration(100ms) == "100ms");
    CHECK(format_duration(2s) == "2s");
    CHECK(format_duration(1500us) == "1500us");
    CHECK(parse_duration(format_duration(0us)) == 0us);
}

TEST_CASE("defaults follow the original project", "[config]") {
    auto parsed = parse_float({"--interface", "eth0", "--vip", "10.0.0.100/24"});
    REQUIRE(parsed.problems.empty());
    CHECK(parsed.config.instance.vrid == 77);
    CHECK(parsed.config.instance.priority == 100);
    CHECK(parsed.config.instance.advert_interval == 1s);
    CHECK(parsed.config.instance.version == ks::vrrp::Version::v3);
    CHECK_FALSE(parsed.config.instance.preempt);
    CHECK(parsed.config.instance.instance_name == "VI_77");
    CHECK(parsed.config.status_socket == "/run/keepalived-swarm/float.sock");
    CHECK(parsed.config.tether_path.empty());
}

TEST_CASE("environment variables set options and flags win over them", "[config]") {
    auto parsed = parse_float({"--priority", "150"},
                              {{"KEEPALIVED_INTERFACE", "eth1"},
                               {"KEEPALIVED_VIRTUAL_IPS", "10.0.0.100/24, 10.0.0.101 fd00::5"},
                               {"KEEPALIVED_PRIORITY", "90"},
                               {"KEEPALIVED_ROUTER_ID", "51"}});
    REQUIRE(parsed.problems.empty());
    CHECK(parsed.config.instance.interface == "eth1");
    CHECK(parsed.config.instance.priority == 150);
    CHECK(parsed.config.instance.vrid == 51);
    REQUIRE(parsed.config.instance.vips.size() == 3);
    CHECK(parsed.config.instance.vips[0].prefix_length == 24);
    CHECK(parsed.config.instance.vips[1].prefix_length == 32);
    CHECK(parsed.config.instance.vips[2].prefix_length == 128);
}

TEST_CASE("validate reports every problem at once, naming option, value and what is allowed",
          "[config]") {
    auto parsed =
        parse_float({"--vrid", "300", "--priority", "0", "--advert-interval", "15ms", "--vip",
                     "10.0.0.300", "--vrrp-version", "4", "--status-socket", "relative.sock"});
    CHECK(mentions(parsed.problems, "--interface (KEEPALIVED_INTERFACE) is required"));
    CHECK(mentions(parsed.problems,
                   "invalid --vrid (KEEPALIVED_ROUTER_ID) '300': expected an "
                   "integer from 1 to 255"));
    CHECK(mentions(parsed.problems, "--priority (KEEPALIVED_PRIORITY) '0'"));
    CHECK(mentions(parsed.problems, "'15ms': expected a multiple of 10ms"));
    CHECK(mentions(parsed.problems, "'10.0.0.300'"));
    CHECK(mentions(parsed.problems,
                   "--vrrp-version (KEEPALIVED_VRRP_VERSION) '4': expected one "
                   "of 2 or 3"));
    CHECK(mentions(parsed.problems, "'relative.sock': expected an absolute path"));
    CHECK(parsed.problems.size() == 7);
}

TEST_CASE("an empty environment variable counts as unset", "[config]") {
    auto parsed = parse_float({"--vip", "10.0.0.100/24"}, {{"KEEPALIVED_INTERFACE", "eth0"},
                                                           {"KEEPALIVED_PRIORITY", ""},
                                                           {"KEEPALIVED_UNICAST_PEERS", " "}});
    REQUIRE(parsed.problems.empty());
    CHECK(parsed.config.instance.priority == 100);
    CHECK(parsed.config.instance.unicast_peers.empty());
    auto missing = parse_float({"--vip", "10.0.0.100/24"}, {{"KEEPALIVED_INTERFACE", ""}});
    CHECK(mentions(missing.problems, "--interface (KEEPALIVED_INTERFACE) is required"));
}

TEST_CASE("VRRPv2 takes whole seconds and IPv4 only", "[config]") {
    auto parsed = parse_float({"--interface", "eth0", "--vrrp-version", "2", "--advert-interval",
                               "100ms", "--vip", "fd00::1"});
    CHECK(mentions(parsed.problems, "whole seconds from 1s to 255s with --vrrp-version 2"));
    CHECK(mentions(parsed.problems, "IPv4 addresses with --vrrp-version 2"));
}

TEST_CASE("a VIP listed twice or a peer equal to a VIP is refused", "[config]") {
    auto parsed = parse_float(
        {"--interface", "eth0", "--vip", "10.0.0.1,10.0.0.1/24", "--unicast-peer", "10.0.0.1"});
    CHECK(mentions(parsed.problems, "each address once"));
    CHECK(mentions(parsed.problems, "not one of the VIPs"));
}

TEST_CASE("a node address can stand in for the interface", "[config]") {
    auto parsed = parse_float({"--node-address", "10.0.0.1", "--vip", "10.0.0.100/24"});
    CHECK(parsed.problems.empty());
    auto bad = parse_float({"--node-address", "10.0.0.100", "--vip", "10.0.0.100/24"});
    CHECK(mentions(bad.problems, "the node's own address, not one of the VIPs"));
}

TEST_CASE("unknown flags are usage errors", "[config]") {
    CHECK_THROWS_AS(parse_float({"--no-such-flag"}), UsageError);
    CHECK_THROWS_AS(parse_float({"--vrid"}), UsageError);
}

TEST_CASE("instance settings survive the anchor's environment round trip", "[config]") {
    auto original = parse_float({"--interface", "eth0", "--vip", "10.0.0.100/24,fd00::7/64",
                                 "--vrid", "51", "--priority", "150", "--advert-interval", "100ms",
                                 "--unicast-peer", "10.0.0.2", "--preempt", "--preempt-delay", "2s",
                                 "--notify", "/bin/notify x", "--node-address", "10.0.0.1"});
    REQUIRE(original.problems.empty());
    std::map<std::string, std::string> env;
    for (const auto& entry : instance_environment(original.config.instance)) {
        const auto equals = entry.find('=');
        env[entry.substr(0, equals)] = entry.substr(equals + 1);
    }
    auto copy = parse_float({}, env);
    REQUIRE(copy.problems.empty());
    const auto& a = original.config.instance;
    const auto& b = copy.config.instance;
    CHECK(a.interface == b.interface);
    CHECK(a.node_address == b.node_address);
    CHECK(b.node_address.has_value());
    CHECK(a.vips == b.vips);
    CHECK(a.vrid == b.vrid);
    CHECK(a.priority == b.priority);
    CHECK(a.advert_interval == b.advert_interval);
    CHECK(a.unicast_peers == b.unicast_peers);
    CHECK(a.preempt == b.preempt);
    CHECK(b.preempt);
    CHECK(a.preempt_delay == b.preempt_delay);
    CHECK(a.notify_command == b.notify_command);
}

TEST_CASE("env files hold KEY=VALUE lines", "[config]") {
    const std::string path = "/tmp/ks-config-test.env";
    {
        std::ofstream out(path);
        out << "# comment\n\nKEEPALIVED_PRIORITY=120\nexport KEEPALIVED_ROUTER_ID=\"9\"\n";
    }
    auto values = read_env_file(path);
    REQUIRE(values.has_value());
    CHECK(values->at("KEEPALIVED_PRIORITY") == "120");
    CHECK(values->at("KEEPALIVED_ROUTER_ID") == "9");
    {
        std::ofstream out(path);
        out << "not a pair\n";
    }
    const auto failed = read_env_file(path);
    REQUIRE(failed.has_error());
    CHECK(failed.error().find(":1: expected KEY=VALUE") != std::string::npos);
    std::remove(path.c_str());
}

TEST_CASE("config file keys no option reads are warned about, with the nearest known key",
          "[config]") {
    const auto specs = ks::config::float_role_description().specs;
    const auto warnings = ks::config::unknown_key_warnings(
        specs, {{"KEEPALIVED_PRIORITYY", "10"}, {"KEEPALIVED_PRIORITY", "20"}, {"COLOUR", "blue"}});
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0] ==
          "unknown key COLOUR, ignored; the keys are the environment variables that "
          "--help lists");
    CHECK(warnings[1] ==
          "unknown key KEEPALIVED_PRIORITYY, ignored; did you mean KEEPALIVED_PRIORITY?");
}

TEST_CASE("VIPs and peers that cannot work are refused with the option named", "[config]") {
    const auto problems_of = [](std::vector<std::string> args) {
        args.insert(args.begin(), {"--interface", "eth0"});
        auto command_line = ks::config::parse_command_line(
            ks::config::float_role_description().specs, args,
            [](const std::string&) { return std::optional<std::string>(); });
        return ks::config::parse_float_config(command_line).problems;
    };
    for (const char* vip : {"255.255.255.255", "::ffff:10.0.0.1", "fe80::100"}) {
        INFO(vip);
        const auto problems = problems_of({"--vip", vip});
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].option.rfind("--vip", 0) == 0);
    }
    const auto peers = problems_of({"--vip", "10.0.0.100/24", "--node-address", "10.0.0.1",
                                    "--unicast-peer", "10.0.0.1,224.0.0.18,127.0.0.1,0.0.0.0",
                                    "--unicast-peer", "10.0.0.2,10.0.0.2"});
    CHECK(peers.size() == 5);
    for (const auto& problem : peers) CHECK(problem.option.rfind("--unicast-peer", 0) == 0);
    CHECK(problems_of({"--vip", "10.0.0.100", "--instance-name", std::string(100, 'x')}).size() ==
          1);
    CHECK(problems_of({"--vip", "10.0.0.100", "--instance-name", "web tier"}).size() == 1);
}

TEST_CASE("more VIPs than an advert can name are refused; IPv6 ones beside IPv4 do not count",
          "[config]") {
    const auto problems_of = [](const std::vector<std::string>& vips) {
        std::vector<std::string> args = {"--interface", "eth0"};
        for (const auto& vip : vips) args.insert(args.end(), {"--vip", vip});
        auto command_line = ks::config::parse_command_line(
            ks::config::float_role_description().specs, args,
            [](const std::string&) { return std::optional<std::string>(); });
        return ks::config::parse_float_config(command_line).problems;
    };
    const auto v4 = [](int count) {
        std::vector<std::string> vips;
        for (int i = 0; i < count; ++i) {
            vips.push_back("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1));
        }
        return vips;
    };
    CHECK(problems_of(v4(255)).empty());
    const auto too_many = problems_of(v4(300));
    REQUIRE(too_many.size() == 1);
    CHECK(too_many[0].value == "300 IPv4 VIPs");
    CHECK(too_many[0].allowed.find("at most 255") != std::string::npos);
    // 256 IPv6 VIPs beside one IPv4 VIP ride along unadvertised: one address in the advert.
    auto dual = v4(1);
    for (int i = 1; i <= 256; ++i) dual.push_back("fd00::" + std::to_string(i));
    CHECK(problems_of(dual).empty());
}

TEST_CASE("config text parses the same as a config file, naming its source in errors", "[config]") {
    const auto values = parse_env_file("A=1\r\n  # note\nexport B='two' \nC=\"\n", "inline");
    REQUIRE(values.has_value());
    CHECK(values->at("A") == "1");
    CHECK(values->at("B") == "two");
    CHECK(values->at("C") == "\"");
    const auto failed = parse_env_file("A=1\nB\n", "inline");
    REQUIRE(failed.has_error());
    CHECK(failed.error() ==
          "inline:2: expected KEY=VALUE (the keys are the environment variable names)");
}
