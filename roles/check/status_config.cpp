#include "roles/check/status_config.hpp"

#include "keepalived_swarm/config/values.hpp"

namespace ks::roles::check {

using namespace std::chrono_literals;

config::RoleDescription status_role_description() {
    std::vector<config::OptionSpec> specs = {
        {"timeout", "KEEPALIVED_STATUS_TIMEOUT", "3s", "DUR",
         "Time allowed for the buoy's answer."},
        {"json", "", "false", "", "Print the buoy's /cluster document instead of the table.",
         config::OptionKind::toggle},
    };
    for (auto& spec : config::common_option_specs()) specs.push_back(spec);
    return config::RoleDescription{
        "status", "keepalived-swarm status [URL] [--timeout DUR] [--json]",
        "Shows every manager's VRRP state, who holds each VIP and what is wrong, as a buoy's\n"
        "GET /cluster reports it. URL is the buoy (default http://127.0.0.1:8082, this node's\n"
        "buoy on the host network: run it in the float container with docker exec).\n"
        "Exit status: 0 healthy; 1 degraded (a node, a float or a tracker is down, each VIP\n"
        "has one holder); 2 split brain or no master (a VIP has two holders, or none);\n"
        "3 the buoy cannot be asked, or the command line is wrong.",
        std::move(specs), 1};
}

config::Parsed<StatusConfig> parse_status_config(const config::CommandLine& command_line) {
    config::Validator validator(command_line.options);
    StatusConfig status;
    std::vector<config::Problem> problems;
    status.url = command_line.positional.empty() ? std::string("http://127.0.0.1:8082")
                                                 : command_line.positional.front();
    auto endpoint = http::parse_endpoint(status.url);
    if (!endpoint || endpoint->transport != http::Endpoint::Transport::tcp) {
        problems.push_back(
            config::Problem{"URL", status.url,
                            "a buoy's http://HOST[:PORT][/cluster], such as http://10.0.0.1:8082"});
    } else {
        status.endpoint = std::move(*endpoint);
        if (status.endpoint.target == "/" || status.endpoint.target.empty()) {
            status.endpoint.target = "/cluster";
        }
    }
    if (auto timeout = validator.duration("timeout", 1ms, 300s)) {
        status.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    }
    if (auto json = validator.toggle("json")) status.json = *json;
    status.common = config::read_common(validator);
    problems.insert(problems.end(), validator.problems().begin(), validator.problems().end());
    return {std::move(status), std::move(problems)};
}

}  // namespace ks::roles::check
