#include "keepalived_swarm/vrrp/spread.hpp"

#include <algorithm>

namespace ks::vrrp {

std::optional<std::size_t> spread_position(std::size_t index, std::size_t count,
                                           const std::vector<IpAddress>& nodes,
                                           const IpAddress& node) {
    const auto found = std::lower_bound(nodes.begin(), nodes.end(), node);
    if (found == nodes.end() || *found != node) return std::nullopt;
    const auto size = nodes.size();
    const auto rank = static_cast<std::size_t>(found - nodes.begin());
    const auto home = index % size;
    if (rank == home) return 0;
    if (count > 0 && count < size && index < count) {
        // Ranks count.. are home to no VIP: first them, starting one further for each VIP, then
        // the busy ranks in order after the home.
        const auto idle = size - count;
        if (rank >= count) return 1 + (rank - count + idle - index % idle) % idle;
        return idle + (rank + count - home) % count;
    }
    // The others, in rank order after the home: distance 1 .. size-1. Each round of VIPs starts
    // the successors one node further on.
    const auto distance = (rank + size - home) % size;
    const auto others = size - 1;
    const auto round = (index / size) % others;
    return (distance - 1 + others - round) % others + 1;
}

const IpAddress& spread_home(std::size_t index, const std::vector<IpAddress>& nodes) {
    return nodes[index % nodes.size()];
}

std::uint8_t spread_priority(std::uint8_t home_priority, std::size_t position) {
    // A step of kSpreadPriorityStep keeps the Skew_Times of neighbours in the order several
    // milliseconds apart, more than a link's delay: routers that start together do not both
    // take a VIP before they hear each other.
    const auto lowered =
        static_cast<long long>(home_priority) -
        static_cast<long long>(std::min<std::size_t>(position, 255)) * kSpreadPriorityStep;
    return static_cast<std::uint8_t>(std::max(lowered, 1LL));
}

}  // namespace ks::vrrp
