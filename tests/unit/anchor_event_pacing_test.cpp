// How fast the anchor reconnects its event streams and reconciles under a storm, on simulated
// time: the engines behind these figures (a stream that ends at once, 250 events a second) are
// the faults of tests/integration/test_anchor_engine_faults.sh.
#include <catch2/catch.hpp>
#include <optional>
#include <vector>

#include "keepalived_swarm/docker/event_stream.hpp"
#include "roles/anchor/decisions.hpp"
#include "roles/anchor/event_pacing.hpp"

using namespace ks::roles::anchor;
using ks::docker::StreamReconnectPacer;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("a stream that ends right after it starts is reconnected with growing delays",
          "[anchor][pacing]") {
    StreamReconnectPacer pacer;
    auto now = Clock::time_point{} + 1h;
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 9; ++i) {
        pacer.subscribed(now);
        now += 5ms;  // the engine ends it at once
        const auto reconnect = pacer.ended(now);
        CHECK_FALSE(reconnect.was_stable);
        delays.push_back(reconnect.delay);
        now += reconnect.delay;
    }
    // The delay grows although every subscription succeeded, up to its cap.
    CHECK(delays == std::vector<std::chrono::milliseconds>{200ms, 400ms, 800ms, 1600ms, 3200ms,
                                                           6400ms, 10s, 10s, 10s});
}

TEST_CASE("reconnects over 3 s against a stream that ends at once are few", "[anchor][pacing]") {
    StreamReconnectPacer pacer;
    const auto start = Clock::time_point{} + 1h;
    auto now = start;
    int subscriptions = 0;
    while (now - start < 3s) {
        pacer.subscribed(now);
        ++subscriptions;
        now += 2ms;
        now += pacer.ended(now).delay;
    }
    // Without backoff: 15 (one per 200 ms), each with a full reconcile.
    CHECK(subscriptions <= 5);
}

TEST_CASE("the reconnect delay starts over only after a stream stayed up a while",
          "[anchor][pacing]") {
    StreamReconnectPacer pacer;
    auto now = Clock::time_point{} + 1h;
    pacer.subscribed(now);
    CHECK(pacer.ended(now += 10ms).delay == 200ms);
    pacer.subscribed(now += 200ms);
    CHECK(pacer.ended(now += 10ms).delay == 400ms);
    // A failed subscription (no subscribed()) counts as an end too.
    CHECK(pacer.ended(now += 400ms).delay == 800ms);
    pacer.subscribed(now += 800ms);
    const auto after_stable_run = pacer.ended(now += 31s);
    CHECK(after_stable_run.was_stable);
    CHECK(after_stable_run.delay == 200ms);
    pacer.subscribed(now += 200ms);
    CHECK(pacer.ended(now += 29s).delay == 400ms);
}

TEST_CASE("quick stream ends: two are logged, then a summary at most every 30 s",
          "[anchor][pacing]") {
    StreamReconnectPacer pacer;
    const auto start = Clock::time_point{} + 1h;
    auto now = start;
    int reports = 0;
    int ends = 0;
    int summed = 0;
    while (now - start < 95s) {
        pacer.subscribed(now);
        now += 1ms;
        const auto reconnect = pacer.ended(now);
        ++ends;
        // The second end in a row is the one that says the stream keeps ending.
        CHECK(reconnect.keeps_ending == (ends >= 2));
        if (reconnect.report) {
            ++reports;
            summed += reconnect.ends_since_report;
        }
        now += reconnect.delay;
    }
    CHECK(reports == 5);  // at 0 s and 0.2 s, then at 32.6 s, 62.6 s and 92.6 s
    CHECK(ends > reports);
    CHECK(summed <= ends);
    CHECK(summed >= ends - 3);  // the ends since the last report are not lost from the count

    // The end of a stream that was stable is news, whenever it comes.
    pacer.subscribed(now);
    const auto stable_end = pacer.ended(now + 40s);
    CHECK(stable_end.report);
    CHECK(stable_end.was_stable);
    CHECK_FALSE(stable_end.keeps_ending);
}

TEST_CASE("a few reconciles in a row start at once, then one a second", "[anchor][pacing]") {
    ReconcilePacer pacer(3, 1s);
    const auto t0 = Clock::time_point{} + 1h;
    // A float removed by hand: "die" and "destroy" a moment apart, each handled at once.
    CHECK(pacer.start_at(t0) == t0);
    pacer.started(t0);
    CHECK(pacer.start_at(t0 + 10ms) == t0 + 10ms);
    pacer.started(t0 + 10ms);
    CHECK(pacer.start_at(t0 + 20ms) == t0 + 20ms);
    pacer.started(t0 + 20ms);
    // The burst is spent: the next waits for the pace.
    CHECK(pacer.start_at(t0 + 30ms) == t0 + 1s);
    pacer.started(t0 + 1s);
    CHECK(pacer.start_at(t0 + 1s + 5ms) == t0 + 2s);
    // After a quiet spell the whole burst is there again.
    const auto later = t0 + 1min;
    for (int i = 0; i < 3; ++i) {
        CHECK(pacer.start_at(later + i * 1ms) == later + i * 1ms);
        pacer.started(later + i * 1ms);
    }
    CHECK(pacer.start_at(later + 3ms) > later + 3ms);
}

TEST_CASE("an event storm of 250 events a second gives about one reconcile a second",
          "[anchor][pacing]") {
    // The anchor's loop on simulated time: an event every 4 ms asks for a reconcile (several
    // asks before a start count as one); a reconcile takes 5 ms.
    ReconcilePacer pacer(3, 1s);
    const auto start = Clock::time_point{} + 1h;
    bool asked = false;
    int reconciles = 0;
    std::optional<Clock::time_point> running_until;
    for (auto now = start; now - start < 10s; now += 1ms) {
        if ((now - start) % 4ms == 0ms) asked = true;
        if (running_until && now >= *running_until) running_until.reset();
        if (!running_until && asked && now >= pacer.start_at(now)) {
            asked = false;
            pacer.started(now);
            ++reconciles;
            running_until = now + 5ms;
        }
    }
    // Without coalescing: one per event, 2,500. With it: the burst of 3, then one a second.
    CHECK(reconciles >= 10);
    CHECK(reconciles <= 13);
}

TEST_CASE("the stop deadline leaves the float its grace, and is at least 10 s", "[anchor]") {
    CHECK(shutdown_budget(5s) == 10s);
    CHECK(shutdown_budget(0s) == 10s);
    CHECK(shutdown_budget(20s) == 25s);
}
