#pragma once
// How fast the anchor answers Docker events, as pure decisions on time points so each rule is
// unit-tested without an engine. An engine that ends every event stream at once, or sends a
// storm of events, must not make the anchor hammer it: reconnects back off until a stream has
// proven stable, and reconciles asked for in quick succession are run as one.

#include <chrono>
#include <optional>

#include "roles/anchor/decisions.hpp"

namespace ks::roles::anchor {

/// When to reconnect an event stream that ended, and when to say so in the log.
class StreamReconnectPacer {
public:
    using Clock = std::chrono::steady_clock;

    struct Settings {
        std::chrono::milliseconds first_delay{200};
        std::chrono::milliseconds longest_delay{10000};
        /// A stream that stayed subscribed this long was healthy: the next reconnect is quick.
        /// Resetting on every subscription instead would let a stream that the engine ends
        /// right after its 200 reconnect at the first delay forever.
        std::chrono::milliseconds stable_after{30000};
        /// At most one log line per this much time about ends that follow each other.
        std::chrono::milliseconds report_every{30000};
    };

    /// What to do after an end.
    struct Reconnect {
        std::chrono::milliseconds delay{0};  ///< wait this long before subscribing again
        /// Log this end: the end of a stable stream, the first two of a run of quick ends (the
        /// second shows it is a run), then one at most every report_every.
        bool report = false;
        int ends_since_report = 0;  ///< ends since the last logged one, this one included
        bool was_stable = false;    ///< the stream had been up for stable_after
        bool keeps_ending = false;  ///< the previous end was a quick one too
    };

    StreamReconnectPacer() : StreamReconnectPacer(Settings{}) {}
    explicit StreamReconnectPacer(Settings settings)
        : settings_(settings), backoff_(settings.first_delay, settings.longest_delay) {}

    /// The engine accepted the subscription at `now`.
    void subscribed(Clock::time_point now) { subscribed_at_ = now; }
    /// The stream ended at `now`, or the subscription failed (then subscribed() was not called
    /// since the previous end).
    Reconnect ended(Clock::time_point now);

private:
    Settings settings_;
    util::Backoff backoff_;
    std::optional<Clock::time_point> subscribed_at_;
    std::optional<Clock::time_point> reported_at_;
    int ends_since_report_ = 0;
    int quick_ends_in_a_row_ = 0;
};

/// When a reconcile that was asked for may start. A few in quick succession start at once (a
/// float removed by hand brings "die" and "destroy" a moment apart, and the second must not
/// delay its replacement); past that burst, one per `interval`. However many events ask while
/// a reconcile runs or waits, they make one more: the caller's wake-up util::Signal folds them.
class ReconcilePacer {
public:
    using Clock = std::chrono::steady_clock;

    ReconcilePacer(int burst, std::chrono::milliseconds interval)
        : burst_(burst), interval_(interval) {}

    /// The earliest start of a reconcile asked for at `now`.
    Clock::time_point start_at(Clock::time_point now) const;
    /// A reconcile started at `now`.
    void started(Clock::time_point now);

private:
    int burst_;
    std::chrono::milliseconds interval_;
    /// When the pace would allow a burst again; each start pushes it one interval further.
    std::optional<Clock::time_point> full_again_at_;
};

}  // namespace ks::roles::anchor
