#pragma once
// Spread: several VIPs, one VRRP instance each, homed round-robin over the group's routers so
// every node carries some of the traffic. Each router derives its priority for an instance from
// its place in that instance's order of nodes; the order depends only on the sorted addresses of
// the routers, so every router that knows the same peers computes the same homes, with nothing
// exchanged beyond ordinary adverts.
// Pure: the inputs are the addresses.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::vrrp {

/// Where the `index`-th of `count` instances of a spread group goes among `nodes` (every router
/// of the group, ourselves included, sorted and without repeats): its home is the node of rank
/// index mod N. When every node is home to some VIP, the successors are the other nodes in rank
/// order after the home, rotated by the round (index / N), so a dead node's VIPs go to different
/// survivors instead of all to its neighbour. When there are fewer VIPs than nodes, the nodes
/// that are home to none come first, a different one for each VIP, so a dead node's VIP goes to
/// an idle node rather than to one that already carries a VIP.
/// Returns `node`'s place in that order: 0 for the home, 1 for the first successor...; nullopt
/// when `node` is not among `nodes`.
std::optional<std::size_t> spread_position(std::size_t index, std::size_t count,
                                           const std::vector<IpAddress>& nodes,
                                           const IpAddress& node);

/// The home node of the `index`-th instance among `nodes` (sorted, not empty).
const IpAddress& spread_home(std::size_t index, const std::vector<IpAddress>& nodes);

/// How much lower each place after the home competes.
inline constexpr int kSpreadPriorityStep = 10;

/// The priority a router at `position` competes with: the configured one at home,
/// kSpreadPriorityStep less per place after it, never below 1.
std::uint8_t spread_priority(std::uint8_t home_priority, std::size_t position);

}  // namespace ks::vrrp
