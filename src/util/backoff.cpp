#include "keepalived_swarm/util/backoff.hpp"

#include <algorithm>

namespace ks::util {

std::chrono::milliseconds Backoff::next_delay() {
    current_ = current_.count() == 0 ? first_ : std::min(current_ * 2, limit_);
    return current_;
}

}  // namespace ks::util
