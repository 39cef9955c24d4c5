#pragma once
// Pure parsers for option values, and a Validator that turns raw options into typed values while
// collecting every problem, so a user sees all of them at once.

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/config/options.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::config {

/// "100ms", "1s", "0.1" (seconds), "250us", "2m", "1.5s"; nullopt when malformed or inexact.
std::optional<std::chrono::microseconds> parse_duration(std::string_view text);
/// The shortest exact rendering parse_duration reads back: "100ms", "1s", "1500us".
std::string format_duration(std::chrono::microseconds duration);
/// Decimal integer, optional sign; nullopt on anything else.
std::optional<long long> parse_integer(std::string_view text);
/// true/false, yes/no, on/off, 1/0.
std::optional<bool> parse_bool(std::string_view text);

/// What was wrong with one option: named, shown, and the allowed values stated.
struct Problem {
    std::string option;   ///< "--vrid (KEEPALIVED_ROUTER_ID)"
    std::string value;    ///< the offending text, may be empty for a missing option
    std::string allowed;  ///< "an integer from 1 to 255"
    std::string message() const;
};

/// All problems as one message, a line each.
std::string format_problems(const std::vector<Problem>& problems);

/// Reads typed values out of RawOptions, recording a Problem for each bad one.
class Validator {
public:
    explicit Validator(const RawOptions& options) : options_(options) {}

    std::optional<long long> integer(std::string_view flag, long long min, long long max);
    std::optional<std::chrono::microseconds> duration(std::string_view flag,
                                                      std::chrono::microseconds min,
                                                      std::chrono::microseconds max);
    std::optional<bool> toggle(std::string_view flag);
    std::optional<std::string> choice(std::string_view flag,
                                      std::initializer_list<std::string_view> allowed);
    /// The value as text, empty when unset.
    std::string text(std::string_view flag);
    /// The value, or a "required" problem when unset or empty.
    std::optional<std::string> required(std::string_view flag, std::string_view allowed);
    std::vector<net::IpPrefix> prefixes(std::string_view flag);
    std::vector<net::IpAddress> addresses(std::string_view flag);

    void add_problem(std::string_view flag, std::string value, std::string allowed);
    const RawOptions& options() const { return options_; }
    const std::vector<Problem>& problems() const { return problems_; }

private:
    const RawOptions& options_;
    std::vector<Problem> problems_;
};

}  // namespace ks::config
