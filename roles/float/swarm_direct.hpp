#pragma once
// Direct mode: the float runs as a swarm service itself, with no anchor, and asks the Docker
// Engine of its node what the anchor would have told it. Before the channels are planned it
// learns which node it is on (its swarm address finds the interface); afterwards a swarm::Watch
// reports the other managers and when to resign, as the anchor does over the tether.

#include <optional>
#include <string>
#include <variant>

#include "keepalived_swarm/config/float_config.hpp"
#include "keepalived_swarm/docker/api_version.hpp"
#include "keepalived_swarm/http/endpoint.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::roles::float_role {

/// This node as its Docker Engine describes it.
struct SwarmNode {
    std::string id;                         ///< Swarm.NodeID
    std::string name;                       ///< the engine's host name
    std::optional<net::IpAddress> address;  ///< Swarm.NodeAddr
    docker::ApiVersion api_version;         ///< negotiated with the engine
};

/// The float was told to stop (SIGTERM, SIGINT) while it waited for the engine.
struct StoppedWaiting {};

/// Connects to `host` and waits, with backoff, until the engine answers and this node's swarm
/// membership has settled. A problem in words when the engine cannot serve direct mode (not in
/// a swarm, or its API too old): the float then exits.
std::variant<SwarmNode, std::string, StoppedWaiting> find_swarm_node(const http::Endpoint& host);

/// What the node says that the float was not told: the swarm address finds the interface (unless
/// --interface or --node-address is given), the engine's host name names the node in status
/// (unless --node-hostname is).
void apply_swarm_node(config::FloatConfig& config, const SwarmNode& node);

}  // namespace ks::roles::float_role
