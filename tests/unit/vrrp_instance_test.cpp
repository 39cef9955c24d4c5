// One test per rule of the VRRP state machine (RFC 5798 section 6 and 7.1, RFC 3768 for v2), each
// asserting the exact actions, state and deadline on a hand-driven timeline.

#include <catch2/catch.hpp>

#include "tests/unit/vrrp_test_support.hpp"

using namespace ks::vrrp;
using namespace ks::vrrp::testing;
using namespace std::chrono_literals;

TEST_CASE(
    "RFC 5798 6.4.1: startup of a non-owner enters Backup with Master_Down_Timer = "
    "Master_Down_Interval",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    const auto out = instance.start(kT0);
    CHECK(out.actions == Actions{change(State::initialize, State::backup, Reason::startup)});
    CHECK(instance.state() == State::backup);
    CHECK(instance.master_advert_interval() == 1s);  // Master_Adver_Interval = our interval
    CHECK(instance.skew_time() == 609'375us);        // (256 - 100) * 1 s / 256
    CHECK(instance.master_down_interval() == 3'609'375us);
    CHECK(out.next_deadline == kT0 + 3'609'375us);
    CHECK(instance.next_deadline() == kT0 + 3'609'375us);
    CHECK(instance.master_address() == std::nullopt);
}

TEST_CASE(
    "RFC 5798 6.4.1: the address owner (priority 255) starts as Master: adds the "
    "addresses, advertises, announces, Adver_Timer = Advertisement_Interval",
    "[vrrp][instance]") {
    Instance instance(our_config(kOwnerPriority));
    const auto out = instance.start(kT0 + 7us);
    CHECK(out.actions == Actions{AddAddresses{}, AnnounceAddresses{}, sent(255),
                                 change(State::initialize, State::master, Reason::startup)});
    CHECK(instance.state() == State::master);
    CHECK(out.next_deadline == kT0 + 1'000'007us);
    CHECK(instance.master_address() == address(kOwnAddress));
}

TEST_CASE(
    "RFC 5798 6.1: VRRPv3 Skew_Time and Master_Down_Interval follow the interval the "
    "master advertises, recomputed on every advert",
    "[vrrp][instance]") {
    Instance instance(our_config(192));  // (256 - 192) / 256 = a quarter of the interval
    instance.start(kT0);
    CHECK(instance.next_deadline() == kT0 + 3'250'000us);

    auto out = instance.receive(kT0 + 1s, advert_from(kPeerAddress, 200, Centiseconds(200)));
    CHECK(out.actions.empty());
    CHECK(instance.master_advert_interval() == 2s);
    CHECK(instance.skew_time() == 500ms);
    CHECK(instance.master_down_interval() == 6'500'000us);
    CHECK(out.next_deadline == kT0 + 7'500'000us);
    CHECK(instance.master_address() == address(kPeerAddress));

    out = instance.receive(kT0 + 2s, advert_from(kPeerAddress, 200, Centiseconds(50)));
    CHECK(instance.master_advert_interval() == 500ms);
    CHECK(instance.skew_time() == 125ms);
    CHECK(instance.master_down_interval() == 1'625'000us);
    CHECK(out.next_deadline == kT0 + 3'625'000us);
}

TEST_CASE(
    "RFC 3768 6.1: VRRPv2 Skew_Time is (256 - Priority) / 256 seconds whatever the "
    "interval, and Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time",
    "[vrrp][instance]") {
    auto config = router_config(192, kOwnAddress, Version::v2);
    config.advert_interval = 3s;
    Instance instance(config);
    instance.start(kT0);
    CHECK(instance.skew_time() == 250ms);  // not a quarter of 3 s as VRRPv3 would have it
    CHECK(instance.master_down_interval() == 9'250'000us);
    CHECK(instance.next_deadline() == kT0 + 9'250'000us);

    const auto out = instance.receive(kT0 + 1s, v2_advert_from(kPeerAddress, 200, 3s));
    CHECK(dropped(out) == std::nullopt);
    CHECK(out.next_deadline == kT0 + 10'250'000us);
}

TEST_CASE(
    "RFC 5798 6.4.2: when Master_Down_Timer fires a backup becomes Master: adds the "
    "addresses, advertises, announces, Adver_Timer = Advertisement_Interval",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto out = instance.expire(kT0 + 3'609'375us);
    CHECK(out.actions == Actions{AddAddresses{}, AnnounceAddresses{}, sent(100),
                                 change(State::backup, State::master, Reason::master_down)});
    CHECK(instance.state() == State::master);
    CHECK(out.next_deadline == kT0 + 4'609'375us);
    CHECK(instance.master_address() == address(kOwnAddress));
}

TEST_CASE("expire() called before the deadline does nothing", "[vrrp][instance]") {
    Instance instance(our_config(100));
    CHECK(instance.expire(kT0 + 1h).actions.empty());  // not started: no timer at all
    CHECK(instance.state() == State::initialize);

    instance.start(kT0);
    auto out = instance.expire(kT0 + 3'609'374us);
    CHECK(out.actions.empty());
    CHECK(instance.state() == State::backup);
    CHECK(out.next_deadline == kT0 + 3'609'375us);

    make_master(instance);
    out = instance.expire(kT0 + 4'609'374us);
    CHECK(out.actions.empty());
    CHECK(out.next_deadline == kT0 + 4'609'375us);
}

TEST_CASE(
    "RFC 5798 6.4.3: a master sends an advert every Advertisement_Interval (its own, not "
    "the previous master's)",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    // The previous master advertised 2 s; our own interval is 1 s.
    instance.receive(kT0 + 1s, advert_from(kPeerAddress, 200, Centiseconds(200)));
    const auto became_master = make_master(instance);
    CHECK(became_master == kT0 + 1s + 7'218'750us);  // 3 * 2 s + (256 - 100) * 2 s / 256
    CHECK(instance.next_deadline() == became_master + 1s);
    for (int tick = 1; tick <= 3; ++tick) {
        const auto out = instance.expire(became_master + tick * 1s);
        CHECK(out.actions == Actions{sent(100)});
        CHECK(out.next_deadline == became_master + (tick + 1) * 1s);
    }
    CHECK(instance.state() == State::master);
}

TEST_CASE(
    "A master woken late keeps its adverts' phase; after a stall of more than an interval it "
    "sends one advert, not a burst",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto became_master = make_master(instance);
    // Woken 3 ms late: the next advert is still due one interval after this one was due.
    auto out = instance.expire(became_master + 1s + 3ms);
    CHECK(out.actions == Actions{sent(100)});
    CHECK(out.next_deadline == became_master + 2s);
    // Woken 2.5 intervals late: one advert now, the next an interval later.
    out = instance.expire(became_master + 4'500ms);
    CHECK(out.actions == Actions{sent(100)});
    CHECK(out.next_deadline == became_master + 5'500ms);
    CHECK(instance.expire(became_master + 5'499ms).actions.empty());
}

TEST_CASE("RFC 5798 6.4.2: a backup hearing priority 0 sets Master_Down_Timer to Skew_Time",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    instance.receive(kT0 + 1s, advert_from(kPeerAddress, 200, Centiseconds(200)));
    const auto out = instance.receive(kT0 + 2s, advert_from(kPeerAddress, 0, Centiseconds(200)));
    CHECK(out.actions.empty());
    CHECK(instance.state() == State::backup);
    // Skew_Time from the master's 2 s interval: (256 - 100) * 2 s / 256.
    CHECK(out.next_deadline == kT0 + 2s + 1'218'750us);
    CHECK(instance.master_address() == std::nullopt);
    CHECK(instance.expire(kT0 + 3'218'750us).actions.at(2) == Action{sent(100)});
    CHECK(instance.state() == State::master);
}

TEST_CASE(
    "RFC 5798 6.4.3: a master hearing priority 0 sends an advert at once and resets "
    "Adver_Timer",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    make_master(instance);  // at T0+3.609375 s, next advert due at T0+4.609375 s
    const auto out = instance.receive(kT0 + 4s, advert_from(kPeerAddress, 0));
    CHECK(out.actions == Actions{sent(100)});
    CHECK(instance.state() == State::master);
    CHECK(out.next_deadline == kT0 + 5s);
}

TEST_CASE("RFC 5798 6.4.2: with Preempt_Mode false a backup accepts a lower-priority master",
          "[vrrp][instance]") {
    auto config = our_config(200);
    config.preempt = false;
    Instance instance(config);
    instance.start(kT0);
    auto out = instance.receive(kT0 + 1s, advert_from(kPeerAddress, 100));
    CHECK(out.actions.empty());
    CHECK(dropped(out) == std::nullopt);
    CHECK(out.next_deadline == kT0 + 1s + 3'218'750us);  // 3 s + (256 - 200) * 1 s / 256
    CHECK(instance.master_address() == address(kPeerAddress));
    out = instance.receive(kT0 + 4s, advert_from(kPeerAddress, 100));
    CHECK(out.next_deadline == kT0 + 7'218'750us);
    CHECK(instance.state() == State::backup);
}

TEST_CASE(
    "RFC 5798 6.4.2: with Preempt_Mode true a backup discards a lower-priority master and "
    "takes over when Master_Down_Timer fires",
    "[vrrp][instance]") {
    Instance instance(our_config(200));
    instance.start(kT0);
    for (const auto at : {1s, 2s, 3s}) {
        const auto out = instance.receive(kT0 + at, advert_from(kPeerAddress, 100));
        CHECK(out.actions.empty());
        CHECK(out.next_deadline == kT0 + 3'218'750us);
    }
    const auto out = instance.expire(kT0 + 3'218'750us);
    CHECK(out.actions.back() == Action{change(State::backup, State::master, Reason::master_down)});
}

TEST_CASE(
    "RFC 5798 6.4.2: a backup accepts an advert of its own priority even with "
    "Preempt_Mode true",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto out = instance.receive(kT0 + 1s, advert_from("10.0.0.1", 100));  // lower address
    CHECK(out.actions.empty());
    CHECK(out.next_deadline == kT0 + 4'609'375us);
}

TEST_CASE(
    "RFC 5798 6.4.3: a master hearing its own priority from a higher primary address "
    "steps down",
    "[vrrp][instance]") {
    // 10.0.0.10 is above 10.0.0.9 as a number, though not as text.
    Instance instance(router_config(100, "10.0.0.9"));
    instance.start(kT0);
    const auto since = make_master(instance);
    const auto out = instance.receive(since + 10us, advert_from("10.0.0.10", 100));
    CHECK(out.actions == Actions{RemoveAddresses{},
                                 change(State::master, State::backup, Reason::higher_priority)});
    CHECK(instance.state() == State::backup);
    CHECK(out.next_deadline == since + 10us + 3'609'375us);
    CHECK(instance.master_address() == address("10.0.0.10"));
}

TEST_CASE(
    "RFC 5798 6.4.3: a master hearing its own priority from a lower primary address stays "
    "master, and asserts itself at once (advert and announcement, as keepalived)",
    "[vrrp][instance]") {
    Instance instance(router_config(100, "10.0.0.10"));
    instance.start(kT0);
    const auto since = make_master(instance);
    const auto out = instance.receive(since + 10us, advert_from("10.0.0.9", 100));
    CHECK(out.actions == Actions{AnnounceAddresses{}, sent(100)});
    CHECK(instance.state() == State::master);
    CHECK(out.next_deadline == since + 10us + 1s);
}

TEST_CASE(
    "RFC 5798 6.4.3: a master hearing a higher priority steps down, removes the addresses "
    "and times the new master with its interval, whatever its Preempt_Mode",
    "[vrrp][instance]") {
    for (const bool preempt : {true, false}) {
        INFO("preempt " << preempt);
        auto config = our_config(100);
        config.preempt = preempt;
        Instance instance(config);
        instance.start(kT0);
        const auto since = make_master(instance);
        // A lower address: priority decides before addresses do.
        const auto out =
            instance.receive(since + 1ms, advert_from("10.0.0.1", 150, Centiseconds(200)));
        CHECK(out.actions == Actions{RemoveAddresses{}, change(State::master, State::backup,
                                                               Reason::higher_priority)});
        CHECK(instance.master_advert_interval() == 2s);
        CHECK(out.next_deadline == since + 1ms + 7'218'750us);  // 3 * 2 s + 156 * 2 s / 256
        CHECK(instance.master_address() == address("10.0.0.1"));
    }
}

TEST_CASE(
    "RFC 5798 6.4.3: a master stays master on an advert of lower priority; it advertises at once "
    "and announces the VIPs again, at most once a second",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto since = make_master(instance);
    auto out = instance.receive(since + 1ms, advert_from("10.0.0.200", 99));
    CHECK(out.actions == Actions{AnnounceAddresses{}, sent(100)});
    CHECK(refreshed(out) == std::nullopt);  // multicast: no neighbour entry to refresh
    CHECK(dropped(out) == std::nullopt);
    CHECK(instance.state() == State::master);
    CHECK(out.next_deadline == since + 1ms + 1s);
    // The rival keeps talking: adverts answer each time, announcements wait for the spacing.
    out = instance.receive(since + 500ms, advert_from("10.0.0.200", 99));
    CHECK(out.actions == Actions{sent(100)});
    out = instance.receive(since + 1ms + kConflictAnnounceSpacing - 1us,
                           advert_from("10.0.0.200", 99));
    CHECK(out.actions == Actions{sent(100)});
    // The advert just went out: this one is answered at the end of the reply spacing.
    const auto replied = since + 1ms + kConflictAnnounceSpacing - 1us;
    out = instance.receive(since + 1ms + kConflictAnnounceSpacing, advert_from("10.0.0.200", 99));
    CHECK(out.actions == Actions{AnnounceAddresses{}});
    CHECK(out.next_deadline == replied + 250ms);
    CHECK(instance.expire(replied + 250ms).actions == Actions{sent(100)});
    CHECK(instance.state() == State::master);
}

TEST_CASE("A new mastership announces again on its first conflict, however recent the last one",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    auto since = make_master(instance);
    CHECK(instance.receive(since + 1ms, advert_from("10.0.0.200", 99)).actions ==
          Actions{AnnounceAddresses{}, sent(100)});
    // A higher priority takes over, then disappears: we are master again within the second.
    instance.receive(since + 2ms, advert_from("10.0.0.201", 150, Centiseconds(10)));
    REQUIRE(instance.state() == State::backup);
    const auto down = since + 2ms + instance.master_down_interval();
    instance.expire(down);
    REQUIRE(instance.state() == State::master);
    CHECK(instance.receive(down + 1ms, advert_from("10.0.0.200", 99)).actions ==
          Actions{AnnounceAddresses{}, sent(100)});
}

TEST_CASE("Adverts sent from our own primary address (multicast loopback) are ignored",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    auto out = instance.receive(kT0 + 1s, advert_from(kOwnAddress, 255));
    CHECK(dropped(out) == DropReason::own_advert);
    CHECK(out.next_deadline == kT0 + 3'609'375us);

    make_master(instance);
    out = instance.receive(kT0 + 4s, advert_from(kOwnAddress, 0));
    CHECK(dropped(out) == DropReason::own_advert);
    CHECK(out.actions.size() == 1);  // the drop alone: no reply to ourselves
}

TEST_CASE("RFC 5798 7.1: an advert whose TTL is not 255 is dropped", "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    for (const int ttl : {254, 64, 1, 0}) {
        INFO("TTL " << ttl);
        auto received = advert_from(kPeerAddress, 0);
        received.ttl = static_cast<std::uint8_t>(ttl);
        const auto out = instance.receive(kT0 + 1s, received);
        CHECK(dropped(out) == DropReason::ttl);
        CHECK(out.next_deadline == kT0 + 3'609'375us);
    }
    CHECK(instance.receive(kT0 + 1s, advert_from(kPeerAddress, 0)).next_deadline ==
          kT0 + 1'609'375us);
}

TEST_CASE("RFC 5798 7.1: an advert of another VRRP version or address family is dropped",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    auto out = instance.receive(kT0 + 1s, v2_advert_from(kPeerAddress, 0));
    CHECK(dropped(out) == DropReason::version_mismatch);
    CHECK(out.next_deadline == kT0 + 3'609'375us);

    auto ipv6 = advert_from(kPeerAddress, 0);
    ipv6.source = address("fe80::3");
    ipv6.advert.addresses = {address("fd00::100")};
    out = instance.receive(kT0 + 1s, ipv6);
    CHECK(dropped(out) == DropReason::version_mismatch);
    CHECK(out.next_deadline == kT0 + 3'609'375us);

    Instance v2_instance(router_config(100, kOwnAddress, Version::v2));
    v2_instance.start(kT0);
    CHECK(dropped(v2_instance.receive(kT0 + 1s, advert_from(kPeerAddress, 0))) ==
          DropReason::version_mismatch);
}

TEST_CASE("RFC 5798 7.1: an advert for another VRID is dropped", "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    auto received = advert_from(kPeerAddress, 0);
    received.advert.vrid = static_cast<std::uint8_t>(kTestVrid + 1);
    const auto out = instance.receive(kT0 + 1s, received);
    CHECK(dropped(out) == DropReason::other_vrid);
    CHECK(out.next_deadline == kT0 + 3'609'375us);
}

TEST_CASE("RFC 3768 7.1: a VRRPv2 advert whose Adver Int differs from ours is dropped",
          "[vrrp][instance]") {
    Instance instance(router_config(100, kOwnAddress, Version::v2));
    instance.start(kT0);
    auto out = instance.receive(kT0 + 1s, v2_advert_from(kPeerAddress, 0, 2s));
    CHECK(dropped(out) == DropReason::interval_mismatch);
    CHECK(out.next_deadline == kT0 + 3'609'375us);
    out = instance.receive(kT0 + 1s, v2_advert_from(kPeerAddress, 0, 1s));
    CHECK(dropped(out) == std::nullopt);
    CHECK(out.next_deadline == kT0 + 1'609'375us);
}

TEST_CASE(
    "RFC 3768 7.1: a VRRPv2 advert whose address list differs from ours is dropped unless "
    "its sender is the owner (priority 255)",
    "[vrrp][instance]") {
    auto config = router_config(100, kOwnAddress, Version::v2);
    config.virtual_addresses = {address("10.0.0.100"), address("10.0.0.101")};
    Instance instance(config);
    instance.start(kT0);

    auto partial = v2_advert_from(kPeerAddress, 200);  // only 10.0.0.100
    auto out = instance.receive(kT0 + 1s, partial);
    CHECK(dropped(out) == DropReason::address_mismatch);
    CHECK(out.next_deadline == kT0 + 3'609'375us);
    partial.advert.priority = 0;
    CHECK(dropped(instance.receive(kT0 + 1s, partial)) == DropReason::address_mismatch);

    partial.advert.priority = kOwnerPriority;
    out = instance.receive(kT0 + 1s, partial);
    CHECK(dropped(out) == std::nullopt);
    CHECK(out.next_deadline == kT0 + 4'609'375us);

    auto reordered = v2_advert_from(kPeerAddress, 200);
    reordered.advert.addresses = {address("10.0.0.101"), address("10.0.0.100")};
    out = instance.receive(kT0 + 2s, reordered);
    CHECK(dropped(out) == std::nullopt);
    CHECK(out.next_deadline == kT0 + 5'609'375us);
}

TEST_CASE(
    "RFC 5798 7.1: a VRRPv3 advert whose address list differs from ours is accepted and "
    "flagged as a misconfiguration",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    auto other_list = advert_from(kPeerAddress, 200);
    other_list.advert.addresses = {address("10.0.0.101")};
    auto out = instance.receive(kT0 + 1s, other_list);
    CHECK(dropped(out) == std::nullopt);
    CHECK(warned(out));
    CHECK(out.next_deadline == kT0 + 4'609'375us);

    out = instance.receive(kT0 + 2s, advert_from(kPeerAddress, 200));
    CHECK_FALSE(warned(out));
}

TEST_CASE(
    "RFC 5798 6.4.3: shutdown of a master sends priority 0, removes the addresses and "
    "cancels Adver_Timer",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    make_master(instance);
    const auto out = instance.stop(kT0 + 4s);
    CHECK(out.actions == Actions{sent(0), RemoveAddresses{},
                                 change(State::master, State::initialize, Reason::shutdown)});
    CHECK(instance.state() == State::initialize);
    CHECK(out.next_deadline == std::nullopt);
    CHECK(instance.expire(kT0 + 10s).actions.empty());
}

TEST_CASE("RFC 5798 6.4.2: shutdown of a backup sends nothing and cancels Master_Down_Timer",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto out = instance.stop(kT0 + 1s);
    CHECK(out.actions == Actions{change(State::backup, State::initialize, Reason::shutdown)});
    CHECK(out.next_deadline == std::nullopt);
    CHECK(instance.expire(kT0 + 10s).actions.empty());
    CHECK(instance.state() == State::initialize);
}

TEST_CASE("A stopped instance ignores adverts and starts again from Initialize",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    CHECK(instance.receive(kT0, advert_from(kPeerAddress, 0)).next_deadline == std::nullopt);
    instance.start(kT0);
    CHECK(instance.start(kT0 + 1s).actions.empty());  // already started
    make_master(instance);
    instance.stop(kT0 + 5s);
    auto out = instance.receive(kT0 + 6s, advert_from(kPeerAddress, 0));
    CHECK(out.actions.empty());
    CHECK(out.next_deadline == std::nullopt);
    out = instance.start(kT0 + 7s);
    CHECK(out.actions == Actions{change(State::initialize, State::backup, Reason::startup)});
    CHECK(out.next_deadline == kT0 + 7s + 3'609'375us);
    CHECK(instance.master_address() == std::nullopt);
}

TEST_CASE(
    "RFC 5798 6.4.3 Accept_Mode: only the master holds the addresses, added before they are "
    "announced and removed whenever it leaves Master",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    bool holds = false;
    const auto apply = [&](const Output& out) {
        for (const auto& action : out.actions) {
            INFO(describe(action));
            if (std::holds_alternative<AddAddresses>(action)) {
                CHECK_FALSE(holds);
                holds = true;
            } else if (std::holds_alternative<RemoveAddresses>(action)) {
                CHECK(holds);
                holds = false;
            } else if (std::holds_alternative<AnnounceAddresses>(action)) {
                CHECK(holds);
            }
        }
        CHECK(holds == (instance.state() == State::master));
    };
    apply(instance.start(kT0));
    apply(instance.expire(*instance.next_deadline()));
    CHECK(holds);
    apply(instance.receive(kT0 + 4s, advert_from(kPeerAddress, 200)));
    apply(instance.expire(*instance.next_deadline()));
    apply(instance.set_tracker(kT0 + 20s, kTether, kDown));
    apply(instance.set_tracker(kT0 + 21s, kTether, kUp));
    apply(instance.expire(*instance.next_deadline()));
    CHECK(holds);
    apply(instance.stop(kT0 + 30s));
    CHECK_FALSE(holds);
}

TEST_CASE(
    "RFC 5798 7.1: the address owner (priority 255) discards every advertisement, even a "
    "priority 255 one from a higher address",
    "[vrrp][instance]") {
    Instance instance(our_config(kOwnerPriority));
    instance.start(kT0);
    const auto deadline = instance.next_deadline();
    for (std::uint8_t priority : {std::uint8_t{0}, std::uint8_t{254}, std::uint8_t{255}}) {
        const auto out = instance.receive(kT0 + 10ms, advert_from(kPeerAddress, priority));
        CHECK(dropped(out) == DropReason::owner_ignores);
        CHECK(out.actions.size() == 1);  // the drop alone
        CHECK(instance.state() == State::master);
        CHECK(instance.next_deadline() == deadline);
    }
}
