#include "keepalived_swarm/config/track_config.hpp"

namespace ks::config {
namespace {

using namespace std::chrono_literals;

/// HOST:PORT, [IPV6]:PORT.
std::optional<TcpTarget> parse_tcp_target(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
    std::string host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return std::nullopt;  // an IPv6 address needs brackets
    }
    if (host.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) == 0 ||
        std::stoi(port) > 65535) {
        return std::nullopt;
    }
    return TcpTarget{std::move(host), port};
}

/// Empty: unset; else the items separated by spaces.
std::optional<std::string> words_text(const std::vector<std::string>& words) {
    if (words.empty()) return std::nullopt;
    return joined(words, " ", [](const std::string& word) { return word; });
}

std::optional<std::string> targets_text(const std::vector<TcpTarget>& targets) {
    if (targets.empty()) return std::nullopt;
    return joined(targets, " ", [](const TcpTarget& target) { return to_string(target); });
}

/// Unlike weight_text, without a plus sign: the option's own form.
std::optional<std::string> weight_option_text(const std::optional<int>& weight) {
    return weight ? std::to_string(*weight) : "fault";
}

}  // namespace

std::string to_string(const TcpTarget& target) {
    const bool v6 = target.host.find(':') != std::string::npos;
    return (v6 ? "[" + target.host + "]" : target.host) + ":" + target.port;
}

std::string weight_text(const std::optional<int>& weight) {
    if (!weight) return "fault";
    return (*weight >= 0 ? "+" : "") + std::to_string(*weight);
}

const std::vector<TrackOption>& track_options() {
    // A running float restarts its checks with the new settings: all of them apply in place.
    static const std::vector<TrackOption> table = {
        field_option(&TrackSettings::http, Reload::in_place,
                     {"track-http", "KEEPALIVED_TRACK_HTTP", "", "URL",
                      "Track this URL (http://HOST[:PORT][/PATH]): up while it answers 2xx within "
                      "--track-timeout.",
                      OptionKind::list},
                     words_text),
        field_option(&TrackSettings::tcp, Reload::in_place,
                     {"track-tcp", "KEEPALIVED_TRACK_TCP", "", "HOST:PORT",
                      "Track this TCP port: up while a connection opens within --track-timeout.",
                      OptionKind::list},
                     targets_text),
        field_option(&TrackSettings::files, Reload::in_place,
                     {"track-file", "KEEPALIVED_TRACK_FILE", "", "PATH",
                      "Track this file (keepalived's track_file): 0 is up, another number is "
                      "added to the priority, a missing or unreadable file is down.",
                      OptionKind::list},
                     words_text),
        field_option(&TrackSettings::interval, Reload::in_place,
                     {"track-interval", "KEEPALIVED_TRACK_INTERVAL", "1s", "DUR",
                      "How often each check runs."},
                     duration_text),
        field_option(&TrackSettings::timeout, Reload::in_place,
                     {"track-timeout", "KEEPALIVED_TRACK_TIMEOUT", "1s", "DUR",
                      "A check that has not answered by then failed (a hung server counts as "
                      "down)."},
                     duration_text),
        field_option(&TrackSettings::fall, Reload::in_place,
                     {"track-fall", "KEEPALIVED_TRACK_FALL", "2", "N",
                      "Failures in a row that take a tracked check down."},
                     number_text<unsigned>),
        field_option(&TrackSettings::rise, Reload::in_place,
                     {"track-rise", "KEEPALIVED_TRACK_RISE", "2", "N",
                      "Successes in a row that bring a tracked check back up."},
                     number_text<unsigned>),
        field_option(&TrackSettings::weight, Reload::in_place,
                     {"track-weight", "KEEPALIVED_TRACK_WEIGHT", "fault", "fault|N",
                      "What a check that is down does: fault (resign the VIPs at once and stay "
                      "out), or a signed number added to the priority, which moves the VIP only "
                      "with --preempt."},
                     weight_option_text),
    };
    return table;
}

TrackSettings read_track_settings(Validator& validator) {
    TrackSettings settings;
    for (auto& url : validator.options().list("track-http")) {
        // The checker parses it fully; here only what makes it a URL of a host over http.
        const auto host = std::string_view(url).substr(std::min<std::size_t>(7, url.size()));
        if (!url.starts_with("http://") || host.empty() || host.front() == '/' ||
            host.find_first_of(" \t") != std::string_view::npos) {
            validator.add_problem("track-http", url, "a URL such as http://127.0.0.1:8080/health");
            continue;
        }
        settings.http.push_back(std::move(url));
    }
    for (const auto& text : validator.options().list("track-tcp")) {
        if (auto target = parse_tcp_target(text)) {
            settings.tcp.push_back(std::move(*target));
        } else {
            validator.add_problem("track-tcp", text,
                                  "HOST:PORT such as 127.0.0.1:443 ([ADDR]:PORT for IPv6)");
        }
    }
    for (auto& path : validator.options().list("track-file")) {
        if (path.empty() || path.front() != '/') {
            validator.add_problem("track-file", path, "an absolute path");
            continue;
        }
        settings.files.push_back(std::move(path));
    }
    settings.interval =
        validator.duration("track-interval", 10ms, 3600s).value_or(settings.interval);
    settings.timeout = validator.duration("track-timeout", 10ms, 3600s).value_or(settings.timeout);
    if (auto fall = validator.integer("track-fall", 1, 100)) {
        settings.fall = static_cast<unsigned>(*fall);
    }
    if (auto rise = validator.integer("track-rise", 1, 100)) {
        settings.rise = static_cast<unsigned>(*rise);
    }
    const auto weight = validator.text("track-weight");
    if (weight != "fault") {
        if (auto number = validator.integer("track-weight", -253, 253)) {
            settings.weight = static_cast<int>(*number);
        }
    }
    return settings;
}

}  // namespace ks::config
