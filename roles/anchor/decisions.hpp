#pragma once
// The anchor's decisions as pure functions of what it observed, so each rule is unit-tested
// without a Docker Engine: what to do with the containers found, how long to wait before the
// next attempt, whether the float should resign, and who its peers are.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/docker/models.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"
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

/// Whether Swarm.LocalNodeState says in a swarm ("active") or outside one ("inactive"), rather
/// than on the way (pending, error, locked).
inline bool membership_settled(std::string_view state) {
    return state == "active" || state == "inactive";
}

/// This node as the swarm describes it.
struct NodeView {
    /// Swarm.LocalNodeState: "active" in a swarm, "inactive" outside one; anything else
    /// (pending, error, locked) is a membership on its way in or out, not yet settled.
    std::string membership = "inactive";
    bool manager = false;      ///< Swarm.ControlAvailable
    std::string availability;  ///< active, pause, drain (empty when unknown)
    bool quorum_lost = false;  ///< this manager has not reached a raft leader for a while

    bool in_swarm() const { return membership == "active"; }
    bool settled() const { return membership_settled(membership); }
};

/// Why the float must give up the VIPs, or nullopt when it may hold them. A lost quorum counts
/// only with the release policy.
std::optional<std::string> resign_reason(const NodeView& node, PartitionPolicy policy);

/// Whether this manager is in the swarm's quorum, from a read of the managers every second and,
/// when no leader answers it, a TCP connect to the other managers' raft addresses. Raft alone does
/// not tell the two sides of a cut apart at once: a cut-off leader goes on answering reads for
/// about 11 s (it lists the others as unreachable after 2 s), and the majority's managers reach no
/// leader for 10-20 s while they elect a new one, but do reach each other. So a round confirms
/// the quorum when a leader answered and reaches a majority of the managers (counting this one);
/// the quorum is lost when none has for kGrace and the last round found fewer than a majority
/// reachable. With no answer yet (the anchor started while cut off) the managers are unknown:
/// then only kUnknownGrace without an answer, longer than raft's slowest election, loses it.
class QuorumWatch {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kGrace{5};
    static constexpr std::chrono::seconds kUnknownGrace{25};

    explicit QuorumWatch(Clock::time_point started) : last_confirmed_(started) {}

    /// A leader answered: of the swarm's `managers`, `reachable` are reachable by its account.
    void answered(Clock::time_point now, std::size_t reachable, std::size_t managers);
    /// No leader answered (`why` is the engine's word for it, "The swarm does not have a
    /// leader..."), and the probe that followed reached `reachable` managers, this one included.
    void unanswered(std::string why, std::size_t reachable);
    bool lost(Clock::time_point now) const;
    /// Why, in words, for the resign reason and the log.
    std::string reason(Clock::time_point now) const;

private:
    bool majority_reachable() const { return 2 * reachable_ > managers_; }

    Clock::time_point last_confirmed_;
    std::size_t managers_ = 0;   ///< at the last answer; 0: never answered
    std::size_t reachable_ = 0;  ///< at the last round
    std::string last_failure_;
};

/// How many of `managers` (GET /nodes) are reachable by the answering leader's account.
std::size_t reachable_count(const std::vector<docker::NodeInfo>& managers);

/// The raft addresses (ManagerStatus.Addr, "10.0.0.1:2377" or "[fd00::1]:2377") of the managers
/// other than `own_node_id`, for the quorum probe; those that do not parse are left out.
std::vector<boost::asio::ip::tcp::endpoint> raft_endpoints(
    const std::vector<docker::NodeInfo>& managers, std::string_view own_node_id);

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

/// The unicast peers of this node's float: the reachable address of every other manager, in a
/// stable order, without duplicates or unparsable addresses.
std::vector<net::IpAddress> peer_addresses(const std::vector<docker::NodeInfo>& managers,
                                           std::string_view own_node_id);

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
