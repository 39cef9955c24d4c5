#pragma once
// Options of a role: each one a flag and an environment variable. Flags win over the environment,
// the environment over a config file (KEY=VALUE lines), and that over the defaults.

#include <boost/system/result.hpp>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ks::config {

enum class OptionKind {
    value,   ///< one value: --vrid 51
    list,    ///< repeatable, each value may hold several separated by commas or spaces
    toggle,  ///< --preempt alone means true; --preempt=false and env values true/false too
};

/// One option of a role.
struct OptionSpec {
    std::string flag;           ///< long flag without dashes: "vrid"
    std::string env;            ///< environment variable, empty when there is none
    std::string default_value;  ///< empty: no default
    std::string value_name;     ///< placeholder in --help: "N", "DUR", "ADDR"
    std::string help;
    OptionKind kind = OptionKind::value;
};

enum class Source { flag, environment, file, default_value, unset };

std::string_view to_string(Source source);

/// The merged, still textual values of every option of a role.
class RawOptions {
public:
    struct Entry {
        std::vector<std::string> values;
        Source source = Source::unset;
    };

    /// The single value of an option, or nullopt when no source set it.
    std::optional<std::string> value(std::string_view flag) const;
    /// All values of a list option, split on commas and whitespace.
    std::vector<std::string> list(std::string_view flag) const;
    Source source(std::string_view flag) const;
    /// "--vrid (KEEPALIVED_ROUTER_ID)": how a message names an option.
    std::string describe(std::string_view flag) const;
    /// Sets a value directly (tests, and roles deriving one option from another).
    void set(const OptionSpec& spec, std::vector<std::string> values, Source source);
    const std::vector<OptionSpec>& specs() const { return specs_; }

private:
    std::vector<OptionSpec> specs_;
    std::map<std::string, Entry, std::less<>> entries_;
};

/// Looks up an environment variable; injectable so tests stay pure.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string&)>;
/// The process environment.
EnvironmentLookup process_environment();

/// A bad command line (unknown flag, missing value): startup misconfiguration, exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct CommandLine {
    RawOptions options;
    std::vector<std::string> positional;
    bool help = false;
    bool version = false;
};

/// Parses `args` (without the program and subcommand names), then fills what flags left unset
/// from `environment`, then from `file_values`, then from defaults. Throws UsageError.
CommandLine parse_command_line(const std::vector<OptionSpec>& specs,
                               const std::vector<std::string>& args,
                               const EnvironmentLookup& environment,
                               const std::map<std::string, std::string>& file_values = {},
                               std::size_t max_positional = 0);

/// The values of a config file by key, or the message that says why it could not be read (a
/// std::string error: read it with error(), not value()).
using EnvFileResult = boost::system::result<std::map<std::string, std::string>, std::string>;

/// Parses KEY=VALUE lines (# comments, blank lines, optional quotes); `source_name` names the
/// text in an error ("PATH:LINE: ...").
EnvFileResult parse_env_file(std::string_view text, std::string_view source_name);
/// Reads the file at `path` and parses it as parse_env_file does; an unreadable file is an error
/// too.
EnvFileResult read_env_file(const std::string& path);

/// The --help text: usage line, description, then one entry per option with env and default.
std::string render_help(std::string_view usage, std::string_view description,
                        const std::vector<OptionSpec>& specs);

/// Splits "a,b c" into {"a","b","c"}.
std::vector<std::string> split_list(std::string_view text);

}  // namespace ks::config
