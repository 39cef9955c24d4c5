#pragma once
// Following a Docker event stream for as long as its owner runs, shared by the anchor and a float
// that watches the swarm itself. An engine that ends every stream at once must not turn the
// reconnects into a busy loop: they back off until a stream has proven stable, and the log says
// so once in a while instead of at every end. The pacing is a pure decision on time points, so
// each rule is unit-tested without an engine.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "keepalived_swarm/docker/client.hpp"
#include "keepalived_swarm/util/backoff.hpp"

namespace ks::docker {

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

/// What a follower needs from its owner besides the client and the filters.
struct EventFollowing {
    std::string what;                            ///< for the log: "swarm nodes"
    std::function<void()> resync;                ///< on every (re)subscription
    std::function<void(const Event&)> on_event;  ///< per event
    std::function<bool()> stopping;              ///< the owner stops: return
    /// The owner's cancellable sleep (its stop ends it early).
    std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)> sleep;
};

/// Follows `filters` on `client` until `following.stopping()`: `resync` on every subscription
/// (anything may have happened while it was down), `on_event` per event, reconnecting with
/// StreamReconnectPacer's pace. Cancel the client to end a stream in progress.
boost::asio::awaitable<void> follow_events(Client& client, Filters filters,
                                           EventFollowing following);

}  // namespace ks::docker
