#include "keepalived_swarm/vrrp/health.hpp"

namespace ks::vrrp {

HealthHistory::HealthHistory(CheckPolicy policy) : policy_(std::move(policy)) {}

bool HealthHistory::record(bool ok, std::string detail) {
    detail_ = std::move(detail);
    if (ok) {
        failures_ = 0;
        ++successes_;
        if (!up_ && successes_ >= policy_.rise) {
            up_ = true;
            return true;
        }
    } else {
        successes_ = 0;
        ++failures_;
        if (up_ && failures_ >= policy_.fall) {
            up_ = false;
            return true;
        }
    }
    return false;
}

Tracker HealthHistory::tracker() const {
    return Tracker{up_, policy_.weight, detail_};
}

}  // namespace ks::vrrp
