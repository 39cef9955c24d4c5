#include "roles/anchor/decisions.hpp"

#include <algorithm>
#include <set>
#include <tuple>

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

std::chrono::milliseconds shutdown_budget(std::chrono::seconds float_grace) {
    using namespace std::chrono_literals;
    return std::max<std::chrono::milliseconds>(10s, float_grace + 5s);
}

std::chrono::milliseconds restart_delay(std::chrono::milliseconds ran_for,
                                        std::chrono::milliseconds healthy_after,
                                        util::Backoff& crashes) {
    if (ran_for >= healthy_after) {
        crashes.reset();
        return std::chrono::milliseconds(0);
    }
    return crashes.next_delay();
}

bool update_in_progress(std::string_view update_state) {
    return update_state == "updating" || update_state == "rollback_started";
}

bool defer_replacement(bool float_is_master, std::string_view update_state,
                       std::chrono::steady_clock::duration deferred_for) {
    return float_is_master && update_in_progress(update_state) &&
           deferred_for < kMaxReplacementDeferral;
}

std::optional<std::string> newer_anchor(const std::vector<AnchorContainer>& running,
                                        std::string_view own_id) {
    const auto own = std::find_if(running.begin(), running.end(),
                                  [&](const AnchorContainer& c) { return c.id == own_id; });
    if (own == running.end()) return std::nullopt;  // cannot tell which is newer
    const AnchorContainer* newest = &*own;
    for (const auto& container : running) {
        if (std::tie(container.created, container.id) > std::tie(newest->created, newest->id)) {
            newest = &container;
        }
    }
    if (newest->id == own_id) return std::nullopt;
    return newest->id;
}

namespace {

/// Task ids as `docker service ps` shows them.
std::string short_id(std::string_view id) {
    return std::string(id.substr(0, 12));
}

/// Why one task is, or is not, fit to carry the VIP.
ServiceHealth task_health(const TrackedTask& task, bool has_healthcheck) {
    const std::string prefix = "task " + short_id(task.id);
    if (task.state != "running") {
        return {false, prefix + " " + (task.state.empty() ? "in an unknown state" : task.state)};
    }
    const bool reports_health = !task.health.empty() && task.health != "none";
    if (!reports_health) {
        if (has_healthcheck) return {false, prefix + " running, health: unknown"};
        return {true, prefix + " running"};
    }
    if (task.health == "healthy") return {true, prefix + " running, healthy"};
    return {false, prefix + " running, health: " + task.health};
}

/// Of two tasks that are both down, the one whose reason tells the most: a running one first.
int progress(const TrackedTask& task) {
    return task.state == "running" ? 2 : task.state == "starting" ? 1 : 0;
}

}  // namespace

ServiceHealth service_health(std::string_view service, const ServiceObservation& observed) {
    const std::string name(service);
    if (!observed.in_swarm) return {false, "not in a swarm"};
    if (!observed.exists) return {false, "service " + name + " does not exist"};
    if (observed.tasks.empty()) return {false, "no task of " + name + " on this node"};
    std::optional<ServiceHealth> best;
    int best_progress = -1;
    for (const auto& task : observed.tasks) {
        auto health = task_health(task, observed.has_healthcheck);
        if (health.up) return health;
        if (progress(task) > best_progress) {
            best_progress = progress(task);
            best = std::move(health);
        }
    }
    return *best;
}

bool service_settling(const ServiceObservation& observed) {
    static const std::set<std::string, std::less<>> kOnTheWay = {
        "new", "pending", "assigned", "accepted", "preparing", "ready", "starting"};
    return std::any_of(observed.tasks.begin(), observed.tasks.end(), [](const TrackedTask& task) {
        return kOnTheWay.contains(task.state) ||
               (task.state == "running" && task.health == "starting");
    });
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
