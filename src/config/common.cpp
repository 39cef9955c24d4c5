#include "keepalived_swarm/config/common.hpp"

namespace ks::config {

std::vector<OptionSpec> common_option_specs() {
    return {
        {"log-level", "KEEPALIVED_LOG_LEVEL", "info", "LEVEL", "debug, info, warn or error."},
        {"log-format", "KEEPALIVED_LOG_FORMAT", "text", "FORMAT",
         "text (for people) or json (a JSON object per line, for collectors)."},
    };
}

CommonSettings read_common(Validator& validator) {
    CommonSettings settings;
    if (auto level = validator.choice("log-level", {"debug", "info", "warn", "error"})) {
        settings.log_level = *log::parse_level(*level);
    }
    if (auto format = validator.choice("log-format", {"text", "json"})) {
        settings.log_format = *log::parse_format(*format);
    }
    return settings;
}

}  // namespace ks::config

namespace ks::config {

std::variant<CommandLine, int> read_command_line(const RoleDescription& role,
                                                 const std::vector<std::string>& args,
                                                 const EnvironmentLookup& environment) {
    try {
        CommandLine command_line =
            parse_command_line(role.specs, args, environment, {}, role.max_positional);
        if (command_line.help) {
            std::cout << render_help(role.usage, role.description, role.specs);
            return 0;
        }
        if (command_line.version) {
            std::cout << "keepalived-swarm " << kVersion << "\n";
            return 0;
        }
        const auto config_file = command_line.options.value("config");
        if (!config_file || config_file->empty()) return command_line;
        std::string error;
        const auto file_values = read_env_file(*config_file, error);
        if (!file_values) {
            std::cerr << "keepalived-swarm " << role.name << ": " << error << "\n";
            return kExitUsage;
        }
        return parse_command_line(role.specs, args, environment, *file_values, role.max_positional);
    } catch (const UsageError& e) {
        std::cerr << "keepalived-swarm " << role.name << ": " << e.what() << "\n";
        return kExitUsage;
    }
}

}  // namespace ks::config
