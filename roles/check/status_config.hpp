#pragma once
// Configuration of `keepalived-swarm status [URL]`: which buoy to ask, how long to wait, and
// whether to print the table or the buoy's JSON.

#include <chrono>
#include <string>

#include "keepalived_swarm/config/common.hpp"
#include "keepalived_swarm/http/endpoint.hpp"

namespace ks::roles::check {

struct StatusConfig {
    http::Endpoint endpoint;  ///< the buoy; its target is /cluster
    std::string url;          ///< as given, for messages
    std::chrono::milliseconds timeout{3000};
    bool json = false;  ///< print the /cluster document instead of the table
    config::CommonSettings common;
};

config::RoleDescription status_role_description();
config::Parsed<StatusConfig> parse_status_config(const config::CommandLine& command_line);

}  // namespace ks::roles::check
