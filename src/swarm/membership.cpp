#include "keepalived_swarm/swarm/membership.hpp"

#include <algorithm>
#include <charconv>

#include "keepalived_swarm/http/endpoint.hpp"

namespace ks::swarm {

std::optional<std::string> resign_reason(const NodeView& node, PartitionPolicy policy) {
    if (node.membership == "inactive") return std::nullopt;
    if (!node.settled()) {
        return "this node's swarm membership is " +
               (node.membership.empty() ? std::string("unknown") : node.membership) +
               "; waiting until it is active";
    }
    if (!node.manager) return "this node is not a swarm manager";
    if (node.availability == "drain") return "this node is drained";
    if (node.quorum_lost && policy == PartitionPolicy::release) {
        return "this manager has lost the swarm's quorum (partition policy release)";
    }
    return std::nullopt;
}

void QuorumWatch::answered(Clock::time_point now, std::size_t reachable, std::size_t managers) {
    managers_ = managers;
    reachable_ = reachable;
    if (majority_reachable()) {
        last_confirmed_ = now;
        last_failure_.clear();
    } else {
        last_failure_ = "the raft leader reaches only " + std::to_string(reachable) + " of " +
                        std::to_string(managers) + " managers";
    }
}

void QuorumWatch::unanswered(std::string why, std::size_t reachable) {
    last_failure_ = std::move(why);
    reachable_ = reachable;
}

bool QuorumWatch::lost(Clock::time_point now) const {
    const auto unread = now - last_confirmed_;
    if (managers_ == 0) return unread >= kUnknownGrace;
    return unread >= kGrace && !majority_reachable();
}

std::string QuorumWatch::reason(Clock::time_point now) const {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - last_confirmed_);
    std::string text = "no quorum confirmed for " + std::to_string(seconds.count()) + " s";
    if (managers_ != 0) {
        text += ", " + std::to_string(reachable_) + " of " + std::to_string(managers_) +
                " managers reachable";
    }
    if (!last_failure_.empty()) text += ": " + last_failure_;
    return text;
}

std::size_t reachable_count(const std::vector<docker::NodeInfo>& managers) {
    return static_cast<std::size_t>(
        std::count_if(managers.begin(), managers.end(), [](const docker::NodeInfo& node) {
            return node.role == "manager" && node.reachability == "reachable";
        }));
}

std::vector<boost::asio::ip::tcp::endpoint> raft_endpoints(
    const std::vector<docker::NodeInfo>& managers, std::string_view own_node_id) {
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    for (const auto& node : managers) {
        if (node.id == own_node_id || node.manager_addr.empty()) continue;
        // host:port or [v6]:port, as the HTTP client's endpoints are written.
        const auto endpoint = http::parse_endpoint("tcp://" + node.manager_addr);
        if (!endpoint) continue;
        const auto address = net::parse_ip_address(endpoint->host);
        unsigned short port = 0;
        const auto& digits = endpoint->port;
        if (!address ||
            std::from_chars(digits.data(), digits.data() + digits.size(), port).ec != std::errc()) {
            continue;
        }
        endpoints.emplace_back(*address, port);
    }
    return endpoints;
}

std::vector<net::IpAddress> peer_addresses(const std::vector<docker::NodeInfo>& managers,
                                           std::string_view own_node_id) {
    std::vector<net::IpAddress> peers;
    for (const auto& node : managers) {
        if (node.id == own_node_id || node.role != "manager") continue;
        if (auto address = net::parse_ip_address(node.reachable_address())) {
            if (!address->is_unspecified()) peers.push_back(*address);
        }
    }
    std::sort(peers.begin(), peers.end());
    peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
    return peers;
}

}  // namespace ks::swarm
