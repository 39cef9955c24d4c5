// The anchor's Docker event streams: following one for as long as the anchor runs, with a
// reconnect pace that an engine ending every stream at once cannot turn into a busy loop, and
// what a float event means.
#include <set>

#include "keepalived_swarm/log/log.hpp"
#include "roles/anchor/anchor.hpp"
#include "roles/anchor/event_pacing.hpp"

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::roles::anchor {
using boost::asio::awaitable;

namespace {

bool is_float_event(const docker::Event& event) {
    static const std::set<std::string> kActions = {"die", "destroy", "stop", "oom"};
    return event.type == "container" && kActions.count(event.action) > 0;
}

}  // namespace

awaitable<void> Anchor::follow_events(docker::Client& client, docker::Filters filters,
                                      std::string what, std::function<void()> resync,
                                      std::function<void(const docker::Event&)> on_event) {
    StreamReconnectPacer pacer;
    while (!stopping_) {
        auto ended = co_await client.watch_events(
            filters,
            [&] {
                log::debug("watching Docker events", {{"of", what}});
                pacer.subscribed(Clock::now());
                resync();
            },
            on_event);
        if (stopping_) break;
        const auto reconnect = pacer.ended(Clock::now());
        const std::string error = ended ? "" : ended.error().describe();
        if (!reconnect.report) {
            log::debug("Docker event stream ended again",
                       {{"of", what}, {"error", error}, {"retry_in_ms", reconnect.delay.count()}});
        } else if (reconnect.keeps_ending) {
            log::warn(
                "Docker event stream keeps ending soon after it starts, or failing; reconnecting "
                "with backoff",
                {{"of", what},
                 {"ends", reconnect.ends_since_report},
                 {"error", error},
                 {"retry_in_ms", reconnect.delay.count()},
                 {"check",
                  "the dockerd log, and any proxy between the anchor and the Docker "
                  "socket (one that cuts long requests ends every event stream)"}});
        } else {
            log::warn("Docker event stream ended; reconnecting",
                      {{"of", what}, {"error", error}, {"retry_in_ms", reconnect.delay.count()}});
        }
        co_await sleep(reconnect.delay);
    }
}

void Anchor::on_float_event(const docker::Event& event) {
    if (!is_float_event(event)) return;
    // Other float containers are those the anchor removes itself, or a storm from elsewhere:
    // the reconcile they cause says what matters, so one line each only at debug.
    if (float_id_.empty() || event.actor_id == float_id_) {
        log::info("float event", {{"action", event.action}, {"id", event.actor_id}});
    } else {
        log::debug("event of another float container",
                   {{"action", event.action}, {"id", event.actor_id}});
    }
    if (event.action == "die" && event.actor_id == float_id_ && !death_seen_) {
        death_seen_ = Clock::now();
    }
    reconcile_signal_.notify();
}

}  // namespace ks::roles::anchor
