#pragma once
// The whole cluster at a glance: every manager's float as its buoy reports it, and what follows
// from them together (how many claim MASTER per VRRP group, who holds each VIP, split brain, no
// master). Pure: the buoy gathers the nodes' answers, this module judges and renders them, and
// the status command reads the rendered document back.

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/status/float_status.hpp"

namespace ks::status {

/// One manager as the cluster view shows it.
struct ClusterNode {
    std::string name;        ///< host name its buoy reports; its address while it never answered
    std::string address;     ///< where its buoy was asked (this node: its float's address)
    bool self = false;       ///< the node whose buoy gathered the view
    bool reachable = false;  ///< its buoy answered (this node: always)
    std::string error;       ///< why the node, or its float, cannot be read; empty when both can
    std::string checked_at;  ///< when its answer (or failure) came, ISO 8601 UTC
    std::optional<FloatStatus> float_status;  ///< nullopt: the node or its float cannot be read
};

/// One VRRP group (VRID and address family) across the nodes.
struct ClusterInstance {
    std::string name;  ///< the instance name, as the first node that runs it calls it
    int vrid = 0;
    std::string family;                ///< "ipv4" or "ipv6"
    std::vector<std::string> masters;  ///< nodes that claim MASTER
    std::vector<std::string> nodes;    ///< nodes that run it (readable ones)
};

/// The cluster view: the nodes and the verdict drawn from them.
struct ClusterView {
    std::string gathered_at;  ///< when this view was put together, ISO 8601 UTC
    std::vector<ClusterNode> nodes;
    std::vector<ClusterInstance> instances;
    std::map<std::string, std::vector<std::string>> holders;  ///< VIP -> nodes holding it
    /// --spread: VIP -> the node it belongs on (its name, or its address when not readable).
    std::map<std::string, std::string> homes;
    bool split_brain = false;  ///< a VIP held, or a group's MASTER claimed, by more than one node
    bool no_master = false;    ///< a group nobody readable claims MASTER for (or no group at all)
    /// What is wrong, in words an operator acts on; empty when healthy.
    std::vector<std::string> problems;
};

/// Judges the nodes' answers: groups, holders, split brain, no master and the problems.
ClusterView summarize(std::vector<ClusterNode> nodes, std::string gathered_at);

/// How the cluster is, as the status command's exit code says it.
enum class ClusterHealth {
    healthy = 0,      ///< every node answers, one MASTER per group, nothing down
    degraded = 1,     ///< a node, a float or a tracker is down, but each VIP has one holder
    split_brain = 2,  ///< two holders, or none: the VIP is wrong right now
};
ClusterHealth health(const ClusterView& view);
std::string_view to_string(ClusterHealth health);

/// GET /cluster's document.
boost::json::value to_json(const ClusterView& view);
/// Reads GET /cluster's document back (the status command); tolerant like the float status.
boost::system::result<ClusterView> cluster_view_from_json(const boost::json::value& json);

/// What a node's buoy answered to GET /status: its name and its float (or why not).
struct NodeAnswer {
    std::string name;
    std::optional<FloatStatus> float_status;
    std::string float_error;  ///< why the float cannot be read, when it cannot
};
/// Parses a buoy's GET /status body (bytes from the network).
boost::system::result<NodeAnswer> read_node_answer(std::string_view body);

/// keepalived_swarm_cluster_* series, with `labels` on each (the buoy adds its node name).
std::string cluster_prometheus(const ClusterView& view, const Labels& labels);

/// A terminal table of the view and its verdict, for `keepalived-swarm status`.
std::string cluster_table(const ClusterView& view);

}  // namespace ks::status
