#include "keepalived_swarm/config/common.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

namespace ks::config {
namespace {

/// A typo is a few edits away from the key meant; anything further is not worth guessing at.
constexpr std::size_t kTypoEdits = 3;

/// Edits (insert, delete, replace one character) that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::vector<std::string> unknown_key_warnings(const std::vector<OptionSpec>& specs,
                                              const std::map<std::string, std::string>& values) {
    std::vector<std::string> warnings;
    for (const auto& entry : values) {
        const std::string& key = entry.first;
        const auto known = std::any_of(specs.begin(), specs.end(),
                                       [&key](const OptionSpec& spec) { return spec.env == key; });
        if (known) continue;
        const OptionSpec* nearest = nullptr;
        std::size_t best = std::string::npos;
        for (const auto& spec : specs) {
            if (spec.env.empty()) continue;
            // Lengths further apart than a typo's edits need no distance (it is at least their
            // difference): a long key costs nothing against every option.
            const auto length_difference =
                std::max(key.size(), spec.env.size()) - std::min(key.size(), spec.env.size());
            if (length_difference > kTypoEdits) continue;
            const auto distance = edit_distance(key, spec.env);
            if (distance < best) {
                best = distance;
                nearest = &spec;
            }
        }
        std::string warning = "unknown key " + key + ", ignored";
        if (nearest != nullptr && best <= kTypoEdits) {
            warning += "; did you mean " + nearest->env + "?";
        } else {
            warning += "; the keys are the environment variables that --help lists";
        }
        warnings.push_back(std::move(warning));
    }
    return warnings;
}

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
        const auto file_values = read_env_file(*config_file);
        if (!file_values) {
            std::cerr << "keepalived-swarm " << role.name << ": " << file_values.error() << "\n";
            return kExitUsage;
        }
        for (const auto& warning : unknown_key_warnings(role.specs, *file_values)) {
            std::cerr << "keepalived-swarm " << role.name << ": warning: " << *config_file << ": "
                      << warning << "\n";
        }
        return parse_command_line(role.specs, args, environment, *file_values, role.max_positional);
    } catch (const UsageError& e) {
        std::cerr << "keepalived-swarm " << role.name << ": " << e.what() << "\n";
        return kExitUsage;
    }
}

}  // namespace ks::config
