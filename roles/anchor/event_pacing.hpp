#pragma once
// How fast the anchor answers Docker events, as a pure decision on time points so the rule is
// unit-tested without an engine: a storm of events must not make the anchor hammer the engine,
// so reconciles asked for in quick succession are run as one. (Reconnecting an event stream is
// docker::StreamReconnectPacer's.)

#include <chrono>
#include <optional>

namespace ks::roles::anchor {

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
