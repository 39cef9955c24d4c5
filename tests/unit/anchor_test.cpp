#include <catch2/catch.hpp>
#include <filesystem>

#include "keepalived_swarm/config/float_config.hpp"
#include "roles/anchor/anchor_config.hpp"
#include "roles/anchor/decisions.hpp"
#include "roles/anchor/float_spec.hpp"

using namespace ks;
using namespace ks::roles::anchor;
using namespace std::chrono_literals;

namespace {

config::EnvironmentLookup lookup_in(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

config::Parsed<AnchorConfig> parse_anchor(std::vector<std::string> args,
                                          std::map<std::string, std::string> env = {}) {
    auto command_line =
        config::parse_command_line(anchor_role_description().specs, args, lookup_in(env));
    return parse_anchor_config(command_line);
}

AnchorConfig valid_config(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--vip", "10.0.0.100/24"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto parsed = parse_anchor(args);
    REQUIRE(parsed.problems.empty());
    return parsed.config;
}

FloatInputs inputs() {
    return {"sha256:1111", "keepalived-swarm:1", "10.0.0.1", true, "node1", "anchor-container"};
}

bool has(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

ObservedFloat observed(std::string id, std::string name, std::string state, bool owned,
                       std::string hash) {
    return {std::move(id), std::move(name), std::move(state), owned, std::move(hash)};
}

}  // namespace

TEST_CASE("anchor defaults: local socket, keepalived-float, own image, pull missing, peers auto",
          "[anchor][config]") {
    const auto config = valid_config();
    CHECK(config.docker_host.to_string() == "unix:///var/run/docker.sock");
    CHECK(config.float_name == "keepalived-float");
    CHECK(config.float_image.empty());
    CHECK(config.pull == PullPolicy::missing);
    CHECK(config.run_directory == "/run/keepalived-swarm");
    CHECK(config.instance.peers == config::PeersMode::automatic);
    CHECK(config.stop_timeout == 5s);
}

TEST_CASE("anchor options come from the environment of the original project too",
          "[anchor][config]") {
    auto parsed = parse_anchor({}, {{"KEEPALIVED_VIRTUAL_IPS", "10.0.0.100"},
                                    {"KEEPALIVED_IMAGE", "registry:5000/ks:2"},
                                    {"DOCKER_HOST", "tcp://10.0.0.9:2375"},
                                    {"KEEPALIVED_UNICAST_PEERS", "10.0.0.2,10.0.0.3"},
                                    {"KEEPALIVED_CHECK_INTERVAL", "1"},
                                    {"KEEPALIVED_RUN_DIR", "/srv/ks/"}});
    REQUIRE(parsed.problems.empty());
    CHECK(parsed.config.float_image == "registry:5000/ks:2");
    CHECK(parsed.config.docker_host.transport == http::Endpoint::Transport::tcp);
    CHECK(parsed.config.instance.peers == config::PeersMode::fixed);
    CHECK(parsed.config.run_directory == "/srv/ks");
    // The anchor does not need the interface: the float finds it from the node address.
    CHECK(parsed.config.instance.interface.empty());
}

TEST_CASE("anchor configuration problems are all reported at once", "[anchor][config]") {
    auto parsed = parse_anchor({"--docker-host", "http://h", "--float-name", "-x", "--pull",
                                "sometimes", "--run-dir", "relative", "--peers", "auto",
                                "--unicast-peer", "10.0.0.2", "--stop-timeout", "1.5s"});
    std::vector<std::string> options;
    for (const auto& problem : parsed.problems) options.push_back(problem.option);
    CHECK(has(options, "--vip (KEEPALIVED_VIRTUAL_IPS)"));
    CHECK(has(options, "--docker-host (DOCKER_HOST)"));
    CHECK(has(options, "--float-name (KEEPALIVED_FLOAT_NAME)"));
    CHECK(has(options, "--pull (KEEPALIVED_PULL)"));
    CHECK(has(options, "--run-dir (KEEPALIVED_RUN_DIR)"));
    CHECK(has(options, "--peers (KEEPALIVED_PEERS)"));
    CHECK(has(options, "--stop-timeout (KEEPALIVED_STOP_TIMEOUT)"));
    CHECK(parsed.problems.size() == 7);
}

TEST_CASE("the float's environment reads back as the anchor's instance settings",
          "[anchor][spec]") {
    const auto config = valid_config({"--vrid", "51", "--priority", "150"});
    const auto environment = float_environment(config, inputs());
    CHECK(has(environment, "KEEPALIVED_VIRTUAL_IPS=10.0.0.100/24"));
    CHECK(has(environment, "KEEPALIVED_ROUTER_ID=51"));
    CHECK(has(environment, "KEEPALIVED_PRIORITY=150"));
    CHECK(has(environment, "KEEPALIVED_NODE_ADDRESS=10.0.0.1"));
    CHECK(has(environment, "KEEPALIVED_TETHER=/run/keepalived-swarm/anchor.sock"));
    CHECK(has(environment, "KEEPALIVED_STATUS_SOCKET=/run/keepalived-swarm/float.sock"));
    CHECK(has(environment, "DOCKER_NODE_HOSTNAME=node1"));
    CHECK(has(environment, "KEEPALIVED_LOG_LEVEL=info"));

    // The float parses exactly this environment without a problem.
    std::map<std::string, std::string> as_map;
    for (const auto& entry : environment) {
        as_map[entry.substr(0, entry.find('='))] = entry.substr(entry.find('=') + 1);
    }
    auto command_line =
        config::parse_command_line(config::float_role_description().specs, {}, lookup_in(as_map));
    auto float_config = config::parse_float_config(command_line);
    CHECK(float_config.problems.empty());
    CHECK(float_config.config.instance.vrid == 51);
    CHECK(float_config.config.tether_path == "/run/keepalived-swarm/anchor.sock");
}

TEST_CASE(
    "the float learns its peers mode: auto in a swarm (it waits for the managers), multicast "
    "outside one, where none will come",
    "[anchor][spec]") {
    const auto config = valid_config({"--accept-from", "any"});
    auto in_swarm = inputs();
    CHECK(has(float_environment(config, in_swarm), "KEEPALIVED_PEERS=auto"));
    CHECK(has(float_environment(config, in_swarm), "KEEPALIVED_ACCEPT_FROM=any"));
    auto alone = inputs();
    alone.in_swarm = false;
    alone.node_address.clear();
    CHECK(has(float_environment(config, alone), "KEEPALIVED_PEERS=multicast"));
    const auto fixed = valid_config({"--unicast-peer", "10.0.0.2"});
    for (const auto& entry : float_environment(fixed, alone)) {
        CHECK(entry.rfind("KEEPALIVED_PEERS=", 0) != 0);
    }
}

TEST_CASE("a user's interface or node address wins over the swarm address", "[anchor][spec]") {
    for (const auto& flag : {"--interface", "--node-address"}) {
        const auto config =
            valid_config({flag, std::string(flag) == "--interface" ? "bond0" : "10.0.0.7"});
        const auto environment = float_environment(config, inputs());
        CHECK_FALSE(has(environment, "KEEPALIVED_NODE_ADDRESS=10.0.0.1"));
    }
}

TEST_CASE("the float spec has host networking, two capabilities, init and the run folder",
          "[anchor][spec]") {
    const auto spec = make_float_spec(valid_config({"--run-dir", "/srv/ks"}), inputs());
    CHECK(spec.image == "sha256:1111");
    CHECK(spec.cmd == std::vector<std::string>{"float"});
    CHECK(spec.network_mode == "host");
    CHECK(spec.cap_add == std::vector<std::string>{"NET_ADMIN", "NET_RAW"});
    CHECK(spec.cap_drop == std::vector<std::string>{"ALL"});
    CHECK(spec.init);
    CHECK(spec.binds == std::vector<std::string>{"/srv/ks:/run/keepalived-swarm"});
    CHECK(spec.labels.at(kRoleLabel) == kRoleValue);
    CHECK(spec.labels.at(kHashLabel) == config_hash(spec));
    CHECK(spec.labels.at(kAnchorLabel) == "anchor-container");
    docker::HostConfigInfo actual{"host", {"NET_RAW", "NET_ADMIN"}, true, false, spec.binds, "no",
                                  {"ALL"}};
    CHECK(host_config_differences(spec, actual).empty());
    actual.privileged = true;
    actual.network_mode = "bridge";
    actual.cap_drop.clear();  // a float of an anchor that kept Docker's default capabilities
    CHECK(host_config_differences(spec, actual) ==
          std::vector<std::string>{"NetworkMode is 'bridge', wanted 'host'", "CapDrop differs",
                                   "the container is privileged"});
}

TEST_CASE("the config hash changes with what matters and only with that", "[anchor][spec]") {
    const auto base = make_float_spec(valid_config(), inputs());
    const auto hash = base.labels.at(kHashLabel);
    CHECK(hash.size() == 16);

    auto other_anchor = inputs();
    other_anchor.anchor_id = "a-restarted-anchor";
    CHECK(make_float_spec(valid_config(), other_anchor).labels.at(kHashLabel) == hash);
    auto reordered = base;
    std::reverse(reordered.env.begin(), reordered.env.end());
    CHECK(config_hash(reordered) == hash);

    auto new_image = inputs();
    new_image.image_id = "sha256:2222";
    CHECK(make_float_spec(valid_config(), new_image).labels.at(kHashLabel) != hash);
    CHECK(make_float_spec(valid_config({"--priority", "120"}), inputs()).labels.at(kHashLabel) !=
          hash);
    CHECK(make_float_spec(valid_config({"--run-dir", "/srv"}), inputs()).labels.at(kHashLabel) !=
          hash);
    auto privileged_like = base;
    privileged_like.cap_add.push_back("SYS_ADMIN");
    CHECK(config_hash(privileged_like) != hash);
    auto default_capabilities = base;
    default_capabilities.cap_drop.clear();
    CHECK(config_hash(default_capabilities) != hash);
    auto split = base;
    split.env = {"AB", "C"};
    auto joined = base;
    joined.env = {"A", "BC"};
    CHECK(config_hash(split) != config_hash(joined));
}

TEST_CASE("reconcile: nothing there -> create", "[anchor][reconcile]") {
    const auto plan = plan_reconcile({}, "keepalived-float", "h1");
    CHECK(plan.create);
    CHECK_FALSE(plan.adopt);
    CHECK(plan.stop.empty());
    CHECK(plan.remove.empty());
}

TEST_CASE("reconcile: a running float with the same hash is adopted", "[anchor][reconcile]") {
    const auto plan = plan_reconcile({observed("a", "keepalived-float", "running", true, "h1")},
                                     "keepalived-float", "h1");
    CHECK(plan.adopt == "a");
    CHECK(plan.idle());
}

TEST_CASE("reconcile: another hash is stopped gracefully, removed and replaced",
          "[anchor][reconcile]") {
    const auto plan = plan_reconcile({observed("a", "keepalived-float", "running", true, "old")},
                                     "keepalived-float", "h1");
    CHECK_FALSE(plan.adopt);
    CHECK(plan.stop == std::vector<std::string>{"a"});
    CHECK(plan.remove == std::vector<std::string>{"a"});
    CHECK(plan.create);
    CHECK(plan.reason.find("another configuration") != std::string::npos);
}

TEST_CASE("reconcile: a dead float with the right hash is removed and recreated",
          "[anchor][reconcile]") {
    for (const char* state : {"exited", "dead", "created"}) {
        INFO(state);
        const auto plan = plan_reconcile({observed("a", "keepalived-float", state, true, "h1")},
                                         "keepalived-float", "h1");
        CHECK(plan.stop.empty());
        CHECK(plan.remove == std::vector<std::string>{"a"});
        CHECK(plan.create);
    }
    const auto paused = plan_reconcile({observed("a", "keepalived-float", "paused", true, "h1")},
                                       "keepalived-float", "h1");
    CHECK(paused.stop == std::vector<std::string>{"a"});
    CHECK(paused.create);
}

TEST_CASE("reconcile: a container of the float's name not made by us is replaced",
          "[anchor][reconcile]") {
    const auto plan = plan_reconcile({observed("x", "keepalived-float", "running", false, "h1")},
                                     "keepalived-float", "h1");
    CHECK_FALSE(plan.adopt);
    CHECK(plan.stop == std::vector<std::string>{"x"});
    CHECK(plan.create);
    CHECK(plan.reason.find("not made by keepalived-swarm") != std::string::npos);
}

TEST_CASE("reconcile: extra floats go, the right one stays, never two", "[anchor][reconcile]") {
    const auto plan = plan_reconcile({observed("old", "float-before-rename", "running", true, "h1"),
                                      observed("a", "keepalived-float", "running", true, "h1"),
                                      observed("b", "keepalived-float-2", "exited", true, "h0")},
                                     "keepalived-float", "h1");
    CHECK(plan.adopt == "a");
    CHECK(plan.stop == std::vector<std::string>{"old"});
    CHECK(plan.remove == std::vector<std::string>{"old", "b"});
    CHECK_FALSE(plan.create);
}

TEST_CASE("reconcile: while a removal runs, nothing is created", "[anchor][reconcile]") {
    const auto plan = plan_reconcile({observed("a", "keepalived-float", "removing", true, "h1")},
                                     "keepalived-float", "h1");
    CHECK(plan.wait);
    CHECK_FALSE(plan.create);
    CHECK(plan.idle());
}

TEST_CASE("shutdown stops running floats and removes all", "[anchor][reconcile]") {
    const auto plan = plan_shutdown({observed("a", "keepalived-float", "running", true, "h1"),
                                     observed("b", "x", "exited", true, "h0"),
                                     observed("c", "y", "removing", true, "h0")});
    CHECK(plan.stop == std::vector<std::string>{"a"});
    CHECK(plan.remove == std::vector<std::string>{"a", "b"});
    CHECK_FALSE(plan.create);
}

TEST_CASE("a float that ran long is restarted at once, a crashing one with backoff", "[anchor]") {
    util::Backoff crashes(500ms, 30s);
    CHECK(restart_delay(60s, 10s, crashes) == 0ms);
    CHECK(restart_delay(1s, 10s, crashes) == 500ms);
    CHECK(restart_delay(1s, 10s, crashes) == 1000ms);
    CHECK(restart_delay(20s, 10s, crashes) == 0ms);
    CHECK(restart_delay(1s, 10s, crashes) == 500ms);
}

TEST_CASE("an older anchor leaves the float to the newer one on its node", "[anchor]") {
    const std::vector<AnchorContainer> two = {{"aaa", 100}, {"bbb", 105}};
    CHECK(newer_anchor(two, "aaa") == "bbb");
    CHECK_FALSE(newer_anchor(two, "bbb"));
    CHECK_FALSE(newer_anchor({{"aaa", 100}}, "aaa"));
    // Created in the same second: exactly one of them defers.
    const std::vector<AnchorContainer> tie = {{"aaa", 100}, {"bbb", 100}};
    CHECK(newer_anchor(tie, "aaa") == "bbb");
    CHECK_FALSE(newer_anchor(tie, "bbb"));
    // Not in the list (it could not be found): nothing to compare with, so no deferring.
    CHECK_FALSE(newer_anchor(two, "ccc"));
}

TEST_CASE("the anchor finds its own container id in mountinfo", "[anchor]") {
    const std::string id(64, 'a');
    const std::string mountinfo =
        "600 500 0:60 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X\n"
        "612 600 254:1 /var/lib/docker/containers/" +
        id + "/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda rw\n";
    CHECK(container_id_from_mountinfo(mountinfo) == id);
    CHECK_FALSE(container_id_from_mountinfo("27 1 254:1 / / rw - ext4 /dev/vda rw\n"));
    CHECK_FALSE(container_id_from_mountinfo("/containers/abc/hosts /etc/hosts"));
    CHECK_FALSE(container_id_from_mountinfo("/containers/" + std::string(64, 'g') + "/hosts"));
}

TEST_CASE("an outdated float holding the VIP is kept while the rolling update goes on",
          "[anchor]") {
    CHECK(defer_replacement(true, "updating", 0s));
    CHECK(defer_replacement(true, "rollback_started", 5min));
    // Not the master: replacing it moves nothing.
    CHECK_FALSE(defer_replacement(false, "updating", 0s));
    // The update is over (or paused, or never happened): the last node's turn.
    for (const auto* state : {"completed", "paused", "rollback_completed", ""}) {
        INFO(state);
        CHECK_FALSE(defer_replacement(true, state, 0s));
    }
    // Never forever: an update stuck elsewhere must not keep an old float for good.
    CHECK_FALSE(defer_replacement(true, "updating", kMaxReplacementDeferral));
    CHECK(update_in_progress("updating"));
    CHECK_FALSE(update_in_progress("completed"));
}
