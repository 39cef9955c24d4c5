#pragma once
// Options every role has (logging), and the start-up sequence every role shares:
// parse flags + environment, answer --help / --version, validate, configure the logger.

#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "keepalived_swarm/config/options.hpp"
#include "keepalived_swarm/config/values.hpp"
#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/version.hpp"

namespace ks::config {

/// Exit code for bad command lines and invalid configuration.
inline constexpr int kExitUsage = 2;

struct CommonSettings {
    log::Level log_level = log::Level::info;
    log::Format log_format = log::Format::text;
};

std::vector<OptionSpec> common_option_specs();
CommonSettings read_common(Validator& validator);

/// The result of parsing a role's configuration: typed values plus every problem found.
template <typename Config>
struct Parsed {
    Config config;
    std::vector<Problem> problems;
};

/// What a role tells the shared start-up sequence about itself.
struct RoleDescription {
    std::string name;         ///< "float"
    std::string usage;        ///< "keepalived-swarm float [OPTIONS]"
    std::string description;  ///< one paragraph for --help
    std::vector<OptionSpec> specs;
    std::size_t max_positional = 0;
};

/// One warning per key of a config file that no option reads (a typo is otherwise silently
/// ignored), naming the nearest known key when it is a few edits away.
std::vector<std::string> unknown_key_warnings(const std::vector<OptionSpec>& specs,
                                              const std::map<std::string, std::string>& values);

/// Parses the command line, answers --help and --version, and merges the config file named by
/// --config (an option of the role, if it has one). Returns the merged command line, or the exit
/// code when the process should end now (0 after --help/--version, 2 after a usage error).
std::variant<CommandLine, int> read_command_line(const RoleDescription& role,
                                                 const std::vector<std::string>& args,
                                                 const EnvironmentLookup& environment);

/// The shared start-up sequence: read_command_line, then the role's pure `parse` (which returns
/// Parsed<Config>). Returns the config, or the exit code when the process should end now.
template <typename Config, typename ParseFunction>
std::variant<Config, int> load_role_config(const RoleDescription& role,
                                           const std::vector<std::string>& args,
                                           const EnvironmentLookup& environment,
                                           ParseFunction parse) {
    auto command_line = read_command_line(role, args, environment);
    if (auto* exit_code = std::get_if<int>(&command_line)) return *exit_code;
    Parsed<Config> parsed = parse(std::get<CommandLine>(command_line));
    if (!parsed.problems.empty()) {
        std::cerr << format_problems(parsed.problems) << "keepalived-swarm " << role.name
                  << ": invalid configuration; see --help\n";
        return kExitUsage;
    }
    return std::move(parsed.config);
}

}  // namespace ks::config
