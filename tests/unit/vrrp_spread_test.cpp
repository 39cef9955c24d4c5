// --spread: VIPs homed round-robin over the routers, each router's priority derived from its
// place; on the simulated link, a node's failure moves only its VIPs, and they go home after the
// preempt delay once it is back.

#include <array>
#include <catch2/catch.hpp>
#include <set>

#include "keepalived_swarm/vrrp/spread.hpp"
#include "tests/unit/vrrp_sim.hpp"

using namespace ks::vrrp;
using namespace ks::vrrp::testing;
using namespace std::chrono_literals;

namespace {

const std::vector<IpAddress> kThreeNodes = {address("10.0.0.1"), address("10.0.0.2"),
                                            address("10.0.0.3")};

/// Each node's place for instance `index`, in node order.
/// Each node's place for instance `index` of `count` (0: as many as nodes), in node order.
std::vector<std::size_t> places(std::size_t index, const std::vector<IpAddress>& nodes,
                                std::size_t count = 0) {
    std::vector<std::size_t> result;
    for (const auto& node : nodes) {
        result.push_back(spread_position(index, count, nodes, node).value());
    }
    return result;
}

}  // namespace

TEST_CASE("spread homes instances round-robin by rank") {
    CHECK(places(0, kThreeNodes) == std::vector<std::size_t>{0, 1, 2});
    CHECK(places(1, kThreeNodes) == std::vector<std::size_t>{2, 0, 1});
    CHECK(places(2, kThreeNodes) == std::vector<std::size_t>{1, 2, 0});
    CHECK(spread_home(4, kThreeNodes) == address("10.0.0.2"));
    CHECK_FALSE(spread_position(0, 3, kThreeNodes, address("10.0.0.9")));
    CHECK(spread_position(5, 6, {address("10.0.0.7")}, address("10.0.0.7")) == 0u);
}

TEST_CASE("a node's second round of VIPs has other successors than its first") {
    // Node 10.0.0.1 is home of instances 0 and 3: their first successors differ, so its VIPs
    // spread over the survivors when it dies.
    const auto first = places(0, kThreeNodes);
    const auto second = places(3, kThreeNodes);
    CHECK(first == std::vector<std::size_t>{0, 1, 2});
    CHECK(second == std::vector<std::size_t>{0, 2, 1});
    // Five nodes, ten VIPs: every node is home twice, and each node's two VIPs go to two
    // different nodes when it dies.
    std::vector<IpAddress> five;
    for (int n = 1; n <= 5; ++n) five.push_back(address(("10.0.0." + std::to_string(n)).c_str()));
    for (std::size_t home = 0; home < 5; ++home) {
        std::set<std::size_t> successors;
        for (const auto index : {home, home + 5}) {
            const auto order = places(index, five);
            CHECK(order[home] == 0u);
            for (std::size_t node = 0; node < 5; ++node) {
                if (order[node] == 1) successors.insert(node);
            }
        }
        CHECK(successors.size() == 2);
    }
}

TEST_CASE("with fewer VIPs than nodes a dead home's VIP goes to a node without one") {
    // Five nodes, three VIPs: nodes 3 and 4 are home to none. Each VIP's first successor is one
    // of them, not a node that already carries a VIP, and consecutive VIPs take turns.
    std::vector<IpAddress> five;
    for (int n = 1; n <= 5; ++n) five.push_back(address(("10.0.0." + std::to_string(n)).c_str()));
    CHECK(places(0, five, 3) == std::vector<std::size_t>{0, 3, 4, 1, 2});
    CHECK(places(1, five, 3) == std::vector<std::size_t>{4, 0, 3, 2, 1});
    CHECK(places(2, five, 3) == std::vector<std::size_t>{3, 4, 0, 1, 2});
    // Every order is a permutation of the places.
    for (std::size_t index = 0; index < 3; ++index) {
        auto order = places(index, five, 3);
        std::sort(order.begin(), order.end());
        CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4});
    }
}

TEST_CASE("spread priorities step down from the home's and never reach 0") {
    CHECK(spread_priority(100, 0) == 100);
    CHECK(spread_priority(100, 2) == 80);
    CHECK(spread_priority(25, 2) == 5);
    CHECK(spread_priority(25, 3) == 1);
    CHECK(spread_priority(254, 30) == 1);
}

TEST_CASE("a spread instance takes its priority from its place among the peers") {
    auto config = router_config(100, "10.0.0.2");
    config.spread_index = 1;  // home: the second node by address
    Instance instance(config);
    // Alone it is home.
    CHECK(instance.competing_priority() == 100);
    CHECK(instance.home() == address("10.0.0.2"));
    static_cast<void>(instance.set_peers(kT0, {address("10.0.0.3"), address("10.0.0.1")}));
    CHECK(instance.competing_priority() == 100);
    // A node joins below us: the second node by address is now 10.0.0.1.
    static_cast<void>(
        instance.set_peers(kT0, {address("10.0.0.3"), address("10.0.0.1"), address("10.0.0.0")}));
    CHECK(instance.home() == address("10.0.0.1"));
    CHECK(instance.competing_priority() == 90);
    // A weighted tracker counts from the place's priority.
    static_cast<void>(instance.set_tracker(kT0, "check", Tracker{false, -15, "down"}));
    CHECK(instance.competing_priority() == 75);
}

