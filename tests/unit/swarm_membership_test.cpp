// What the swarm's view of this node means for its float: resign, peers and the quorum, shared by
// the anchor and a float in direct mode.
#include <catch2/catch.hpp>

#include "keepalived_swarm/swarm/membership.hpp"

using namespace ks;
using namespace ks::swarm;
using namespace std::chrono_literals;

TEST_CASE("the float resigns while the node is drained or not a manager", "[swarm]") {
    constexpr auto hold = PartitionPolicy::hold;
    CHECK_FALSE(resign_reason({"inactive", false, "", false}, hold));
    CHECK_FALSE(resign_reason({"active", true, "active", false}, hold));
    CHECK_FALSE(resign_reason({"active", true, "pause", false}, hold));
    CHECK(resign_reason({"active", true, "drain", false}, hold) == "this node is drained");
    CHECK(resign_reason({"active", false, "active", false}, hold) ==
          "this node is not a swarm manager");
}

TEST_CASE("a swarm membership on its way in or out keeps the float out", "[swarm]") {
    // A promotion or a rejoin passes through "pending": the float must neither hold the VIP as
    // if outside a swarm nor wait for peers nobody will send.
    for (const std::string state : {"pending", "error", "locked", ""}) {
        INFO(state);
        const auto reason = resign_reason({state, false, "", false}, PartitionPolicy::hold);
        REQUIRE(reason);
        CHECK(reason->find("waiting until it is active") != std::string::npos);
    }
}

TEST_CASE("a lost quorum resigns only with the release policy", "[swarm]") {
    const NodeView cut_off{"active", true, "active", true};
    CHECK_FALSE(resign_reason(cut_off, PartitionPolicy::hold));
    CHECK(resign_reason(cut_off, PartitionPolicy::release) ==
          "this manager has lost the swarm's quorum (partition policy release)");
    // Drained says more than the quorum: it comes first.
    CHECK(resign_reason({"active", true, "drain", true}, PartitionPolicy::release) ==
          "this node is drained");
}

TEST_CASE("a manager that reaches no leader and no majority has lost the quorum", "[swarm]") {
    const QuorumWatch::Clock::time_point t0{};
    QuorumWatch watch(t0);
    watch.answered(t0, 3, 3);
    // Cut off: no leader and only itself reachable; lost once the grace has passed.
    watch.unanswered("context deadline exceeded", 1);
    CHECK_FALSE(watch.lost(t0 + QuorumWatch::kGrace - 1ms));
    CHECK(watch.lost(t0 + QuorumWatch::kGrace));
    CHECK(watch.reason(t0 + 7s) ==
          "no quorum confirmed for 7 s, 1 of 3 managers reachable: context deadline exceeded");
    // The first answer from a leader that reaches a majority ends it.
    watch.answered(t0 + 8s, 2, 3);
    CHECK_FALSE(watch.lost(t0 + 8s));
    CHECK(watch.reason(t0 + 8s) == "no quorum confirmed for 0 s, 2 of 3 managers reachable");
}

TEST_CASE("a cut-off leader's answers do not confirm the quorum", "[swarm]") {
    // It goes on answering for seconds, listing the others as unreachable.
    const QuorumWatch::Clock::time_point t0{};
    QuorumWatch watch(t0);
    watch.answered(t0, 3, 3);
    watch.answered(t0 + 3s, 1, 3);
    watch.answered(t0 + 4s, 1, 3);
    CHECK_FALSE(watch.lost(t0 + 4s));
    CHECK(watch.lost(t0 + QuorumWatch::kGrace));
    CHECK(watch.reason(t0 + 6s) ==
          "no quorum confirmed for 6 s, 1 of 3 managers reachable: the raft leader reaches only "
          "1 of 3 managers");
}

TEST_CASE("the majority's managers keep the quorum while they elect a leader", "[swarm]") {
    // The cut node led raft: the other two reach no leader for 10-20 s, but each other.
    const QuorumWatch::Clock::time_point t0{};
    QuorumWatch watch(t0);
    watch.answered(t0, 3, 3);
    watch.unanswered("The swarm does not have a leader.", 2);
    CHECK_FALSE(watch.lost(t0 + 20s));
    // Half is not a majority: of four managers, two reachable have lost it.
    watch.answered(t0 + 20s, 4, 4);
    watch.unanswered("The swarm does not have a leader.", 2);
    CHECK(watch.lost(t0 + 25s));
    watch.unanswered("The swarm does not have a leader.", 3);
    CHECK_FALSE(watch.lost(t0 + 26s));
}

TEST_CASE("with no manager list yet, only a long silence loses the quorum", "[swarm]") {
    const QuorumWatch::Clock::time_point t0{};
    QuorumWatch watch(t0);
    watch.unanswered("The swarm does not have a leader.", 1);
    CHECK_FALSE(watch.lost(t0 + QuorumWatch::kGrace));
    CHECK_FALSE(watch.lost(t0 + QuorumWatch::kUnknownGrace - 1ms));
    CHECK(watch.lost(t0 + QuorumWatch::kUnknownGrace));
    CHECK(watch.reason(t0 + 30s) ==
          "no quorum confirmed for 30 s: The swarm does not have a leader.");
}

TEST_CASE("reachable managers are counted by the leader's account", "[swarm]") {
    std::vector<docker::NodeInfo> managers(4);
    for (auto& node : managers) node.role = "manager";
    managers[0].reachability = "reachable";
    managers[1].reachability = "unreachable";
    managers[2].reachability = "unknown";
    managers[3].reachability = "reachable";
    CHECK(reachable_count(managers) == 2);
    managers[3].role = "worker";
    CHECK(reachable_count(managers) == 1);
}

TEST_CASE("the quorum probe connects to the other managers' raft addresses", "[swarm]") {
    std::vector<docker::NodeInfo> managers(5);
    managers[0].id = "self";
    managers[0].manager_addr = "10.0.0.1:2377";
    managers[1].id = "b";
    managers[1].manager_addr = "10.0.0.2:2377";
    managers[2].id = "c";
    managers[2].manager_addr = "[fd00::3]:4000";
    managers[3].id = "d";
    managers[3].manager_addr = "manager-d:2377";  // not an address: left out
    managers[4].id = "e";
    managers[4].manager_addr = "10.0.0.5:99999";  // no such port: left out
    const auto endpoints = raft_endpoints(managers, "self");
    REQUIRE(endpoints.size() == 2);
    CHECK(endpoints[0].address().to_string() == "10.0.0.2");
    CHECK(endpoints[0].port() == 2377);
    CHECK(endpoints[1].address().to_string() == "fd00::3");
    CHECK(endpoints[1].port() == 4000);
}

TEST_CASE("peers are the other managers' addresses", "[swarm]") {
    std::vector<docker::NodeInfo> managers(4);
    managers[0].id = "self";
    managers[0].role = "manager";
    managers[0].addr = "10.0.0.1";
    managers[1].id = "n3";
    managers[1].role = "manager";
    managers[1].addr = "10.0.0.3";
    managers[2].id = "n2";
    managers[2].role = "manager";
    managers[2].addr = "0.0.0.0";
    managers[2].manager_addr = "10.0.0.2:2377";
    managers[3].id = "w";
    managers[3].role = "worker";
    managers[3].addr = "10.0.0.9";
    const auto peers = peer_addresses(managers, "self");
    REQUIRE(peers.size() == 2);
    CHECK(peers[0].to_string() == "10.0.0.2");
    CHECK(peers[1].to_string() == "10.0.0.3");
}
