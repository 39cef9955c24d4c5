// What keeps one VRRP group to at most one holder whatever the link does: only the peer set is
// heard, named trackers (fault or weight) take a router out or lower it, a deleted VIP comes back,
// a claimed VIP is reported, and nothing a stranger sends makes us flood the link or the log.

#include <catch2/catch.hpp>

#include "tests/unit/vrrp_sim.hpp"

using namespace ks::vrrp;
using namespace ks::vrrp::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kStranger = "10.0.0.99";

InstanceConfig unicast_config(std::uint8_t priority, const char* primary,
                              std::vector<const char*> peers) {
    auto config = router_config(priority, primary);
    config.unicast = true;
    config.peers.emplace();
    for (const auto* peer : peers) config.peers->push_back(address(peer));
    return config;
}

std::size_t count_of(const Output& out, auto predicate) {
    return static_cast<std::size_t>(
        std::count_if(out.actions.begin(), out.actions.end(), predicate));
}

}  // namespace

TEST_CASE(
    "Peers only: an advert from outside the peer set is dropped as unknown_source before the "
    "state machine, and reported once a minute per source",
    "[vrrp][guards]") {
    Instance instance(unicast_config(100, kOwnAddress, {kPeerAddress}));
    instance.start(kT0);
    const auto deadline = instance.next_deadline();
    auto out = instance.receive(kT0 + 1s, advert_from(kStranger, 254));
    CHECK(out.actions ==
          Actions{Dropped{DropReason::unknown_source, address(kStranger), 254, true}});
    CHECK(instance.next_deadline() == deadline);  // the Master_Down_Timer was not reset
    CHECK(instance.master_address() == std::nullopt);
    out = instance.receive(kT0 + 59s, advert_from(kStranger, 254));
    CHECK(out.actions ==
          Actions{Dropped{DropReason::unknown_source, address(kStranger), 254, false}});
    out = instance.receive(kT0 + 61s, advert_from(kStranger, 254));
    CHECK(first<Dropped>(out)->report);
    // A peer is heard as before.
    out = instance.receive(kT0 + 62s, advert_from(kPeerAddress, 200));
    CHECK(dropped(out) == std::nullopt);
    CHECK(instance.master_address() == address(kPeerAddress));
}

TEST_CASE("Peers only: accept_from any is the RFC behaviour, and no peer set filters nothing",
          "[vrrp][guards]") {
    auto config = unicast_config(100, kOwnAddress, {kPeerAddress});
    config.accept_from = AcceptFrom::any;
    Instance open_to_all(config);
    open_to_all.start(kT0);
    CHECK(dropped(open_to_all.receive(kT0 + 1s, advert_from(kStranger, 254))) == std::nullopt);
    CHECK(open_to_all.master_address() == address(kStranger));

    Instance multicast(our_config(100));  // no peer set known
    multicast.start(kT0);
    CHECK(dropped(multicast.receive(kT0 + 1s, advert_from(kStranger, 254))) == std::nullopt);
}

TEST_CASE(
    "Peers only: a stranger's priority 254 adverts never take the VIP from the master, nor "
    "leave the group without one (simulated link)",
    "[vrrp][guards][scenario]") {
    FakeLink link(100us);
    const auto master = link.add(unicast_config(150, "10.0.0.1", {"10.0.0.2"}));
    const auto backup = link.add(unicast_config(100, "10.0.0.2", {"10.0.0.1"}));
    // The stranger believes everyone is its peer; nobody has it in the peer set.
    auto strange = unicast_config(254, kStranger, {"10.0.0.1", "10.0.0.2"});
    strange.advert_interval = 100ms;  // it talks ten times as often as the group
    const auto stranger = link.add(strange);
    link.start(master);
    link.start(backup);
    link.run_until(kT0 + 10s);
    REQUIRE(link.masters() == std::vector<NodeId>{master});
    link.start(stranger);
    for (int step = 0; step < 100; ++step) {
        link.run_for(50ms);
        REQUIRE(link.instance(master).state() == State::master);
        REQUIRE(link.holds_addresses(master));
        REQUIRE(link.instance(backup).state() == State::backup);
    }
    CHECK(link.drops(master).size() >= 4);
    CHECK(link.drops(backup).size() >= 4);
    for (const auto& drop : link.drops(master)) CHECK(drop.reason == DropReason::unknown_source);
    CHECK(link.instance(master).master_address() == address("10.0.0.1"));
}