TEST_CASE("a spread master advertises its new priority at once when the peers change") {
    auto config = router_config(100, "10.0.0.2");
    config.spread_index = 1;
    config.peers = std::vector<IpAddress>{address("10.0.0.1"), address("10.0.0.3")};
    Instance instance(config);
    static_cast<void>(instance.start(kT0));
    const auto now = make_master(instance);
    const auto out =
        instance.set_peers(now, {address("10.0.0.0"), address("10.0.0.1"), address("10.0.0.3")});
    const auto send = first<SendAdvertisement>(out);
    REQUIRE(send);
    CHECK(send->priority == 90);
    // The same peers again change nothing.
    CHECK_FALSE(first<SendAdvertisement>(
        instance.set_peers(now, {address("10.0.0.0"), address("10.0.0.1"), address("10.0.0.3")})));
}

namespace {

/// Three nodes, three VIPs, --spread with a preempt delay: one instance per node and VIP.
struct SpreadLink {
    static constexpr std::size_t kNodes = 3;
    static constexpr Duration kPreemptDelay = 30s;

    SpreadLink() : link(1ms) {
        for (std::size_t node = 0; node < kNodes; ++node) {
            for (std::size_t vip = 0; vip < kNodes; ++vip) {
                auto config = router_config(100, kAddresses[node]);
                config.vrid = static_cast<std::uint8_t>(kTestVrid + vip);
                config.virtual_addresses = {address(kVips[vip])};
                config.advert_interval = 100ms;
                config.preempt_delay = kPreemptDelay;
                config.unicast = true;
                config.spread_index = vip;
                config.spread_count = kNodes;
                std::vector<IpAddress> peers;
                for (std::size_t other = 0; other < kNodes; ++other) {
                    if (other != node) peers.push_back(address(kAddresses[other]));
                }
                config.peers = peers;
                ids[node][vip] = link.add(config);
            }
        }
    }

    void start_node(std::size_t node) {
        for (const auto id : ids[node]) link.start(id);
    }
    void crash_node(std::size_t node) {
        for (const auto id : ids[node]) link.crash(id);
    }
    void restart_node(std::size_t node) {
        for (const auto id : ids[node]) link.restart(id);
    }
    /// For each VIP, the nodes whose instance is master.
    std::vector<std::vector<std::size_t>> holders() const {
        std::vector<std::vector<std::size_t>> result(kNodes);
        for (const auto id : link.masters()) {
            for (std::size_t node = 0; node < kNodes; ++node) {
                for (std::size_t vip = 0; vip < kNodes; ++vip) {
                    if (ids[node][vip] == id) result[vip].push_back(node);
                }
            }
        }
        return result;
    }

    static constexpr std::array<const char*, kNodes> kAddresses = {"10.0.0.1", "10.0.0.2",
                                                                   "10.0.0.3"};
    static constexpr std::array<const char*, kNodes> kVips = {"10.0.0.100", "10.0.0.101",
                                                              "10.0.0.102"};
    FakeLink link;
    std::array<std::array<NodeId, kNodes>, kNodes> ids{};
};

using Holders = std::vector<std::vector<std::size_t>>;

}  // namespace

TEST_CASE("spread: each node holds its own VIP; a dead node's VIP moves alone and comes home") {
    SpreadLink spread;
    for (std::size_t node = 0; node < SpreadLink::kNodes; ++node) spread.start_node(node);
    spread.link.run_for(2s);
    CHECK(spread.holders() == Holders{{0}, {1}, {2}});

    // Node 0 dies: its VIP goes to its first successor (node 1), nothing else moves.
    const auto crashed_at = spread.link.now();
    spread.crash_node(0);
    spread.link.run_for(1s);
    CHECK(spread.holders() == Holders{{1}, {1}, {2}});
    const auto taken_at = spread.link.last_entered(spread.ids[1][0], State::master);
    REQUIRE(taken_at);
    // Master_Down_Interval at 100 ms for priority 90: 300 ms + Skew_Time (166/256 of 100 ms).
    CHECK(*taken_at - crashed_at <= 300ms + 65ms + 2ms);
    CHECK(spread.link.transitions(spread.ids[2][2]).size() == 2);  // INIT->BACKUP->MASTER only

    // Node 0 is back: it stays backup for the preempt delay, then takes its own VIP home.
    const auto back_at = spread.link.now();
    spread.restart_node(0);
    spread.link.run_for(SpreadLink::kPreemptDelay - 1s);
    CHECK(spread.holders() == Holders{{1}, {1}, {2}});
    spread.link.run_for(2s);
    CHECK(spread.holders() == Holders{{0}, {1}, {2}});
    const auto home_at = spread.link.last_entered(spread.ids[0][0], State::master);
    REQUIRE(home_at);
    CHECK(*home_at - back_at >= SpreadLink::kPreemptDelay);
    // Node 0 never took another VIP, and the others never changed hands.
    for (const auto vip : {1, 2}) {
        const auto taken = spread.link.last_entered(spread.ids[0][vip], State::master);
        CHECK((!taken || *taken < crashed_at));
    }
    CHECK(spread.link.transitions(spread.ids[2][2]).size() == 2);
    CHECK(spread.link.transitions(spread.ids[1][1]).size() == 2);
}

