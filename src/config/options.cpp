#include "keepalived_swarm/config/options.hpp"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ks::config {
namespace po = boost::program_options;

std::string_view to_string(Source source) {
    switch (source) {
        case Source::flag:
            return "flag";
        case Source::environment:
            return "environment";
        case Source::file:
            return "config file";
        case Source::default_value:
            return "default";
        case Source::unset:
            return "unset";
    }
    return "unset";
}

std::optional<std::string> RawOptions::value(std::string_view flag) const {
    const auto it = entries_.find(flag);
    if (it == entries_.end() || it->second.values.empty()) return std::nullopt;
    return it->second.values.back();
}

std::vector<std::string> RawOptions::list(std::string_view flag) const {
    std::vector<std::string> result;
    const auto it = entries_.find(flag);
    if (it == entries_.end()) return result;
    for (const auto& value : it->second.values) {
        for (auto& item : split_list(value)) result.push_back(std::move(item));
    }
    return result;
}

Source RawOptions::source(std::string_view flag) const {
    const auto it = entries_.find(flag);
    return it == entries_.end() ? Source::unset : it->second.source;
}

std::string RawOptions::describe(std::string_view flag) const {
    std::string text = "--" + std::string(flag);
    for (const auto& spec : specs_) {
        if (spec.flag == flag && !spec.env.empty()) text += " (" + spec.env + ")";
    }
    return text;
}

void RawOptions::set(const OptionSpec& spec, std::vector<std::string> values, Source source) {
    bool known = false;
    for (const auto& existing : specs_) known = known || existing.flag == spec.flag;
    if (!known) specs_.push_back(spec);
    entries_[spec.flag] = Entry{std::move(values), source};
}

EnvironmentLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    std::string current;
    for (char c : text) {
        if (c == ',' || c == ' ' || c == '\t' || c == '\n') {
            if (!current.empty()) items.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) items.push_back(std::move(current));
    return items;
}

CommandLine parse_command_line(const std::vector<OptionSpec>& specs,
                               const std::vector<std::string>& args,
                               const EnvironmentLookup& environment,
                               const std::map<std::string, std::string>& file_values,
                               std::size_t max_positional) {
    po::options_description description;
    description.add_options()("help,h", "")("version", "");
    for (const auto& spec : specs) {
        switch (spec.kind) {
            case OptionKind::value:
                description.add_options()(spec.flag.c_str(), po::value<std::string>(), "");
                break;
            case OptionKind::list:
                description.add_options()(spec.flag.c_str(),
                                          po::value<std::vector<std::string>>()->composing(), "");
                break;
            case OptionKind::toggle:
                description.add_options()(spec.flag.c_str(),
                                          po::value<std::string>()->implicit_value("true"), "");
                break;
        }
    }
    description.add_options()("positional", po::value<std::vector<std::string>>(), "");
    po::positional_options_description positional;
    positional.add("positional", -1);

    po::variables_map parsed;
    try {
        po::store(po::command_line_parser(args)
                      .options(description)
                      .positional(positional)
                      .style(po::command_line_style::default_style &
                             ~po::command_line_style::allow_guessing)
                      .run(),
                  parsed);
        po::notify(parsed);
    } catch (const po::error& e) {
        throw UsageError(std::string(e.what()) + "; run with --help to list the options");
    }

    CommandLine result;
    result.help = parsed.count("help") > 0;
    result.version = parsed.count("version") > 0;
    if (parsed.count("positional") > 0) {
        result.positional = parsed["positional"].as<std::vector<std::string>>();
    }
    if (result.positional.size() > max_positional) {
        throw UsageError("unexpected argument '" + result.positional[max_positional] +
                         "'; run with --help to list the options");
    }

    for (const auto& spec : specs) {
        if (parsed.count(spec.flag) > 0) {
            std::vector<std::string> values;
            if (spec.kind == OptionKind::list) {
                values = parsed[spec.flag].as<std::vector<std::string>>();
            } else {
                values.push_back(parsed[spec.flag].as<std::string>());
            }
            result.options.set(spec, std::move(values), Source::flag);
            continue;
        }
        if (!spec.env.empty()) {
            // An empty variable counts as unset, as `${VAR:-}` in a stack file produces.
            if (auto value = environment(spec.env);
                value && value->find_first_not_of(" \t") != std::string::npos) {
                result.options.set(spec, {*value}, Source::environment);
                continue;
            }
            if (auto it = file_values.find(spec.env); it != file_values.end()) {
                result.options.set(spec, {it->second}, Source::file);
                continue;
            }
        }
        if (!spec.default_value.empty()) {
            result.options.set(spec, {spec.default_value}, Source::default_value);
        } else {
            result.options.set(spec, {}, Source::unset);
        }
    }
    return result;
}

EnvFileResult parse_env_file(std::string_view text, std::string_view source_name) {
    std::map<std::string, std::string> values;
    std::istringstream in{std::string(text)};
    std::string line;
    int line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        const auto equals = line.find('=', first);
        if (equals == std::string::npos) {
            return std::string(source_name) + ":" + std::to_string(line_number) +
                   ": expected KEY=VALUE (the keys are the environment variable names)";
        }
        std::string key = line.substr(first, equals - first);
        while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
        if (key.rfind("export ", 0) == 0) key = key.substr(7);
        std::string value = line.substr(equals + 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front()) {
            value = value.substr(1, value.size() - 2);
        }
        values[key] = value;
    }
    return values;
}

EnvFileResult read_env_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return "cannot read config file '" + path + "'; check that it exists and is readable";
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_env_file(text.str(), path);
}

std::string render_help(std::string_view usage, std::string_view description,
                        const std::vector<OptionSpec>& specs) {
    std::ostringstream out;
    out << "Usage: " << usage << "\n\n" << description << "\n\nOptions:\n";
    for (const auto& spec : specs) {
        std::string left = "  --" + spec.flag;
        if (spec.kind == OptionKind::toggle) {
            left += "[=true|false]";
        } else if (!spec.value_name.empty()) {
            left += " " + spec.value_name;
        }
        out << left << "\n      " << spec.help;
        if (spec.kind == OptionKind::list) out << " Repeatable; also comma separated.";
        out << "\n";
        if (!spec.env.empty() || !spec.default_value.empty()) {
            out << "      ";
            if (!spec.env.empty()) out << "env " << spec.env;
            if (!spec.env.empty() && !spec.default_value.empty()) out << ", ";
            if (!spec.default_value.empty()) out << "default " << spec.default_value;
            out << "\n";
        }
    }
    out << "  -h, --help\n      Show this help and exit.\n"
        << "  --version\n      Print the version and exit.\n";
    return out.str();
}

}  // namespace ks::config