TEST_CASE(
    "Peers: unicast adverts go to the peer set; a new set applies to the next advert; our own "
    "address, duplicates and the other family are ignored",
    "[vrrp][guards]") {
    Instance instance(unicast_config(100, kOwnAddress, {kPeerAddress}));
    instance.start(kT0);
    auto since = make_master(instance);
    CHECK(instance.expire(since + 1s).actions ==
          Actions{SendAdvertisement{100, {address(kPeerAddress)}}});
    instance.set_peers(since + 1500ms,
                       {address("10.0.0.5"), address(kOwnAddress), address("10.0.0.4"),
                        address("10.0.0.5"), address("fd00::4")});
    CHECK(*instance.peers() == std::vector<IpAddress>{address("10.0.0.4"), address("10.0.0.5")});
    // The dropped peer is still sent adverts for the departure grace.
    CHECK(instance.expire(since + 2s).actions ==
          Actions{SendAdvertisement{
              100, {address("10.0.0.4"), address("10.0.0.5"), address(kPeerAddress)}}});
    const auto departed = since + 1500ms + kPeerDepartureGrace;
    CHECK(instance.expire(departed + 500ms).actions ==
          Actions{SendAdvertisement{100, {address("10.0.0.4"), address("10.0.0.5")}}});
    // A one-manager swarm: after the grace, nobody to advertise to, and nobody heard.
    instance.set_peers(departed + 600ms, {});
    const auto alone = departed + 600ms + kPeerDepartureGrace;
    CHECK(instance.expire(alone + 400ms).actions.empty());
    CHECK(instance.next_deadline() == alone + 1400ms);
    CHECK(dropped(instance.receive(alone + 500ms, advert_from(kPeerAddress, 200))) ==
          DropReason::unknown_source);
    // Addresses that are no node at all: dropped, and said once.
    const auto broken = instance.set_peers(
        alone + 600ms, {address("0.0.0.0"), address("127.0.0.1"), address("224.0.0.18"),
                        address("10.0.0.100"), address("10.0.0.4")});
    CHECK(*instance.peers() == std::vector<IpAddress>{address("10.0.0.4")});
    CHECK(broken.actions ==
          Actions{Warning{"ignored peers that cannot be another node (0.0.0.0, 127.0.0.1, "
                          "224.0.0.18, 10.0.0.100): unspecified, loopback, multicast or a VIP",
                          address(kOwnAddress)}});
}

TEST_CASE(
    "Peers awaited: the float does not compete before it has the managers; the list brings it "
    "into Backup, and an empty list is a list",
    "[vrrp][guards]") {
    auto config = router_config(255, kOwnAddress);  // even an owner waits
    config.unicast = true;
    config.await_peers = true;
    Instance instance(config);
    auto out = instance.start(kT0);
    CHECK(out.actions == Actions{change(State::initialize, State::fault, Reason::tracker_down,
                                        "peers: waiting for the peer list")});
    CHECK(instance.fault_reason() == "peers: waiting for the peer list");
    out = instance.set_peers(kT0 + 1s, {});
    CHECK(out.actions == Actions{AddAddresses{}, AnnounceAddresses{},
                                 change(State::fault, State::master, Reason::tracker_up,
                                        "peers: peer list received")});
    CHECK(instance.trackers().at("peers").up);
}

TEST_CASE(
    "Trackers: any fault tracker down keeps the router in Fault; it comes back only when all "
    "are up, and the transition names the tracker",
    "[vrrp][guards]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    make_master(instance);
    auto out = instance.set_tracker(kT0 + 4s, "link", Tracker{false, std::nullopt, "no carrier"});
    CHECK(out.actions ==
          Actions{sent(0), RemoveAddresses{},
                  change(State::master, State::fault, Reason::tracker_down, "link: no carrier")});
    instance.set_tracker(kT0 + 5s, "tether", Tracker{false, std::nullopt, "closed"});
    out = instance.set_tracker(kT0 + 6s, "link", Tracker{true, std::nullopt, "up"});
    CHECK(out.actions.empty());
    CHECK(instance.state() == State::fault);
    CHECK(instance.fault_reason() == "tether: closed");
    out = instance.set_tracker(kT0 + 7s, "tether", Tracker{true, std::nullopt, "connected"});
    CHECK(out.actions ==
          Actions{change(State::fault, State::backup, Reason::tracker_up, "tether: connected")});
    CHECK(out.next_deadline == kT0 + 7s + 3'609'375us);
}

