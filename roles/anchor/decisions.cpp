#include "roles/anchor/decisions.hpp"

#include <algorithm>

namespace ks::roles::anchor {

ReconcilePlan plan_reconcile(const std::vector<ObservedFloat>& found, std::string_view float_name,
                             std::string_view desired_hash) {
    ReconcilePlan plan;
    for (const auto& container : found) {
        if (!plan.adopt && container.name == float_name && container.owned &&
            container.state == "running" && container.config_hash == desired_hash) {
            plan.adopt = container.id;
        }
    }
    std::vector<std::string> reasons;
    for (const auto& container : found) {
        if (plan.adopt && container.id == *plan.adopt) continue;
        if (container.state == "removing") {
            plan.wait = true;
            reasons.push_back(container.name + " is being removed");
            continue;
        }
        if (container.state == "running" || container.state == "paused" ||
            container.state == "restarting") {
            plan.stop.push_back(container.id);
        }
        plan.remove.push_back(container.id);
        if (!container.owned) {
            reasons.push_back(container.name + " was not made by keepalived-swarm");
        } else if (container.name != float_name) {
            reasons.push_back(container.name + " has another name");
        } else if (container.config_hash != desired_hash) {
            reasons.push_back(container.name + " has another configuration");
        } else {
            reasons.push_back(container.name + " is " + container.state);
        }
    }
    // Creating before a removal finished would fail on the name; the destroy event wakes us.
    plan.create = !plan.adopt && !plan.wait;
    if (plan.adopt && reasons.empty()) {
        plan.reason = "a running float with this configuration exists";
    } else if (found.empty()) {
        plan.reason = "no float exists";
    }
    for (const auto& reason : reasons) {
        plan.reason += (plan.reason.empty() ? "" : "; ") + reason;
    }
    return plan;
}

ReconcilePlan plan_shutdown(const std::vector<ObservedFloat>& found) {
    ReconcilePlan plan;
    plan.reason = "the anchor is stopping";
    for (const auto& container : found) {
        if (container.state == "removing") continue;
        if (container.state == "running" || container.state == "paused" ||
            container.state == "restarting") {
            plan.stop.push_back(container.id);
        }
        plan.remove.push_back(container.id);
    }
    return plan;
}

std::chrono::milliseconds Backoff::next_delay() {
    current_ = current_.count() == 0 ? first_ : std::min(current_ * 2, limit_);
    return current_;
}

std::chrono::milliseconds restart_delay(std::chrono::milliseconds ran_for,
                                        std::chrono::milliseconds healthy_after, Backoff& crashes) {
    if (ran_for >= healthy_after) {
        crashes.reset();
        return std::chrono::milliseconds(0);
    }
    return crashes.next_delay();
}

std::optional<std::string> resign_reason(const NodeView& node) {
    if (!node.in_swarm) return std::nullopt;
    if (!node.manager) return "this node is not a swarm manager";
    if (node.availability == "drain") return "this node is drained";
    return std::nullopt;
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

std::optional<std::string> container_id_from_mountinfo(std::string_view mountinfo) {
    constexpr std::string_view kFolder = "/containers/";
    constexpr std::size_t kIdLength = 64;
    for (std::size_t at = mountinfo.find(kFolder); at != std::string_view::npos;
         at = mountinfo.find(kFolder, at + 1)) {
        const auto id = mountinfo.substr(at + kFolder.size(), kIdLength);
        const bool hex = id.size() == kIdLength &&
                         id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
        const auto after = at + kFolder.size() + kIdLength;
        if (hex && after < mountinfo.size() && mountinfo[after] == '/') return std::string(id);
    }
    return std::nullopt;
}

}  // namespace ks::roles::anchor
