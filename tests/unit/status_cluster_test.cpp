#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "keepalived_swarm/status/cluster.hpp"
#include "roles/buoy/buoy_routes.hpp"
#include "roles/buoy/cluster_watch.hpp"

using namespace ks;
namespace json = boost::json;
using status::ClusterHealth;
using status::ClusterNode;

namespace {

status::InstanceStatus instance(std::string state, std::string address) {
    status::InstanceStatus s;
    s.name = "VI_77";
    s.vrid = 77;
    s.family = "ipv4";
    s.interface = "eth0";
    s.state = state;
    s.priority = 100;
    s.effective_priority = 100;
    s.vips = {"10.0.0.100/24"};
    if (state == "MASTER")
        s.vips_held = std::vector<std::string>{"10.0.0.100/24"};
    else
        s.vips_held = std::vector<std::string>{};
    s.primary_address = address;
    s.peers = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
    s.transitions = {{"2026-01-01T00:00:01.000Z", "BACKUP", state, "why " + state}};
    return s;
}

ClusterNode node(std::string name, std::string address, std::string state) {
    ClusterNode n;
    n.name = std::move(name);
    n.address = address;
    n.reachable = true;
    status::FloatStatus f;
    f.tether = "connected";
    f.instances.push_back(instance(std::move(state), address));
    n.float_status = std::move(f);
    return n;
}

ClusterNode unreachable(std::string address) {
    ClusterNode n;
    n.name = address;
    n.address = std::move(address);
    n.error = "timed out after 500 ms";
    return n;
}

bool mentions(const std::vector<std::string>& problems, std::string_view text) {
    for (const auto& problem : problems) {
        if (problem.find(text) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("one master and two backups are healthy", "[status][cluster]") {
    const auto view =
        status::summarize({node("m2", "10.0.0.2", "BACKUP"), node("m1", "10.0.0.1", "MASTER"),
                           node("m3", "10.0.0.3", "BACKUP")},
                          "2026-01-01T00:00:02.000Z");
    CHECK(status::health(view) == ClusterHealth::healthy);
    CHECK_FALSE(view.split_brain);
    CHECK_FALSE(view.no_master);
    CHECK(view.problems.empty());
    REQUIRE(view.instances.size() == 1);
    CHECK(view.instances[0].masters == std::vector<std::string>{"m1"});
    CHECK(view.holders.at("10.0.0.100/24") == std::vector<std::string>{"m1"});
    REQUIRE(view.nodes.size() == 3);
    CHECK(view.nodes[0].name == "m1");  // in address order
}

TEST_CASE("two masters of one VRID are a split brain", "[status][cluster]") {
    const auto view =
        status::summarize({node("m1", "10.0.0.1", "MASTER"), node("m2", "10.0.0.2", "MASTER"),
                           node("m3", "10.0.0.3", "BACKUP")},
                          "t");
    CHECK(view.split_brain);
    CHECK(status::health(view) == ClusterHealth::split_brain);
    CHECK(mentions(view.problems, "m1, m2 all claim MASTER for VI_77 (VRID 77, ipv4)"));
    CHECK(mentions(view.problems, "VIP 10.0.0.100/24 is held by m1, m2"));
}

TEST_CASE("a VIP left on a node that no longer claims MASTER is a split brain too",
          "[status][cluster]") {
    auto stale = node("m2", "10.0.0.2", "BACKUP");
    stale.float_status->instances[0].vips_held = std::vector<std::string>{"10.0.0.100/24"};
    const auto view = status::summarize({node("m1", "10.0.0.1", "MASTER"), stale}, "t");
    CHECK(view.split_brain);
    CHECK(view.instances[0].masters.size() == 1);
    CHECK(view.holders.at("10.0.0.100/24").size() == 2);
}

TEST_CASE("a float that does not report what it holds is taken as holding while MASTER",
          "[status][cluster]") {
    auto old = node("m1", "10.0.0.1", "MASTER");
    old.float_status->instances[0].vips_held.reset();
    const auto view = status::summarize({old, node("m2", "10.0.0.2", "BACKUP")}, "t");
    CHECK(view.holders.at("10.0.0.100/24") == std::vector<std::string>{"m1"});
    CHECK(status::health(view) == ClusterHealth::healthy);
}

TEST_CASE("no master among the readable nodes", "[status][cluster]") {
    const auto view = status::summarize({node("m1", "10.0.0.1", "BACKUP"),
                                         node("m2", "10.0.0.2", "FAULT"), unreachable("10.0.0.3")},
                                        "t");
    CHECK(view.no_master);
    CHECK_FALSE(view.split_brain);
    CHECK(status::health(view) == ClusterHealth::split_brain);
    CHECK(view.holders.at("10.0.0.100/24").empty());
    CHECK(mentions(view.problems, "no node claims MASTER for VI_77"));
    CHECK(mentions(view.problems, "node m2 (10.0.0.2): VI_77 is FAULT (why FAULT)"));
    CHECK(mentions(view.problems, "node 10.0.0.3 (10.0.0.3) does not answer: timed out"));
}

TEST_CASE("nothing readable is no master, not healthy", "[status][cluster]") {
    const auto view = status::summarize({unreachable("10.0.0.2")}, "t");
    CHECK(view.no_master);
    CHECK(status::health(view) == ClusterHealth::split_brain);
}

TEST_CASE("an unreachable node, a missing float or a down tracker is degraded",
          "[status][cluster]") {
    SECTION("unreachable node") {
        const auto view =
            status::summarize({node("m1", "10.0.0.1", "MASTER"), unreachable("10.0.0.2")}, "t");
        CHECK(status::health(view) == ClusterHealth::degraded);
        CHECK_FALSE(view.split_brain);
    }
    SECTION("a node whose float cannot be read") {
        auto no_float = node("m2", "10.0.0.2", "BACKUP");
        no_float.float_status.reset();
        no_float.error = "the float's status socket is gone";
        const auto view = status::summarize({node("m1", "10.0.0.1", "MASTER"), no_float}, "t");
        CHECK(status::health(view) == ClusterHealth::degraded);
        CHECK(mentions(view.problems, "its float cannot be read: the float's status socket"));
    }
    SECTION("a tracker down") {
        auto tracked = node("m2", "10.0.0.2", "BACKUP");
        status::TrackerStatus tracker;
        tracker.name = "service:web";
        tracker.up = false;
        tracker.reason = "no healthy task";
        tracked.float_status->instances[0].trackers.push_back(tracker);
        const auto view = status::summarize({node("m1", "10.0.0.1", "MASTER"), tracked}, "t");
        CHECK(status::health(view) == ClusterHealth::degraded);
        CHECK(mentions(view.problems, "tracker service:web is down (no healthy task)"));
    }
}

TEST_CASE("the cluster document reads back as written", "[status][cluster]") {
    auto tracked = node("m2", "10.0.0.2", "MASTER");
    tracked.self = true;
    status::TrackerStatus link;
    link.name = "link";
    link.kind = "link";
    link.weight = "fault";
    tracked.float_status->instances[0].trackers.push_back(link);
    const auto view = status::summarize(
        {node("m1", "10.0.0.1", "MASTER"), tracked, unreachable("10.0.0.3")}, "t0");
    const auto document = status::to_json(view);
    const auto& object = document.as_object();
    CHECK(object.at("split_brain").as_bool());
    CHECK(object.at("masters").as_object().at("VI_77").as_uint64() == 2);
    CHECK(object.at("health").as_string() == "split brain or no master");

    auto back = status::cluster_view_from_json(json::parse(json::serialize(document)));
    REQUIRE(back.has_value());
    CHECK(back->split_brain);
    CHECK(back->gathered_at == "t0");
    CHECK(back->problems == view.problems);
    CHECK(back->holders == view.holders);
    REQUIRE(back->nodes.size() == 3);
    CHECK(back->nodes[1].self);
    CHECK_FALSE(back->nodes[2].reachable);
    CHECK_FALSE(back->nodes[2].float_status.has_value());
    REQUIRE(back->nodes[1].float_status);
    const auto& i = back->nodes[1].float_status->instances.at(0);
    CHECK(i.state == "MASTER");
    CHECK(i.trackers.at(0).name == "link");
    CHECK(i.transitions.at(0).reason == "why MASTER");
    CHECK(status::health(*back) == status::health(view));
    CHECK(status::cluster_table(*back) == status::cluster_table(view));
}

TEST_CASE("a document of the wrong shape is refused", "[status][cluster]") {
    CHECK_FALSE(status::cluster_view_from_json(json::parse("[]")).has_value());
    CHECK_FALSE(status::cluster_view_from_json(json::parse(R"({"nodes": 3})")).has_value());
    CHECK_FALSE(
        status::cluster_view_from_json(json::parse(R"({"holders": {"v": "m1"}})")).has_value());
    CHECK_FALSE(
        status::cluster_view_from_json(
            json::parse(R"({"nodes": [{"float": {"instances": [{"last_transition": 1}]}}]})"))
            .has_value());
}

TEST_CASE("the terminal table names the holder, marks this node and ends with the verdict",
          "[status][cluster]") {
    auto self = node("m1", "10.0.0.1", "MASTER");
    self.self = true;
    const auto table = status::cluster_table(
        status::summarize({self, node("m2", "10.0.0.2", "BACKUP"), unreachable("10.0.0.3")}, "t"));
    CHECK(table.find("m1 *") != std::string::npos);
    CHECK(table.find("UNREACHABLE") != std::string::npos);
    CHECK(table.find("VIP 10.0.0.100/24: held by m1\n") != std::string::npos);
    CHECK(table.find("\ndegraded\n") != std::string::npos);
}

TEST_CASE("cluster metrics say split brain, masters and nodes by state", "[status][cluster]") {
    const auto view = status::summarize({node("m1", "10.0.0.1", "MASTER"),
                                         node("m2", "10.0.0.2", "MASTER"), unreachable("10.0.0.3")},
                                        "t");
    const auto text = status::cluster_prometheus(view, {{"node", "m1"}});
    CHECK(text.find("keepalived_swarm_cluster_split_brain{node=\"m1\"} 1\n") != std::string::npos);
    CHECK(text.find(
              "keepalived_swarm_cluster_masters{node=\"m1\",instance=\"VI_77\",vrid=\"77\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("keepalived_swarm_cluster_nodes{node=\"m1\",instance=\"VI_77\",vrid=\"77\","
                    "state=\"unreachable\"} 1\n") != std::string::npos);
    CHECK(
        text.find("keepalived_swarm_cluster_vip_holders{node=\"m1\",vip=\"10.0.0.100/24\"} 2\n") !=
        std::string::npos);
}

TEST_CASE("a buoy's /status answer is read for its node and float", "[status][cluster]") {
    const auto with_float = status::read_node_answer(
        R"({"buoy":{"hostname":"m2"},"float":{"instances":[{"name":"VI_77","state":"BACKUP"}]}})");
    REQUIRE(with_float.has_value());
    CHECK(with_float->name == "m2");
    REQUIRE(with_float->float_status);
    CHECK(with_float->float_status->instances.at(0).state == "BACKUP");

    const auto without =
        status::read_node_answer(R"({"buoy":{"hostname":"m3"},"float":"unreachable",)"
                                 R"("floatError":"no socket"})");
    REQUIRE(without.has_value());
    CHECK_FALSE(without->float_status);
    CHECK(without->float_error == "no socket");

    CHECK_FALSE(status::read_node_answer("not json").has_value());
    CHECK_FALSE(status::read_node_answer(R"({"float":{}})").has_value());
    CHECK_FALSE(status::read_node_answer(R"({"buoy":{"hostname":7}})").has_value());
    CHECK_FALSE(status::read_node_answer(R"({"buoy":{},"float":{"instances":5}})").has_value());
}

TEST_CASE("the buoy asks the float's peers, not itself, and keeps them while the float is away",
          "[buoy][cluster]") {
    roles::buoy::FloatView view;
    const std::vector<net::IpAddress> none;
    CHECK(roles::buoy::cluster_peer_addresses(view, none, {"10.0.0.9"}) ==
          std::vector<std::string>{"10.0.0.9"});
    status::FloatStatus f;
    f.instances.push_back(instance("MASTER", "10.0.0.1"));
    view.status = f;
    CHECK(roles::buoy::cluster_peer_addresses(view, none, {"10.0.0.9"}) ==
          std::vector<std::string>{"10.0.0.2", "10.0.0.3"});
    const std::vector<net::IpAddress> fixed{*net::parse_ip_address("10.0.0.7")};
    CHECK(roles::buoy::cluster_peer_addresses(view, fixed, {}) ==
          std::vector<std::string>{"10.0.0.7"});
}

TEST_CASE("a peer's answers update its view; a bad answer says why", "[buoy][cluster]") {
    roles::buoy::PeerView peer;
    const auto now = std::chrono::system_clock::now();
    roles::buoy::record_peer_answer(
        peer, 200, R"({"buoy":{"hostname":"m2"},"float":{"instances":[{"state":"BACKUP"}]}})", now);
    CHECK(peer.answered);
    CHECK(peer.name == "m2");
    CHECK(peer.error.empty());
    REQUIRE(peer.float_status);
    roles::buoy::record_peer_answer(peer, 404, "nope", now);
    CHECK_FALSE(peer.answered);
    CHECK_FALSE(peer.float_status);
    CHECK(peer.error.find("HTTP 404") != std::string::npos);
    roles::buoy::record_peer_answer(peer, 200, "{", now);
    CHECK(peer.error.find("not valid") != std::string::npos);
    roles::buoy::record_peer_failure(peer, "timed out", now);
    CHECK(peer.error == "timed out");
    CHECK(peer.name == "m2");  // still named after it went away
}

TEST_CASE("GET /cluster shows this node and its peers", "[buoy][cluster]") {
    roles::buoy::BuoyState state;
    state.node_hostname = "m1";
    status::FloatStatus f;
    f.tether = "connected";
    f.instances.push_back(instance("MASTER", "10.0.0.1"));
    state.float_view.status = f;
    state.peers["10.0.0.2"].address = "10.0.0.2";
    roles::buoy::record_peer_failure(state.peers["10.0.0.2"], "refused", {});
    const auto document = json::parse(roles::buoy::cluster_json(state));
    const auto& nodes = document.at("nodes").as_array();
    REQUIRE(nodes.size() == 2);
    CHECK(nodes[0].at("name").as_string() == "m1");
    CHECK(nodes[0].at("self").as_bool());
    CHECK(nodes[0].at("address").as_string() == "10.0.0.1");
    // A peer that never answered is named after its address.
    CHECK(nodes[1].at("name").as_string() == "10.0.0.2");
    CHECK_FALSE(nodes[1].at("reachable").as_bool());
    CHECK(document.at("health").as_string() == "degraded");
    const auto metrics = roles::buoy::metrics_text(state);
    CHECK(metrics.find("keepalived_swarm_cluster_split_brain{node=\"m1\"} 0\n") !=
          std::string::npos);
}

TEST_CASE("the cluster view names each spread VIP's home node and whether it is there",
          "[status]") {
    // Node a holds its own VIP; b's VIP is away on a (after b came back, within the delay).
    auto a = node("a", "10.0.0.1", "MASTER");
    auto b = node("b", "10.0.0.2", "BACKUP");
    for (auto* n : {&a, &b}) {
        auto& first = n->float_status->instances.front();
        first.home = "10.0.0.1";
        auto second = first;
        second.name = "VI_78";
        second.vrid = 78;
        second.vips = {"10.0.0.101/24"};
        second.home = "10.0.0.2";
        second.state = n == &a ? "MASTER" : "BACKUP";
        second.vips_held =
            n == &a ? std::vector<std::string>{"10.0.0.101/24"} : std::vector<std::string>{};
        n->float_status->instances.push_back(second);
    }
    auto view = status::summarize({a, b}, "2026-01-01T00:00:02.000Z");
    CHECK(view.homes ==
          std::map<std::string, std::string>{{"10.0.0.100/24", "a"}, {"10.0.0.101/24", "b"}});
    const auto metrics = status::cluster_prometheus(view, {});
    CHECK_THAT(
        metrics,
        Catch::Contains(R"(keepalived_swarm_cluster_vip_at_home{vip="10.0.0.100/24",home="a"} 1)"));
    CHECK_THAT(
        metrics,
        Catch::Contains(R"(keepalived_swarm_cluster_vip_at_home{vip="10.0.0.101/24",home="b"} 0)"));
    CHECK_THAT(status::cluster_table(view),
               Catch::Contains("VIP 10.0.0.101/24: held by a, home b"));
    // The status command reads the homes back from GET /cluster.
    const auto read = status::cluster_view_from_json(status::to_json(view));
    REQUIRE(read.has_value());
    CHECK(read->homes == view.homes);
    // The float's own document carries the home too.
    const auto own = status::float_status_from_json(status::to_json(*a.float_status));
    REQUIRE(own.has_value());
    CHECK(own->instances[1].home == "10.0.0.2");
}
