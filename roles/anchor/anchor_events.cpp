// The anchor's Docker event streams (followed by docker::follow_events for as long as the
// anchor runs), and what a float event means.
#include <set>

#include "keepalived_swarm/log/log.hpp"
#include "roles/anchor/anchor.hpp"

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::roles::anchor {

namespace {

bool is_float_event(const docker::Event& event) {
    static const std::set<std::string> kActions = {"die", "destroy", "stop", "oom"};
    return event.type == "container" && kActions.count(event.action) > 0;
}

}  // namespace

docker::EventFollowing Anchor::following(std::string what, std::function<void()> resync,
                                         std::function<void(const docker::Event&)> on_event) {
    return docker::EventFollowing{std::move(what), std::move(resync), std::move(on_event),
                                  [this] { return stopping_; },
                                  [this](std::chrono::milliseconds d) { return sleep(d); }};
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
