#include "roles/check/probe_config.hpp"

namespace ks::roles::check {

using namespace std::chrono_literals;

config::RoleDescription probe_role_description() {
    std::vector<config::OptionSpec> specs = {
        {"timeout", "PROBE_TIMEOUT", "2s", "DUR",
         "Time allowed for connecting and the whole answer, such as 500ms or 2s."},
    };
    for (auto& spec : config::common_option_specs()) specs.push_back(spec);
    return config::RoleDescription{
        "probe", "keepalived-swarm probe URL [--timeout DUR]",
        "GETs URL (http://HOST[:PORT]/PATH, or unix:///PATH for a unix socket) and exits 0 when\n"
        "it answers 2xx in time, else 1 with the reason on standard error: a healthcheck for\n"
        "images without curl, such as\n"
        "  test: [\"CMD\", \"keepalived-swarm\", \"probe\", \"http://127.0.0.1:3000/health\"]",
        std::move(specs), 1};
}

config::Parsed<ProbeConfig> parse_probe_config(const config::CommandLine& command_line) {
    config::Validator validator(command_line.options);
    ProbeConfig probe;
    std::vector<config::Problem> problems;
    const std::string allowed =
        "http://HOST[:PORT]/PATH or unix:///PATH, such as http://127.0.0.1:3000/health";
    if (command_line.positional.empty()) {
        problems.push_back(config::Problem{"the URL argument", "", allowed});
    } else {
        probe.url = command_line.positional.front();
        if (auto endpoint = http::parse_endpoint(probe.url)) {
            probe.endpoint = std::move(*endpoint);
        } else {
            problems.push_back(config::Problem{"URL", probe.url, allowed});
        }
    }
    if (auto timeout = validator.duration("timeout", 1ms, 300s)) {
        probe.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    }
    probe.common = config::read_common(validator);
    problems.insert(problems.end(), validator.problems().begin(), validator.problems().end());
    return {std::move(probe), std::move(problems)};
}

}  // namespace ks::roles::check
