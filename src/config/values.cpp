#include "keepalived_swarm/config/values.hpp"

#include <algorithm>
#include <charconv>

namespace ks::config {
namespace {

struct Unit {
    std::string_view suffix;
    long long microseconds;
};
// Longest suffixes first so "ms" is not read as "s".
constexpr Unit kUnits[] = {
    {"us", 1}, {"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000LL}};

std::string lowercase(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

}  // namespace

std::optional<std::chrono::microseconds> parse_duration(std::string_view text) {
    long long multiplier = 1000000;  // a bare number is seconds, like keepalived's advert_int
    for (const auto& unit : kUnits) {
        if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix)) {
            const auto number = text.substr(0, text.size() - unit.suffix.size());
            if (!number.empty() && std::isdigit(static_cast<unsigned char>(number.back()))) {
                multiplier = unit.microseconds;
                text = number;
                break;
            }
        }
    }
    const auto dot = text.find('.');
    const auto whole_text = text.substr(0, dot);
    const auto fraction_text =
        dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole_text.empty() && fraction_text.empty()) return std::nullopt;
    if (dot != std::string_view::npos && fraction_text.empty()) return std::nullopt;
    const auto all_digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(),
                           [](unsigned char c) { return std::isdigit(c) != 0; });
    };
    if (!all_digits(whole_text) || !all_digits(fraction_text)) return std::nullopt;
    if (whole_text.size() > 9 || fraction_text.size() > 9) return std::nullopt;

    long long whole = 0;
    for (char c : whole_text) whole = whole * 10 + (c - '0');
    long long fraction = 0;
    long long scale = 1;
    for (char c : fraction_text) {
        fraction = fraction * 10 + (c - '0');
        scale *= 10;
    }
    if (fraction * multiplier % scale != 0) return std::nullopt;  // finer than a microsecond
    return std::chrono::microseconds(whole * multiplier + fraction * multiplier / scale);
}

std::string format_duration(std::chrono::microseconds duration) {
    const long long us = duration.count();
    if (us != 0 && us % 1000000 == 0) return std::to_string(us / 1000000) + "s";
    if (us != 0 && us % 1000 == 0) return std::to_string(us / 1000) + "ms";
    return std::to_string(us) + "us";
}

std::optional<long long> parse_integer(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    long long value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    return value;
}

std::optional<bool> parse_bool(std::string_view text) {
    const auto lower = lowercase(text);
    if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
    if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
    return std::nullopt;
}

std::string Problem::message() const {
    if (value.empty()) return option + " is required: " + allowed;
    return "invalid " + option + " '" + value + "': expected " + allowed;
}

std::string format_problems(const std::vector<Problem>& problems) {
    std::string text;
    for (const auto& problem : problems) text += "error: " + problem.message() + "\n";
    return text;
}

void Validator::add_problem(std::string_view flag, std::string value, std::string allowed) {
    problems_.push_back(Problem{options_.describe(flag), std::move(value), std::move(allowed)});
}

std::optional<long long> Validator::integer(std::string_view flag, long long min, long long max) {
    const auto raw = options_.value(flag);
    if (!raw) return std::nullopt;
    const auto value = parse_integer(*raw);
    if (!value || *value < min || *value > max) {
        add_problem(flag, *raw,
                    "an integer from " + std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::microseconds> Validator::duration(std::string_view flag,
                                                             std::chrono::microseconds min,
                                                             std::chrono::microseconds max) {
    const auto raw = options_.value(flag);
    if (!raw) return std::nullopt;
    const auto value = parse_duration(*raw);
    if (!value || *value < min || *value > max) {
        add_problem(flag, *raw,
                    "a duration from " + format_duration(min) + " to " + format_duration(max) +
                        " such as 100ms, 1s or 0.5 (seconds)");
        return std::nullopt;
    }
    return value;
}

std::optional<bool> Validator::toggle(std::string_view flag) {
    const auto raw = options_.value(flag);
    if (!raw) return std::nullopt;
    const auto value = parse_bool(*raw);
    if (!value) add_problem(flag, *raw, "true or false");
    return value;
}

std::optional<std::string> Validator::choice(std::string_view flag,
                                             std::initializer_list<std::string_view> allowed) {
    const auto raw = options_.value(flag);
    if (!raw) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *raw) != allowed.end()) return raw;
    std::string list;
    for (auto it = allowed.begin(); it != allowed.end(); ++it) {
        if (it != allowed.begin()) list += std::next(it) == allowed.end() ? " or " : ", ";
        list += *it;
    }
    add_problem(flag, *raw, "one of " + list);
    return std::nullopt;
}

std::string Validator::text(std::string_view flag) {
    return options_.value(flag).value_or("");
}

std::optional<std::string> Validator::required(std::string_view flag, std::string_view allowed) {
    auto raw = options_.value(flag);
    if (!raw || raw->empty()) {
        add_problem(flag, "", std::string(allowed));
        return std::nullopt;
    }
    return raw;
}

std::vector<net::IpPrefix> Validator::prefixes(std::string_view flag) {
    std::vector<net::IpPrefix> result;
    for (const auto& item : options_.list(flag)) {
        if (auto prefix = net::parse_ip_prefix(item)) {
            result.push_back(*prefix);
        } else {
            add_problem(flag, item,
                        "an IPv4 or IPv6 address with an optional prefix length, such as "
                        "10.0.0.100/24 or fd00::100/64");
        }
    }
    return result;
}

std::vector<net::IpAddress> Validator::addresses(std::string_view flag) {
    std::vector<net::IpAddress> result;
    for (const auto& item : options_.list(flag)) {
        if (auto address = net::parse_ip_address(item)) {
            result.push_back(*address);
        } else {
            add_problem(flag, item, "an IPv4 or IPv6 address such as 10.0.0.2 or fd00::2");
        }
    }
    return result;
}

}  // namespace ks::config
