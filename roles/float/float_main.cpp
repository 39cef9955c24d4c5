#include <iostream>

#include "keepalived_swarm/config/float_config.hpp"
#include "roles/roles.hpp"

namespace ks::roles {

int run_float(const std::vector<std::string>& args) {
    auto loaded = config::load_role_config<config::FloatConfig>(
        config::float_role_description(), args, config::process_environment(),
        config::parse_float_config);
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code;
    std::cerr << "keepalived-swarm float: the VRRP runtime is not built yet; nothing was done\n";
    return 1;
}

}  // namespace ks::roles
