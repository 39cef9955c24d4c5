#include <boost/asio/io_context.hpp>
#include <iostream>

#include "keepalived_swarm/config/float_config.hpp"
#include "roles/float/float_daemon.hpp"
#include "roles/float/swarm_direct.hpp"
#include "roles/roles.hpp"

namespace ks::roles {

int run_float(const std::vector<std::string>& args) {
    auto loaded = config::load_role_config<config::FloatConfig>(config::float_role_description(),
                                                                args, config::process_environment(),
                                                                config::parse_float_config);
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code;
    auto& config = std::get<config::FloatConfig>(loaded);
    log::configure(config.common.log_level, config.common.log_format, "float");

    std::optional<float_role::SwarmNode> swarm_node;
    if (config.docker_host) {
        auto found = float_role::find_swarm_node(*config.docker_host);
        if (std::holds_alternative<float_role::StoppedWaiting>(found)) {
            log::info("stopped");
            return 0;
        }
        if (auto* problem = std::get_if<std::string>(&found)) {
            log::error(*problem);
            return config::kExitUsage;
        }
        swarm_node = std::get<float_role::SwarmNode>(std::move(found));
    }

    boost::asio::io_context io;
    float_role::FloatDaemon daemon(io, std::move(config), args);
    if (swarm_node) daemon.use_swarm_node(std::move(*swarm_node));
    if (auto problem = daemon.prepare()) {
        log::error(problem->message);
        return problem->exit_code;
    }
    daemon.start();
    io.run();
    log::info("stopped");
    return 0;
}

}  // namespace ks::roles