namespace {

/// A router of a spread group on the simulated link: VIP `vip` of kVips at 100 ms adverts,
/// a 30 s preempt delay, unicast to `peers`.
InstanceConfig spread_router(const char* self, std::size_t vip, std::size_t count,
                             std::vector<const char*> peers) {
    auto config = router_config(100, self);
    config.vrid = static_cast<std::uint8_t>(kTestVrid + vip);
    config.virtual_addresses = {address(("10.0.0." + std::to_string(100 + vip)).c_str())};
    config.advert_interval = 100ms;
    config.preempt_delay = 30s;
    config.unicast = true;
    config.spread_index = vip;
    config.spread_count = count;
    std::vector<IpAddress> addresses;
    for (const auto* peer : peers) addresses.push_back(address(peer));
    config.peers = addresses;
    return config;
}

/// The node (index into `nodes`) whose instance of each VIP is master; -1 for none, -2 for two.
std::vector<int> holders_of(const FakeLink& link, const std::vector<std::vector<NodeId>>& nodes) {
    std::vector<int> holders(nodes.front().size(), -1);
    const auto masters = link.masters();
    for (std::size_t node = 0; node < nodes.size(); ++node) {
        for (std::size_t vip = 0; vip < nodes[node].size(); ++vip) {
            if (std::find(masters.begin(), masters.end(), nodes[node][vip]) == masters.end()) {
                continue;
            }
            holders[vip] = holders[vip] == -1 ? static_cast<int>(node) : -2;
        }
    }
    return holders;
}

}  // namespace

TEST_CASE("spread: a dead node's two VIPs go to two different survivors") {
    FakeLink link(1ms);
    const std::vector<const char*> addresses = {"10.0.0.1", "10.0.0.2", "10.0.0.3"};
    std::vector<std::vector<NodeId>> nodes(3);
    for (std::size_t node = 0; node < 3; ++node) {
        std::vector<const char*> peers;
        for (std::size_t other = 0; other < 3; ++other) {
            if (other != node) peers.push_back(addresses[other]);
        }
        for (std::size_t vip = 0; vip < 6; ++vip) {
            nodes[node].push_back(link.add(spread_router(addresses[node], vip, 6, peers)));
        }
    }
    for (const auto& node : nodes) {
        for (const auto id : node) link.start(id);
    }
    link.run_for(2s);
    CHECK(holders_of(link, nodes) == std::vector<int>{0, 1, 2, 0, 1, 2});
    for (const auto id : nodes[0]) link.crash(id);
    link.run_for(1s);
    // VIP 0 to node 1, VIP 3 to node 2; the others stay.
    CHECK(holders_of(link, nodes) == std::vector<int>{1, 1, 2, 2, 1, 2});
}

TEST_CASE("spread: a node joining the group rebalances the VIPs after the preempt delay") {
    FakeLink link(1ms);
    // A (10.0.0.2) and B (10.0.0.3) with three VIPs: A is home of VIPs 0 and 2.
    std::vector<std::vector<NodeId>> nodes(2);
    for (std::size_t vip = 0; vip < 3; ++vip) {
        nodes[0].push_back(link.add(spread_router("10.0.0.2", vip, 3, {"10.0.0.3"})));
        nodes[1].push_back(link.add(spread_router("10.0.0.3", vip, 3, {"10.0.0.2"})));
    }
    for (const auto& node : nodes) {
        for (const auto id : node) link.start(id);
    }
    link.run_for(2s);
    CHECK(holders_of(link, nodes) == std::vector<int>{0, 1, 0});

    // C (10.0.0.1) joins: it ranks first, so VIP 0 is its, VIP 1 A's and VIP 2 B's. The old
    // members learn of it (as from the anchor's manager list) when it starts.
    nodes.emplace_back();
    for (std::size_t vip = 0; vip < 3; ++vip) {
        nodes[2].push_back(link.add(spread_router("10.0.0.1", vip, 3, {"10.0.0.2", "10.0.0.3"})));
    }
    for (const auto id : nodes[2]) link.start(id);
    for (const auto id : nodes[0]) link.set_peers(id, {address("10.0.0.1"), address("10.0.0.3")});
    for (const auto id : nodes[1]) link.set_peers(id, {address("10.0.0.1"), address("10.0.0.2")});
    link.run_for(29s);
    CHECK(holders_of(link, nodes) == std::vector<int>{0, 1, 0});  // within the preempt delay
    link.run_for(2s);
    CHECK(holders_of(link, nodes) == std::vector<int>{2, 0, 1});
}
