// Direct mode: a float that watches the swarm itself takes --docker-host instead of --tether,
// needs no interface (the swarm names the node's address), and takes the partition policy.
#include <catch2/catch.hpp>

#include "keepalived_swarm/config/float_config.hpp"
#include "roles/float/swarm_direct.hpp"

using namespace ks;
using namespace ks::config;

namespace {

Parsed<FloatConfig> parse_float(std::vector<std::string> args,
                                std::map<std::string, std::string> env = {}) {
    auto lookup = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
    return parse_float_config(parse_command_line(float_role_description().specs, args, lookup));
}

bool mentions(const std::vector<Problem>& problems, const std::string& text) {
    for (const auto& problem : problems) {
        if (problem.message().find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("direct mode: the Docker socket instead of an interface and a tether",
          "[float][direct]") {
    auto parsed = parse_float({"--vip", "10.0.0.100/24"},
                              {{"KEEPALIVED_DOCKER_HOST", "unix:///var/run/docker.sock"},
                               {"KEEPALIVED_PARTITION_POLICY", "release"}});
    REQUIRE(parsed.problems.empty());
    REQUIRE(parsed.config.docker_host);
    CHECK(parsed.config.docker_host->to_string() == "unix:///var/run/docker.sock");
    CHECK(parsed.config.partition_policy == swarm::PartitionPolicy::release);
    CHECK(parsed.config.instance.interface.empty());

    // Without it the float is standalone or tethered, and needs its interface as before.
    auto standalone = parse_float({"--vip", "10.0.0.100/24"});
    CHECK_FALSE(standalone.config.docker_host);
    CHECK(standalone.config.partition_policy == swarm::PartitionPolicy::hold);
    CHECK(mentions(standalone.problems, "interface"));
}

TEST_CASE("direct mode refuses a tether beside it and an address that is no engine",
          "[float][direct]") {
    auto both = parse_float({"--vip", "10.0.0.100/24", "--docker-host",
                             "unix:///var/run/docker.sock", "--tether", "/run/x/anchor.sock"});
    CHECK(mentions(both.problems, "unset when --tether is set"));
    auto http = parse_float({"--vip", "10.0.0.100/24", "--docker-host", "http://10.0.0.1:2375"});
    CHECK(mentions(http.problems, "--docker-host"));
    CHECK(mentions(http.problems, "tcp://HOST:PORT"));
    auto policy = parse_float({"--vip", "10.0.0.100/24", "--docker-host",
                               "unix:///var/run/docker.sock", "--partition-policy", "fence"});
    CHECK(mentions(policy.problems, "one of hold or release"));
}

TEST_CASE("the swarm's node address finds the interface unless the user named one",
          "[float][direct]") {
    roles::float_role::SwarmNode node;
    node.id = "abc";
    node.name = "manager-1";
    node.address = net::parse_ip_address("10.0.0.1");

    FloatConfig found;
    roles::float_role::apply_swarm_node(found, node);
    REQUIRE(found.instance.node_address);
    CHECK(found.instance.node_address->to_string() == "10.0.0.1");
    CHECK(found.node_hostname == "manager-1");

    FloatConfig named;
    named.instance.interface = "eth1";
    named.node_hostname = "edge";
    roles::float_role::apply_swarm_node(named, node);
    CHECK_FALSE(named.instance.node_address);
    CHECK(named.node_hostname == "edge");

    FloatConfig addressed;
    addressed.instance.node_address = net::parse_ip_address("10.0.1.1");
    roles::float_role::apply_swarm_node(addressed, node);
    CHECK(addressed.instance.node_address->to_string() == "10.0.1.1");
}
