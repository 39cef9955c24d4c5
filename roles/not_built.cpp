// Subcommands whose role is not built yet: they answer --help and --version, and otherwise say so
// and exit non-zero instead of pretending to work.

#include <iostream>

#include "keepalived_swarm/config/common.hpp"
#include "roles/roles.hpp"

namespace ks::roles {
namespace {

int not_built(const std::string& name, const std::vector<std::string>& args) {
    const config::RoleDescription role{name, "keepalived-swarm " + name + " [OPTIONS]",
                                       "This role is not built yet.",
                                       config::common_option_specs(), 8};
    auto command_line = config::read_command_line(role, args, config::process_environment());
    if (auto* exit_code = std::get_if<int>(&command_line)) return *exit_code;
    std::cerr << "keepalived-swarm " << name
              << ": this role is not built yet in this version; nothing was done\n";
    return 1;
}

}  // namespace

int run_anchor(const std::vector<std::string>& args) { return not_built("anchor", args); }

}  // namespace ks::roles
