// Several VRRP routers in-process on a simulated link (FakeLink): elections, failures and
// partitions, with the exact time of every takeover.

#include <array>
#include <catch2/catch.hpp>

#include "tests/unit/vrrp_sim.hpp"

using namespace ks::vrrp;
using namespace ks::vrrp::testing;
using namespace std::chrono_literals;

namespace {

constexpr Duration kLinkDelay = 1ms;

/// Master_Down_Interval at Advertisement_Interval 1 s: 3 s + (256 - Priority) * 1 s / 256.
constexpr Duration kDownInterval100 = 3'609'375us;
constexpr Duration kDownInterval150 = 3'414'062us;
constexpr Duration kDownInterval200 = 3'218'750us;
/// Skew_Time at Advertisement_Interval 1 s: (256 - 150) * 1 s / 256.
constexpr Duration kSkewTime150 = 414'062us;

/// Routers A (priority 100), B (150) and C (200) on one link, all started at T0.
struct ThreeRouters {
    explicit ThreeRouters(bool preempt = true, Version version = Version::v3,
                          Duration interval = 1s,
                          std::array<const char*, 3> addresses = {"10.0.0.1", "10.0.0.2",
                                                                  "10.0.0.3"})
        : link(kLinkDelay) {
        const std::array<std::uint8_t, 3> priorities{100, 150, 200};
        for (std::size_t i = 0; i < 3; ++i) {
            auto config = router_config(priorities[i], addresses[i], version);
            config.preempt = preempt;
            config.advert_interval = interval;
            ids[i] = link.add(config);
            link.start(ids[i]);
        }
    }

    FakeLink link;
    std::array<NodeId, 3> ids{};
    NodeId a() const { return ids[0]; }
    NodeId b() const { return ids[1]; }
    NodeId c() const { return ids[2]; }
};

/// Only the masters hold the addresses, and there is exactly `expected` among the running ones.
void check_single_master(const FakeLink& link, NodeId expected, std::size_t routers = 3) {
    CHECK(link.masters() == std::vector<NodeId>{expected});
    for (NodeId id = 0; id < routers; ++id) {
        INFO("router " << id);
        CHECK(link.holds_addresses(id) == (id == expected));
    }
}

}  // namespace

TEST_CASE(
    "Scenario: three routers elect the highest priority when its Master_Down_Timer fires "
    "first",
    "[vrrp][scenario]") {
    ThreeRouters routers;
    auto& link = routers.link;
    link.run_until(kT0 + 20s);
    check_single_master(link, routers.c());
    CHECK(link.last_entered(routers.c(), State::master) == kT0 + kDownInterval200);
    const std::vector<StateChanged> stayed_backup{
        {State::initialize, State::backup, Reason::startup, ""}};
    CHECK(link.transitions(routers.a()) == stayed_backup);
    CHECK(link.transitions(routers.b()) == stayed_backup);
}

TEST_CASE(
    "Scenario: when the master crashes the next highest priority takes over exactly "
    "Master_Down_Interval after the last advert it heard",
    "[vrrp][scenario]") {
    ThreeRouters routers;
    auto& link = routers.link;
    link.run_until(kT0 + 10s);
    link.crash(routers.c());
    // C became master at T0+3.21875 s and advertised every second, last at T0+9.21875 s.
    const auto last_heard = *link.last_sent(routers.c()) + kLinkDelay;
    CHECK(last_heard == kT0 + 9'219'750us);
    link.run_until(kT0 + 30s);
    check_single_master(link, routers.b());
    CHECK(link.last_entered(routers.b(), State::master) == last_heard + kDownInterval150);
    CHECK(link.last_entered(routers.b(), State::master) == kT0 + 12'633'812us);
    CHECK(link.last_entered(routers.a(), State::master) == std::nullopt);
}