TEST_CASE(
    "Trackers: a weighted tracker down changes the advertised priority at once, within 1..254, "
    "and does not put the router in Fault",
    "[vrrp][guards]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto since = make_master(instance);
    auto out = instance.set_tracker(since + 100ms, "ingress", Tracker{false, -30, "503"});
    CHECK(out.actions == Actions{sent(70)});
    CHECK(instance.state() == State::master);
    CHECK(instance.effective_priority() == 70);
    CHECK(out.next_deadline == since + 1100ms);
    instance.set_tracker(since + 200ms, "disk", Tracker{false, -100, "full"});
    CHECK(instance.effective_priority() == 1);
    instance.set_tracker(since + 300ms, "disk", Tracker{true, -100, "ok"});
    out = instance.set_tracker(since + 400ms, "ingress", Tracker{true, -30, "200"});
    CHECK(out.actions == Actions{sent(100)});

    Instance owner(our_config(kOwnerPriority));
    owner.set_tracker(kT0, "boost", Tracker{false, 10, ""});
    CHECK(owner.effective_priority() == 254);  // a weight never makes an owner
}

TEST_CASE("Trackers: a backup's Skew_Time follows its effective priority", "[vrrp][guards]") {
    Instance instance(our_config(200));
    instance.start(kT0);
    instance.set_tracker(kT0, "ingress", Tracker{false, -100, ""});
    CHECK(instance.skew_time() == 609'375us);  // (256 - 100) / 256 s
}

TEST_CASE(
    "Self-healing: a VIP deleted under a master is put back and announced at once; a backup "
    "ignores it",
    "[vrrp][guards]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    CHECK(instance.address_removed(kT0 + 1s, address("10.0.0.100")).actions.empty());
    const auto since = make_master(instance);
    auto out = instance.address_removed(since + 1ms, address("10.0.0.100"));
    CHECK(out.actions == Actions{RestoreAddress{address("10.0.0.100"), true}, AnnounceAddresses{}});
    out = instance.address_removed(since + 2ms, address("10.0.0.100"));
    CHECK(out.actions ==
          Actions{RestoreAddress{address("10.0.0.100"), false}, AnnounceAddresses{}});
    // Not one of ours: the node's own addresses are someone else's business.
    CHECK(instance.address_removed(since + 3ms, address("10.0.0.7")).actions.empty());
}

TEST_CASE("Self-healing: an unadvertised VIP of the other family is restored too",
          "[vrrp][guards]") {
    auto config = our_config(100);
    config.unadvertised_addresses = {address("fd00::100")};
    Instance instance(config);
    instance.start(kT0);
    const auto since = make_master(instance);
    CHECK(first<RestoreAddress>(instance.address_removed(since, address("fd00::100"))));
}

TEST_CASE("Simulated link: a deleted VIP is back on the master at the same instant",
          "[vrrp][guards][scenario]") {
    FakeLink link(100us);
    const auto a = link.add(router_config(150, "10.0.0.1"));
    const auto b = link.add(router_config(100, "10.0.0.2"));
    link.start(a);
    link.start(b);
    link.run_until(kT0 + 10s);
    REQUIRE(link.holds_addresses(a));
    link.delete_addresses(a);
    CHECK(link.holds_addresses(a));
    link.delete_addresses(b);  // a backup holds nothing to restore
    CHECK_FALSE(link.holds_addresses(b));
}

TEST_CASE(
    "VIP conflict: a claim of a VIP while we are master is counted at once and reported when "
    "Master_Down_Interval later no election explains it, once a minute per VIP",
    "[vrrp][guards]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const MacAddress mac{0x02, 0, 0, 0, 0x99, 0x99};
    const auto vip = address("10.0.0.100");
    CHECK(instance.address_claimed(kT0 + 1s, vip, mac).actions.empty());  // backup: not ours
    const auto since = make_master(instance);
    const auto report_at = since + 1s + instance.master_down_interval();

    auto out = instance.address_claimed(since + 1s, vip, mac);
    CHECK(out.actions == Actions{AddressConflict{vip, mac}});
    out = instance.expire(report_at - 1us);
    CHECK_FALSE(first<ReportConflict>(out));
    CHECK(instance.next_deadline() == report_at);
    out = instance.expire(report_at);
    CHECK(first<ReportConflict>(out) == ReportConflict{vip, mac});

    // Again 5 s later: counted, not reported within the minute.
    CHECK(instance.address_claimed(report_at + 5s, vip, mac).actions ==
          Actions{AddressConflict{vip, mac}});
    CHECK_FALSE(first<ReportConflict>(instance.expire(report_at + 10s)));
    CHECK(instance.address_claimed(since + 3s, address("10.0.0.7"), mac).actions.empty());
    CHECK(instance.state() == State::master);
}

TEST_CASE(
    "VIP conflict: two backups that became master together see each other's announcements; "
    "neither reports them, whichever comes first of the claim and the rival's advert",
    "[vrrp][guards]") {
    const MacAddress rival_mac{0x02, 0, 0, 0, 0x33, 0x33};
    const auto vip = address("10.0.0.100");
    const auto late = 10s;  // well past Master_Down_Interval (3.6 s)

    SECTION("the loser: the claim, then the winner's advert (equal priority, higher address)") {
        Instance loser(our_config(100));  // 10.0.0.2
        loser.start(kT0);
        const auto since = make_master(loser);
        CHECK(loser.address_claimed(since + 1ms, vip, rival_mac).actions ==
              Actions{AddressConflict{vip, rival_mac}});
        loser.receive(since + 2ms, advert_from("10.0.0.3", 100));
        REQUIRE(loser.state() == State::backup);
        CHECK_FALSE(first<ReportConflict>(loser.expire(since + late)));
    }
    SECTION("the winner: the loser's advert, then its claim (another socket, a later read)") {
        Instance winner(our_config(100));  // 10.0.0.2 against 10.0.0.1
        winner.start(kT0);
        const auto since = make_master(winner);
        winner.receive(since + 1ms, advert_from("10.0.0.1", 100));
        winner.address_claimed(since + 2ms, vip, rival_mac);
        REQUIRE(winner.state() == State::master);
        CHECK_FALSE(first<ReportConflict>(winner.expire(since + late)));
        // Long after the election, a claim is news again.
        winner.address_claimed(since + 1min, vip, rival_mac);
        CHECK(first<ReportConflict>(winner.expire(since + 1min + late)));
    }
}

TEST_CASE(
    "No amplification: a flood of resignations or lower adverts from a peer gets at most one "
    "reply per quarter interval, each answered within it",
    "[vrrp][guards]") {
    auto config = our_config(100);
    config.advert_interval = 100ms;
    Instance instance(config);
    instance.start(kT0);
    auto now = make_master(instance);
    std::size_t adverts = 0;
    std::size_t announcements = 0;
    const auto count = [&](const Output& out) {
        adverts += count_of(
            out, [](const Action& a) { return std::holds_alternative<SendAdvertisement>(a); });
        announcements += count_of(
            out, [](const Action& a) { return std::holds_alternative<AnnounceAddresses>(a); });
    };
    const auto end = now + 5s;
    std::size_t received = 0;
    for (; now < end; now += 100us, ++received) {  // 50,000 adverts in 5 s
        while (instance.next_deadline() && *instance.next_deadline() <= now) {
            count(instance.expire(*instance.next_deadline()));
        }
        count(instance.receive(now, advert_from(kPeerAddress, received % 2 == 0 ? 0 : 50)));
        REQUIRE(instance.state() == State::master);
    }
    CHECK(received == 50'000);
    // 4 replies per 100 ms interval at most: 200 in 5 s, plus the scheduled ones cut short.
    CHECK(adverts <= 201);
    CHECK(adverts >= 150);
    CHECK(announcements <= 6);  // at most one a second
}

TEST_CASE("No log flood: an advert with another VIP list warns once a minute per source",
          "[vrrp][guards]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    auto other_list = advert_from(kPeerAddress, 200);
    other_list.advert.addresses = {address("10.0.0.101")};
    std::size_t warnings = 0;
    for (int i = 0; i < 1000; ++i) {
        warnings += warned(instance.receive(kT0 + i * 10ms, other_list)) ? 1 : 0;
    }
    CHECK(warnings == 1);
    CHECK(warned(instance.receive(kT0 + 61s, other_list)));
}

TEST_CASE(
    "Announce again: a new master announces a second time after the repeat delay, as part of "
    "next_deadline(), and not once it has left Master",
    "[vrrp][guards]") {
    auto config = our_config(100);
    config.announce_repeat_delay = 2500ms;
    Instance instance(config);
    instance.start(kT0);
    const auto since = make_master(instance);
    CHECK(instance.next_deadline() == since + 1s);
    instance.expire(since + 1s);
    instance.expire(since + 2s);
    CHECK(instance.next_deadline() == since + 2500ms);
    CHECK(instance.expire(since + 2500ms).actions == Actions{AnnounceAddresses{}});
    CHECK(instance.next_deadline() == since + 3s);

    Instance stepping_down(config);
    stepping_down.start(kT0);
    const auto became = make_master(stepping_down);
    stepping_down.receive(became + 1s, advert_from(kPeerAddress, 200));
    REQUIRE(stepping_down.state() == State::backup);
    CHECK(stepping_down.next_deadline() == became + 1s + 3'609'375us);
}

TEST_CASE("Rate limiter: bounded memory, the oldest key forgotten first", "[vrrp][guards]") {
    RateLimiter<int> limiter;
    for (int key = 0; key < 200; ++key) CHECK(limiter.allow(key, kT0 + key * 1ms, 1min));
    CHECK(limiter.size() == RateLimiter<int>::kMaxKeys);
    CHECK_FALSE(limiter.allow(199, kT0 + 1s, 1min));
    CHECK(limiter.allow(0, kT0 + 1s, 1min));  // forgotten long ago
}

TEST_CASE("Unicast: a master hearing a lower rival refreshes its neighbour entry, once a second",
          "[vrrp][guards]") {
    Instance instance(unicast_config(100, kOwnAddress, {kPeerAddress}));
    instance.start(kT0);
    const auto since = make_master(instance);
    auto out = instance.receive(since + 1ms, advert_from(kPeerAddress, 99));
    CHECK(refreshed(out) == address(kPeerAddress));
    out = instance.receive(since + 500ms, advert_from(kPeerAddress, 99));
    CHECK(refreshed(out) == std::nullopt);
}

TEST_CASE(
    "Peers: a demoted node's float keeps hearing the master for the departure grace, so it does "
    "not take the VIP before its own anchor makes it resign",
    "[vrrp][guards]") {
    Instance instance(unicast_config(100, kOwnAddress, {kPeerAddress, "10.0.0.4"}));
    instance.start(kT0);
    auto since = make_master(instance);
    // The managers' list without 10.0.0.4 (demoted) reaches this master first.
    instance.set_peers(since + 100ms, {address(kPeerAddress)});
    const Actions to_both{SendAdvertisement{100, {address(kPeerAddress), address("10.0.0.4")}}};
    for (int advert = 0; advert < 4; ++advert) {
        const auto at = *instance.next_deadline();
        CHECK(instance.expire(at).actions == to_both);
    }
    // Its adverts still count meanwhile: its float resigning is heard, not dropped.
    CHECK_FALSE(
        dropped(instance.receive(*instance.next_deadline() - 100ms, advert_from("10.0.0.4", 0))));
    // Promoted again within the grace: an ordinary peer once more, never dropped later.
    instance.set_peers(*instance.next_deadline() - 50ms,
                       {address(kPeerAddress), address("10.0.0.4")});
    while (*instance.next_deadline() < since + 100ms + kPeerDepartureGrace + 2s) {
        CHECK(instance.expire(*instance.next_deadline()).actions == to_both);
    }
    // Not promoted again: after the grace it is neither sent to nor heard.
    instance.set_peers(*instance.next_deadline() - 50ms, {address(kPeerAddress)});
    const auto gone = *instance.next_deadline() + kPeerDepartureGrace;
    while (*instance.next_deadline() < gone) instance.expire(*instance.next_deadline());
    CHECK(instance.expire(*instance.next_deadline()).actions ==
          Actions{SendAdvertisement{100, {address(kPeerAddress)}}});
    CHECK(dropped(instance.receive(*instance.next_deadline() - 100ms,
                                   advert_from("10.0.0.4", 0))) == DropReason::unknown_source);
}
