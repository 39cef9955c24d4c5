#include "keepalived_swarm/docker/event_stream.hpp"

#include "keepalived_swarm/log/log.hpp"

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::docker {

StreamReconnectPacer::Reconnect StreamReconnectPacer::ended(Clock::time_point now) {
    Reconnect reconnect;
    reconnect.was_stable = subscribed_at_ && now - *subscribed_at_ >= settings_.stable_after;
    subscribed_at_.reset();
    if (reconnect.was_stable) {
        backoff_.reset();
        quick_ends_in_a_row_ = 0;
    } else {
        ++quick_ends_in_a_row_;
    }
    reconnect.delay = backoff_.next_delay();
    reconnect.keeps_ending = quick_ends_in_a_row_ >= 2;

    ++ends_since_report_;
    reconnect.report = reconnect.was_stable || quick_ends_in_a_row_ <= 2 || !reported_at_ ||
                       now - *reported_at_ >= settings_.report_every;
    reconnect.ends_since_report = ends_since_report_;
    if (reconnect.report) {
        reported_at_ = now;
        ends_since_report_ = 0;
    }
    return reconnect;
}

boost::asio::awaitable<void> follow_events(Client& client, Filters filters,
                                           EventFollowing following) {
    using Clock = StreamReconnectPacer::Clock;
    StreamReconnectPacer pacer;
    while (!following.stopping()) {
        auto ended = co_await client.watch_events(
            filters,
            [&] {
                log::debug("watching Docker events", {{"of", following.what}});
                pacer.subscribed(Clock::now());
                following.resync();
            },
            following.on_event);
        if (following.stopping()) break;
        const auto reconnect = pacer.ended(Clock::now());
        const std::string error = ended ? "" : ended.error().describe();
        if (!reconnect.report) {
            log::debug("Docker event stream ended again",
                       {{"of", following.what},
                        {"error", error},
                        {"retry_in_ms", reconnect.delay.count()}});
        } else if (reconnect.keeps_ending) {
            log::warn(
                "Docker event stream keeps ending soon after it starts, or failing; reconnecting "
                "with backoff",
                {{"of", following.what},
                 {"ends", reconnect.ends_since_report},
                 {"error", error},
                 {"retry_in_ms", reconnect.delay.count()},
                 {"check",
                  "the dockerd log, and any proxy between this process and the Docker socket (one "
                  "that cuts long requests ends every event stream)"}});
        } else {
            log::warn("Docker event stream ended; reconnecting",
                      {{"of", following.what},
                       {"error", error},
                       {"retry_in_ms", reconnect.delay.count()}});
        }
        co_await following.sleep(reconnect.delay);
    }
}

}  // namespace ks::docker
