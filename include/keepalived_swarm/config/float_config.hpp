#pragma once
// Configuration of the float role: its VRRP instance plus how it talks to the anchor and buoy,
// or, in direct mode, to the Docker Engine whose swarm it watches itself.

#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/config/instance_config.hpp"
#include "keepalived_swarm/http/endpoint.hpp"
#include "keepalived_swarm/swarm/membership.hpp"

namespace ks::config {

/// Default folder shared by anchor, float and buoy on a node (bind-mounted into each).
inline constexpr const char* kRunDirectory = "/run/keepalived-swarm";

struct FloatConfig {
    InstanceSettings instance;
    std::string tether_path;  ///< anchor's unix socket; empty: standalone or direct
    /// Direct mode: the Docker Engine whose swarm the float watches itself (no anchor).
    std::optional<http::Endpoint> docker_host;
    swarm::PartitionPolicy partition_policy = swarm::PartitionPolicy::hold;  ///< direct mode
    std::string status_socket;  ///< unix socket of the status server; empty: disabled
    std::string node_hostname;  ///< for status; DOCKER_NODE_HOSTNAME
    CommonSettings common;
};

RoleDescription float_role_description();
Parsed<FloatConfig> parse_float_config(const CommandLine& command_line);

}  // namespace ks::config