TEST_CASE(
    "Scenario: when the master resigns gracefully (priority 0) the next highest takes over "
    "after Skew_Time",
    "[vrrp][scenario]") {
    ThreeRouters routers;
    auto& link = routers.link;
    link.run_until(kT0 + 10s);
    link.stop(routers.c());
    link.run_until(kT0 + 30s);
    check_single_master(link, routers.b());
    CHECK(link.last_entered(routers.b(), State::master) == kT0 + 10s + kLinkDelay + kSkewTime150);
    CHECK(link.last_entered(routers.a(), State::master) == std::nullopt);
}

TEST_CASE(
    "Scenario: a master that loses its tether hands over after Skew_Time and preempts "
    "again once the tether is back",
    "[vrrp][scenario]") {
    ThreeRouters routers;
    auto& link = routers.link;
    link.run_until(kT0 + 10s);
    link.set_tracker(routers.c(), kTether, kDown);
    link.run_until(kT0 + 20s);
    check_single_master(link, routers.b());
    CHECK(link.last_entered(routers.b(), State::master) == kT0 + 10s + kLinkDelay + kSkewTime150);
    CHECK(link.instance(routers.c()).state() == State::fault);

    link.set_tracker(routers.c(), kTether, kUp);
    link.run_until(kT0 + 40s);
    check_single_master(link, routers.c());
    CHECK(link.last_entered(routers.c(), State::master) == kT0 + 20s + kDownInterval200);
}

TEST_CASE(
    "Scenario: with preemption a returning higher-priority router takes the VIPs back "
    "after Master_Down_Interval",
    "[vrrp][scenario]") {
    ThreeRouters routers(true);
    auto& link = routers.link;
    link.run_until(kT0 + 10s);
    link.crash(routers.c());
    link.run_until(kT0 + 20s);
    check_single_master(link, routers.b());
    link.restart(routers.c());
    link.run_until(kT0 + 40s);
    check_single_master(link, routers.c());
    const auto retaken = kT0 + 20s + kDownInterval200;
    CHECK(link.last_entered(routers.c(), State::master) == retaken);
    CHECK(link.last_entered(routers.b(), State::backup) == retaken + kLinkDelay);
}

TEST_CASE("Scenario: without preemption a returning higher-priority router stays backup",
          "[vrrp][scenario]") {
    ThreeRouters routers(false);
    auto& link = routers.link;
    link.run_until(kT0 + 10s);
    link.crash(routers.c());
    link.run_until(kT0 + 20s);
    check_single_master(link, routers.b());
    link.restart(routers.c());
    link.run_until(kT0 + 60s);
    check_single_master(link, routers.b());
    CHECK(link.last_entered(routers.c(), State::master) == kT0 + kDownInterval200);  // before
}

TEST_CASE(
    "Scenario: a split link gets one master per side, and healing it converges to exactly "
    "one master within one advert interval",
    "[vrrp][scenario]") {
    ThreeRouters routers;
    auto& link = routers.link;
    link.run_until(kT0 + 10s);
    link.partition({{routers.c()}, {routers.a(), routers.b()}});
    link.run_until(kT0 + 20s);
    CHECK(link.masters() == std::vector<NodeId>{routers.b(), routers.c()});
    CHECK(link.last_entered(routers.b(), State::master) == kT0 + 9'219'750us + kDownInterval150);

    const auto healed = link.now();
    link.heal();
    link.run_until(healed + 1s + kLinkDelay);
    check_single_master(link, routers.c());
    const auto stepped_down = link.last_entered(routers.b(), State::backup);
    REQUIRE(stepped_down);
    CHECK(*stepped_down > healed);
    CHECK(*stepped_down <= healed + 1s + kLinkDelay);
    link.run_until(healed + 30s);
    check_single_master(link, routers.c());
}

TEST_CASE("Scenario: VRRPv2 routers elect and fail over with the VRRPv2 timers",
          "[vrrp][scenario]") {
    ThreeRouters routers(true, Version::v2, 2s);
    auto& link = routers.link;
    link.run_until(kT0 + 20s);
    // 3 * 2 s + (256 - 200) / 256 s: VRRPv2 skews by seconds, not by the interval.
    CHECK(link.last_entered(routers.c(), State::master) == kT0 + 6'218'750us);
    check_single_master(link, routers.c());
    link.crash(routers.c());
    const auto last_heard = *link.last_sent(routers.c()) + kLinkDelay;
    CHECK(last_heard == kT0 + 18'219'750us);
    link.run_until(kT0 + 40s);
    check_single_master(link, routers.b());
    CHECK(link.last_entered(routers.b(), State::master) == last_heard + 6s + kSkewTime150);
}

