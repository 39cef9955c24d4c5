// keepalived-swarm probe URL: exits 0 when URL answers 2xx in time (container healthchecks).

#include <iostream>

#include "roles/check/ask.hpp"
#include "roles/check/probe_config.hpp"
#include "roles/roles.hpp"

namespace ks::roles {

int run_probe(const std::vector<std::string>& args) {
    auto loaded = config::load_role_config<check::ProbeConfig>(check::probe_role_description(),
                                                               args, config::process_environment(),
                                                               check::parse_probe_config);
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code;
    const auto& config = std::get<check::ProbeConfig>(loaded);
    const auto answer = check::ask_once(config.endpoint, config.timeout, "probe", config.url);
    if (!answer) return 1;
    if (!answer->ok()) {
        std::cerr << "keepalived-swarm probe: " << config.url << " answered HTTP " << answer->status
                  << ", not 2xx\n";
        return 1;
    }
    return 0;
}

}  // namespace ks::roles
