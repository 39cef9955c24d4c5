#include "roles/anchor/event_pacing.hpp"

#include <algorithm>

namespace ks::roles::anchor {

ReconcilePacer::Clock::time_point ReconcilePacer::start_at(Clock::time_point now) const {
    if (!full_again_at_) return now;
    // Up to burst - 1 starts may be ahead of the pace.
    return std::max(now, *full_again_at_ - interval_ * (burst_ - 1));
}

void ReconcilePacer::started(Clock::time_point now) {
    full_again_at_ = std::max(full_again_at_.value_or(now), now) + interval_;
}

}  // namespace ks::roles::anchor
