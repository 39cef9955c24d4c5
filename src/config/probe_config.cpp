#include "keepalived_swarm/config/probe_config.hpp"

namespace ks::config {

using namespace std::chrono_literals;

RoleDescription probe_role_description() {
    std::vector<OptionSpec> specs = {
        {"timeout", "PROBE_TIMEOUT", "2s", "DUR",
         "Time allowed for connecting and the whole answer, such as 500ms or 2s."},
    };
    for (auto& spec : common_option_specs()) specs.push_back(spec);
    return RoleDescription{
        "probe", "keepalived-swarm probe URL [--timeout DUR]",
        "GETs URL (http://HOST[:PORT]/PATH, or unix:///PATH for a unix socket) and exits 0 when\n"
        "it answers 2xx in time, else 1 with the reason on standard error: a healthcheck for\n"
        "images without curl, such as\n"
        "  test: [\"CMD\", \"keepalived-swarm\", \"probe\", \"http://127.0.0.1:3000/health\"]",
        std::move(specs), 1};
}

Parsed<ProbeConfig> parse_probe_config(const CommandLine& command_line) {
    Validator validator(command_line.options);
    ProbeConfig config;
    std::vector<Problem> problems;
    const std::string allowed =
        "http://HOST[:PORT]/PATH or unix:///PATH, such as http://127.0.0.1:3000/health";
    if (command_line.positional.empty()) {
        problems.push_back(Problem{"the URL argument", "", allowed});
    } else {
        config.url = command_line.positional.front();
        if (auto endpoint = http::parse_endpoint(config.url)) {
            config.endpoint = std::move(*endpoint);
        } else {
            problems.push_back(Problem{"URL", config.url, allowed});
        }
    }
    if (auto timeout = validator.duration("timeout", 1ms, 300s)) {
        config.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    }
    config.common = read_common(validator);
    problems.insert(problems.end(), validator.problems().begin(), validator.problems().end());
    return {std::move(config), std::move(problems)};
}

}  // namespace ks::config
