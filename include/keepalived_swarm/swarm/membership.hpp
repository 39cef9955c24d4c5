#pragma once
// What the swarm says about this node, as pure decisions: whether its membership has settled,
// whether its float must resign (not a manager, drained, or, with the release policy, cut off
// from the quorum), who the float's peers are. Shared by the anchor and a float that watches the
// swarm itself (direct mode), through swarm::Watch.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/docker/models.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::swarm {

/// What the float of a manager that has lost the swarm's quorum does with the VIPs.
enum class PartitionPolicy {
    hold,     ///< keeps competing: a silent cut can leave two holders, a lone survivor keeps them
    release,  ///< resigns until the quorum is back: one holder, on the majority's side
};

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

/// The unicast peers of this node's float: the reachable address of every other manager, in a
/// stable order, without duplicates or unparsable addresses.
std::vector<net::IpAddress> peer_addresses(const std::vector<docker::NodeInfo>& managers,
                                           std::string_view own_node_id);

}  // namespace ks::swarm
