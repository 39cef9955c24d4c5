// Feeds arbitrary bytes to the configuration readers: as a config file (KEY=VALUE lines) merged
// into every role's options and validated, as a command line, and as single option values. A bad
// configuration must come out as problems or a UsageError (the start-up convention); any other
// exception, a crash, a hang or a sanitizer report is a finding.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/config/float_config.hpp"
#include "roles/anchor/anchor_config.hpp"
#include "roles/buoy/buoy_config.hpp"
#include "roles/check/probe_config.hpp"

using namespace ks::config;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

std::optional<std::string> no_environment(const std::string&) {
    return std::nullopt;
}

/// Merges `file_values` (and `args`) into the role's options as start-up does, then validates.
template <typename ParseFunction>
void load_role(const RoleDescription& role, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& file_values, ParseFunction parse) {
    try {
        const auto command_line =
            parse_command_line(role.specs, args, no_environment, file_values, role.max_positional);
        const auto parsed = parse(command_line);
        format_problems(parsed.problems);
    } catch (const UsageError&) {
        // A bad command line: the documented way to refuse it.
    }
}

void load_every_role(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& file_values) {
    load_role(float_role_description(), args, file_values, parse_float_config);
    load_role(ks::roles::anchor::anchor_role_description(), args, file_values,
              ks::roles::anchor::parse_anchor_config);
    load_role(ks::roles::buoy::buoy_role_description(), args, file_values,
              ks::roles::buoy::parse_buoy_config);
    load_role(ks::roles::check::probe_role_description(), args, file_values,
              ks::roles::check::parse_probe_config);
}

/// Each option value parser on its own, with what its result must satisfy.
void parse_value(std::string_view text) {
    if (const auto duration = parse_duration(text)) {
        check(duration->count() >= 0);
        check(parse_duration(format_duration(*duration)) == duration);
    }
    if (const auto integer = parse_integer(text))
        check(parse_integer(std::to_string(*integer)) == integer);
    parse_bool(text);
    const bool has_nul = text.find('\0') != std::string_view::npos;
    if (const auto address = ks::net::parse_ip_address(text)) {
        check(!has_nul);
        check(ks::net::parse_ip_address(address->to_string()) == address);
    }
    if (const auto prefix = ks::net::parse_ip_prefix(text)) {
        check(!has_nul);
        check(prefix->prefix_length <= prefix->max_prefix_length());
        check(ks::net::parse_ip_prefix(prefix->to_string()) == prefix);
    }
    for (const auto& item : split_list(text)) check(!item.empty());
}

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        lines.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (const auto file_values = parse_env_file(text, "fuzz.env")) {
        for (const auto& [key, value] : *file_values) check(key.find('\n') == std::string::npos);
        // Start-up warns of unknown keys too; once is enough (each role's options are alike,
        // and the edit distances dominate the time of an input).
        unknown_key_warnings(float_role_description().specs, *file_values);
        load_every_role({}, *file_values);
    } else {
        check(!file_values.error().empty());
    }

    // The same bytes as a command line, one argument a line; and each line as one value.
    const auto lines = lines_of(text);
    load_every_role(lines, {});
    for (const auto& line : lines) parse_value(line);
    return 0;
}