TEST_CASE("Scenario: IPv6 routers with link-local sources elect and fail over",
          "[vrrp][scenario]") {
    ThreeRouters routers(true, Version::v3, 100ms, {"fe80::1", "fe80::2", "fe80::3"});
    auto& link = routers.link;
    link.run_until(kT0 + 1s);
    // 3 * 100 ms + (256 - 200) * 100 ms / 256
    CHECK(link.last_entered(routers.c(), State::master) == kT0 + 321'875us);
    check_single_master(link, routers.c());
    link.crash(routers.c());
    const auto last_heard = *link.last_sent(routers.c()) + kLinkDelay;
    CHECK(last_heard == kT0 + 922'875us);
    link.run_until(kT0 + 5s);
    check_single_master(link, routers.b());
    // 3 * 100 ms + (256 - 150) * 100 ms / 256, rounded down to the microsecond
    CHECK(link.last_entered(routers.b(), State::master) == last_heard + 341'406us);
}

TEST_CASE("Scenario: routers of equal priority elect the highest primary address",
          "[vrrp][scenario]") {
    FakeLink link(kLinkDelay);
    // Numerically .10 > .9 > .2; as text "10.0.0.9" would sort last.
    const auto low = link.add(router_config(100, "10.0.0.2"));
    const auto middle = link.add(router_config(100, "10.0.0.9"));
    const auto high = link.add(router_config(100, "10.0.0.10"));
    for (const auto id : {low, middle, high}) link.start(id);
    // All three timers fire together: three masters until their adverts cross.
    link.run_until(kT0 + kDownInterval100);
    CHECK(link.masters().size() == 3);
    link.run_until(kT0 + kDownInterval100 + kLinkDelay);
    check_single_master(link, high);
    CHECK(link.last_entered(low, State::backup) == kT0 + kDownInterval100 + kLinkDelay);
    CHECK(link.last_entered(middle, State::backup) == kT0 + kDownInterval100 + kLinkDelay);
    link.run_until(kT0 + 30s);
    check_single_master(link, high);
}

TEST_CASE(
    "Scenario: when a master of equal priority resigns, the backups take over together and the "
    "winner announces the VIPs after the loser did, so neighbours end up at the winner",
    "[vrrp][scenario]") {
    FakeLink link(kLinkDelay);
    const auto first = link.add(router_config(100, "10.0.0.20"));
    const auto low = link.add(router_config(100, "10.0.0.2"));
    const auto high = link.add(router_config(100, "10.0.0.10"));
    link.start(first);
    link.run_until(kT0 + 5s);
    link.start(low);
    link.start(high);
    link.run_until(kT0 + 10s);
    check_single_master(link, first);

    link.stop(first);
    link.run_until(kT0 + 20s);
    check_single_master(link, high);
    // Both heard the resignation at once and ran out the same Skew_Time: two masters, each
    // announcing, until their adverts crossed one link delay later.
    const auto takeover = kT0 + 10s + kLinkDelay + 609'375us;
    CHECK(link.last_entered(low, State::master) == takeover);
    CHECK(link.last_entered(high, State::master) == takeover);
    CHECK(link.last_entered(low, State::backup) == takeover + kLinkDelay);
    // A neighbour follows the last announcement it heard: it must be the winner's.
    std::optional<FakeLink::Event> last_announcement;
    for (const auto& event : link.events()) {
        if (std::holds_alternative<AnnounceAddresses>(event.action)) last_announcement = event;
    }
    REQUIRE(last_announcement);
    CHECK(last_announcement->node == high);
    CHECK(last_announcement->at == takeover + kLinkDelay);
}
