// The state machine's extensions to RFC 5798, from keepalived: preempt delay, a tracked dependency
// (the tether to the anchor) that puts the router in Fault, and priority changes at run time.

#include <catch2/catch.hpp>

#include "tests/unit/vrrp_test_support.hpp"

using namespace ks::vrrp;
using namespace ks::vrrp::testing;
using namespace std::chrono_literals;

namespace {

/// Our router at priority 200 with a 5 s preempt delay, started at T0, that heard a priority 100
/// master at T0+1 s.
Instance preempter_hearing_lower_master() {
    auto config = our_config(200);
    config.preempt_delay = 5s;
    Instance instance(config);
    instance.start(kT0);
    instance.receive(kT0 + 1s, advert_from(kPeerAddress, 100));
    return instance;
}

}  // namespace

TEST_CASE(
    "Preempt delay: a lower-priority master is tolerated for the delay after it is first "
    "heard, then preempted",
    "[vrrp][instance]") {
    auto instance = preempter_hearing_lower_master();
    CHECK(instance.next_deadline() == kT0 + 1s + 3'218'750us);
    // Heard first at T0+1 s: tolerated until T0+6 s, each advert resetting Master_Down_Timer.
    for (const auto at : {3'000'000us, 5'999'999us}) {
        const auto out = instance.receive(kT0 + at, advert_from(kPeerAddress, 100));
        CHECK(out.actions.empty());
        CHECK(out.next_deadline == kT0 + at + 3'218'750us);
    }
    for (const auto at : {6s, 7s, 8s, 9s}) {
        CHECK(instance.receive(kT0 + at, advert_from(kPeerAddress, 100)).next_deadline ==
              kT0 + 9'218'749us);
    }
    CHECK(instance.expire(kT0 + 9'218'749us).actions.back() ==
          Action{change(State::backup, State::master, Reason::master_down)});
}

TEST_CASE(
    "Preempt delay: a router back from Fault tolerates a lower-priority master for the "
    "whole delay again",
    "[vrrp][instance]") {
    auto instance = preempter_hearing_lower_master();
    instance.set_tracker(kT0 + 2s, kTether, kDown);
    instance.set_tracker(kT0 + 100s, kTether, kUp);
    const auto out = instance.receive(kT0 + 101s, advert_from(kPeerAddress, 100));
    CHECK(out.next_deadline == kT0 + 101s + 3'218'750us);
}

TEST_CASE(
    "Preempt delay: a lower-priority master that appears after we were master is "
    "tolerated for the whole delay",
    "[vrrp][instance]") {
    auto instance = preempter_hearing_lower_master();
    const auto since = make_master(instance);                    // the lower master was preempted
    instance.receive(since + 1s, advert_from("10.0.0.4", 250));  // a better one takes over
    REQUIRE(instance.state() == State::backup);
    const auto out = instance.receive(since + 2s, advert_from(kPeerAddress, 100));
    CHECK(out.next_deadline == since + 2s + 3'218'750us);
}

TEST_CASE(
    "Tracked dependency lost: a master resigns with priority 0, removes the addresses and "
    "enters Fault with no timer",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    make_master(instance);
    const auto out = instance.set_tracker(kT0 + 4s, kTether, kDown);
    CHECK(out.actions ==
          Actions{sent(0), RemoveAddresses{},
                  change(State::master, State::fault, Reason::tracker_down, "tether")});
    CHECK(instance.state() == State::fault);
    CHECK(instance.effective_priority() == 0);
    CHECK(out.next_deadline == std::nullopt);
    CHECK(instance.expire(kT0 + 1h).actions.empty());
    // In Fault nothing competes: not even a resigning master starts a timer.
    const auto heard = instance.receive(kT0 + 5s, advert_from(kPeerAddress, 0));
    CHECK(heard.actions.empty());
    CHECK(heard.next_deadline == std::nullopt);
}

TEST_CASE(
    "Tracked dependency lost: a backup enters Fault with no timer, still noting who is "
    "master",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto out = instance.set_tracker(kT0 + 1s, kTether, kDown);
    CHECK(out.actions ==
          Actions{change(State::backup, State::fault, Reason::tracker_down, "tether")});
    CHECK(out.next_deadline == std::nullopt);
    CHECK(instance.set_tracker(kT0 + 2s, kTether, kDown).actions.empty());

    auto heard = instance.receive(kT0 + 3s, advert_from(kPeerAddress, 50));
    CHECK(heard.actions.empty());
    CHECK(heard.next_deadline == std::nullopt);
    CHECK(instance.master_address() == address(kPeerAddress));
    heard = instance.receive(kT0 + 4s, advert_from(kPeerAddress, 0));
    CHECK(heard.next_deadline == std::nullopt);
    CHECK(instance.master_address() == std::nullopt);
}

TEST_CASE("Tracked dependency regained: Fault becomes Backup with a fresh Master_Down_Timer",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    instance.receive(kT0 + 1s, advert_from(kPeerAddress, 200, Centiseconds(200)));
    instance.set_tracker(kT0 + 2s, kTether, kDown);
    const auto out = instance.set_tracker(kT0 + 10s, kTether, kUp);
    CHECK(out.actions ==
          Actions{change(State::fault, State::backup, Reason::tracker_up, "tether")});
    CHECK(instance.effective_priority() == 100);
    CHECK(instance.master_advert_interval() == 1s);  // our own again: no master heard since
    CHECK(out.next_deadline == kT0 + 10s + 3'609'375us);
    CHECK(instance.set_tracker(kT0 + 11s, kTether, kUp).actions.empty());
}

TEST_CASE("Startup while the tracked dependency is down enters Fault, even for the owner",
          "[vrrp][instance]") {
    Instance instance(our_config(kOwnerPriority));
    CHECK(instance.set_tracker(kT0, kTether, kDown).actions.empty());
    auto out = instance.start(kT0 + 1s);
    CHECK(out.actions ==
          Actions{change(State::initialize, State::fault, Reason::tracker_down, "tether")});
    CHECK(out.next_deadline == std::nullopt);

    out = instance.set_tracker(kT0 + 2s, kTether, kUp);
    CHECK(out.actions ==
          Actions{AddAddresses{}, AnnounceAddresses{}, sent(255),
                  change(State::fault, State::master, Reason::tracker_up, "tether")});
    CHECK(out.next_deadline == kT0 + 3s);
}

TEST_CASE("update() of the priority in Master advertises the new priority at once",
          "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    const auto since = make_master(instance);
    auto out = instance.update(since + 500ms, 120, true, 0s);
    CHECK(out.actions == Actions{sent(120)});
    CHECK(out.next_deadline == since + 1'500'000us);
    CHECK(instance.effective_priority() == 120);
    CHECK(instance.expire(since + 1'500'000us).actions == Actions{sent(120)});

    out = instance.update(since + 2s, 120, false, 0s);  // same priority: nothing to tell
    CHECK(out.actions.empty());
    CHECK(out.next_deadline == since + 2'500'000us);
}

TEST_CASE(
    "update() in Backup changes nothing now; the next advert is timed with the new "
    "priority",
    "[vrrp][instance]") {
    Instance instance(our_config(100));
    instance.start(kT0);
    auto out = instance.update(kT0 + 1s, 192, true, 0s);
    CHECK(out.actions.empty());
    CHECK(out.next_deadline == kT0 + 3'609'375us);
    out = instance.receive(kT0 + 2s, advert_from(kPeerAddress, 200));
    CHECK(out.next_deadline == kT0 + 5'250'000us);  // 3 s + (256 - 192) * 1 s / 256
}
