#pragma once
// Configuration of the anchor role: the float's VRRP settings (validated here, passed on as
// environment), where the Docker Engine is, and how the float container is made and kept.

#include <chrono>
#include <string>
#include <vector>

#include "keepalived_swarm/config/instance_config.hpp"
#include "keepalived_swarm/http/endpoint.hpp"
#include "keepalived_swarm/swarm/membership.hpp"

namespace ks::roles::anchor {

/// When the anchor pulls the float image.
enum class PullPolicy { missing, always, never };

struct AnchorConfig {
    config::InstanceSettings instance;
    http::Endpoint docker_host;
    std::string float_name = "keepalived-float";
    std::string float_image;  ///< empty: the anchor's own image
    PullPolicy pull = PullPolicy::missing;
    std::string run_directory;             ///< host folder bound into the float at kRunDirectory
    std::chrono::seconds stop_timeout{5};  ///< SIGTERM -> SIGKILL grace for the float
    std::string node_hostname;             ///< DOCKER_NODE_HOSTNAME; empty: the engine's name
    /// Swarm services whose task on this node the float is told about ("service:NAME").
    std::vector<std::string> track_services;
    swarm::PartitionPolicy partition_policy = swarm::PartitionPolicy::hold;
    config::CommonSettings common;
};

config::RoleDescription anchor_role_description();
config::Parsed<AnchorConfig> parse_anchor_config(const config::CommandLine& command_line);

}  // namespace ks::roles::anchor
