#pragma once
// Configuration of the float role: its VRRP instance plus how it talks to the anchor and buoy.

#include <string>
#include <vector>

#include "keepalived_swarm/config/instance_config.hpp"

namespace ks::config {

/// Default folder shared by anchor, float and buoy on a node (bind-mounted into each).
inline constexpr const char* kRunDirectory = "/run/keepalived-swarm";

struct FloatConfig {
    InstanceSettings instance;
    std::string tether_path;    ///< anchor's unix socket; empty: standalone
    std::string status_socket;  ///< unix socket of the status server; empty: disabled
    std::string node_hostname;  ///< for status; DOCKER_NODE_HOSTNAME
    CommonSettings common;
};

RoleDescription float_role_description();
Parsed<FloatConfig> parse_float_config(const CommandLine& command_line);

}  // namespace ks::config
