#pragma once
// "At most once per interval per key", with bounded memory: what a stranger on the link can make
// us log or send is limited, and so is what remembering the strangers costs.

#include <algorithm>
#include <cstddef>
#include <map>

#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::vrrp {

template <class Key>
class RateLimiter {
public:
    /// At most this many keys are remembered; past it, the one allowed longest ago is forgotten
    /// (so a flood of distinct sources is reported more often, never held in memory).
    static constexpr std::size_t kMaxKeys = 64;

    /// True when `key` was not allowed within the last `spacing` (and records it).
    bool allow(const Key& key, TimePoint now, Duration spacing) {
        auto found = last_.find(key);
        if (found != last_.end()) {
            if (now - found->second < spacing) return false;
            found->second = now;
            return true;
        }
        if (last_.size() >= kMaxKeys) {
            last_.erase(
                std::min_element(last_.begin(), last_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; }));
        }
        last_.emplace(key, now);
        return true;
    }

    std::size_t size() const { return last_.size(); }

private:
    std::map<Key, TimePoint> last_;
};

}  // namespace ks::vrrp
