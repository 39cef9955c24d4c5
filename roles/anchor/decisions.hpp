#pragma once
// The anchor's decisions as pure functions of what it observed, so each rule is unit-tested
// without a Docker Engine: what to do with the containers found, how long to wait before the
// next attempt, and whether to leave the float to a newer anchor. What the swarm means for the
// float (resign, peers, quorum) is keepalived_swarm/swarm/membership.hpp.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/docker/models.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"
#include "keepalived_swarm/swarm/membership.hpp"
#include "keepalived_swarm/util/backoff.hpp"
#include "roles/anchor/anchor_config.hpp"

namespace ks::roles::anchor {

/// A container that is, or may be, this node's float.
struct ObservedFloat {
    std::string id;
    std::string name;
    std::string state;        ///< created, running, paused, restarting, removing, exited, dead
    bool owned = false;       ///< carries the float role label
    std::string config_hash;  ///< its hash label
};

/// What to do now. Steps run in order: stop (gracefully), remove, then create.
struct ReconcilePlan {
    std::optional<std::string> adopt;  ///< a running float that is exactly right: keep it
    std::vector<std::string> stop;     ///< running containers to stop with the grace period
    std::vector<std::string> remove;   ///< containers to remove (after stopping)
    bool create = false;               ///< create and start a new float
    bool wait = false;                 ///< a container is being removed: wait for its destroy event
    std::string reason;

    bool idle() const { return !create && stop.empty() && remove.empty(); }
};

/// Decides from the containers found (every one with the float label, plus any named
/// `float_name`). Keeps one running, owned, same-hash container named `float_name`; everything
/// else found is stopped and removed (a container of that name not made by keepalived-swarm
/// too: the name belongs to the float, as it did in the original). Creates when none is kept.
ReconcilePlan plan_reconcile(const std::vector<ObservedFloat>& found, std::string_view float_name,
                             std::string_view desired_hash);

/// What to do on shutdown: stop and remove every float found.
ReconcilePlan plan_shutdown(const std::vector<ObservedFloat>& found);

/// The wait before recreating a float that ran for `ran_for`: none after a healthy run
/// (at least `healthy_after`), otherwise the crash backoff's next delay.
std::chrono::milliseconds restart_delay(std::chrono::milliseconds ran_for,
                                        std::chrono::milliseconds healthy_after,
                                        util::Backoff& crashes);

/// How long the anchor may spend removing the float once it is told to stop: the float's own
/// grace (`--stop-timeout`) plus room for the engine's calls, at least 10 s. The stack gives the
/// anchor 30 s before SIGKILL; past this the anchor exits anyway, and the float, its tether
/// closed, resigns the VIPs at once.
std::chrono::milliseconds shutdown_budget(std::chrono::seconds float_grace);

/// Whether a service's rolling update (or its rollback) is under way.
bool update_in_progress(std::string_view update_state);

/// How long an anchor keeps an outdated float that holds the VIP, at most.
inline constexpr std::chrono::minutes kMaxReplacementDeferral{10};

/// Whether to keep, for now, a running float whose configuration is outdated instead of
/// replacing it. Only while it holds the VIP (MASTER) and the anchors' rolling update goes on:
/// replaced now, the VIP would move to a node whose own float is still to be replaced, and move
/// again. Once the update is over, or after kMaxReplacementDeferral, it is replaced (one move,
/// to an up-to-date node). A float in any other state is replaced at once.
bool defer_replacement(bool float_is_master, std::string_view update_state,
                       std::chrono::steady_clock::duration deferred_for);

/// A running container of the anchor's service on this node.
struct AnchorContainer {
    std::string id;
    long long created = 0;  ///< seconds since the epoch, as GET /containers/json says
};

/// The newest of `running` (the anchor's own service's containers on this node) when it is
/// newer than this anchor (`own_id`): the swarm started this task's replacement before stopping
/// it, and the float is that one's to keep. Ties of `created` go to the greater id, so that of
/// two anchors stopping at once exactly one defers, and the other removes the float.
std::optional<std::string> newer_anchor(const std::vector<AnchorContainer>& running,
                                        std::string_view own_id);

/// One task of a tracked service on this node, with its container's health.
struct TrackedTask {
    std::string id;
    std::string state;   ///< Status.State: preparing, starting, running, failed, ...
    std::string health;  ///< the container's State.Health.Status; empty: none, or not known
};

/// What the anchor saw of a tracked service.
struct ServiceObservation {
    bool in_swarm = true;
    bool exists = false;
    bool has_healthcheck = false;    ///< the service declares its own healthcheck
    std::vector<TrackedTask> tasks;  ///< the tasks on this node meant to run
};

/// Whether a tracked service is up on this node, and why, in words.
struct ServiceHealth {
    bool up = false;
    std::string reason;
    friend bool operator==(const ServiceHealth&, const ServiceHealth&) = default;
};

/// Up when at least one task runs on this node and, when its container has a healthcheck (the
/// service's, or one the image brings), is healthy. A service that declares a healthcheck needs
/// a health status to be seen healthy: "starting" and "unknown" count as down.
ServiceHealth service_health(std::string_view service, const ServiceObservation& observed);

/// Whether a task on this node is on its way to running (new ... starting) or waits for its
/// first health result. The swarm reports a task's state a moment after the container events
/// that lead to it, and no event says so: while settling, the anchor looks again soon.
bool service_settling(const ServiceObservation& observed);

/// The id of the container this process runs in, from /proc/self/mountinfo: Docker mounts the
/// container's hostname, hosts and resolv.conf files from .../containers/<64 hex id>/.
std::optional<std::string> container_id_from_mountinfo(std::string_view mountinfo);

}  // namespace ks::roles::anchor
