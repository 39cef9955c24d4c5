#pragma once
// Configuration of `keepalived-swarm probe URL`: the container healthcheck (the image has no curl).

#include <chrono>
#include <string>

#include "keepalived_swarm/config/common.hpp"
#include "keepalived_swarm/http/endpoint.hpp"

namespace ks::roles::check {

struct ProbeConfig {
    http::Endpoint endpoint;  ///< from the URL; its target is the path to GET
    std::string url;          ///< as given, for messages
    std::chrono::milliseconds timeout{2000};
    config::CommonSettings common;
};

config::RoleDescription probe_role_description();
config::Parsed<ProbeConfig> parse_probe_config(const config::CommandLine& command_line);

}  // namespace ks::roles::check
