#include "roles/anchor/event_pacing.hpp"

#include <algorithm>

namespace ks::roles::anchor {

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

ReconcilePacer::Clock::time_point ReconcilePacer::start_at(Clock::time_point now) const {
    if (!full_again_at_) return now;
    // Up to burst - 1 starts may be ahead of the pace.
    return std::max(now, *full_again_at_ - interval_ * (burst_ - 1));
}

void ReconcilePacer::started(Clock::time_point now) {
    full_again_at_ = std::max(full_again_at_.value_or(now), now) + interval_;
}

}  // namespace ks::roles::anchor
