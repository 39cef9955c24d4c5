#include "keepalived_swarm/docker/api_version.hpp"

#include <algorithm>
#include <charconv>

namespace ks::docker {

std::string ApiVersion::to_string() const {
    return std::to_string(major) + "." + std::to_string(minor);
}

std::optional<ApiVersion> parse_api_version(std::string_view text) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size()) return std::nullopt;
    ApiVersion version;
    const auto major_text = text.substr(0, dot);
    const auto minor_text = text.substr(dot + 1);
    auto [major_end, major_ec] =
        std::from_chars(major_text.data(), major_text.data() + major_text.size(), version.major);
    auto [minor_end, minor_ec] =
        std::from_chars(minor_text.data(), minor_text.data() + minor_text.size(), version.minor);
    if (major_ec != std::errc{} || minor_ec != std::errc{} ||
        major_end != major_text.data() + major_text.size() ||
        minor_end != minor_text.data() + minor_text.size() || version.major < 0 ||
        version.minor < 0) {
        return std::nullopt;
    }
    return version;
}

Result<ApiVersion> negotiate_api_version(std::optional<ApiVersion> daemon_max,
                                         std::optional<ApiVersion> daemon_min) {
    if (!daemon_max) {
        return Error{ErrorKind::protocol, 0,
                     "the Docker daemon did not say which API version it speaks (no API-Version "
                     "header and no ApiVersion in /version); is this a Docker Engine?"};
    }
    if (*daemon_max < kOldestApiVersion) {
        return Error{ErrorKind::unsupported, 0,
                     "the Docker Engine is too old: it speaks API " + daemon_max->to_string() +
                         ", keepalived-swarm needs " + kOldestApiVersion.to_string() +
                         " (Docker 20.10) or newer; upgrade Docker"};
    }
    const ApiVersion chosen = std::min(*daemon_max, kNewestApiVersion);
    if (daemon_min && *daemon_min > chosen) {
        return Error{ErrorKind::unsupported, 0,
                     "the Docker Engine is too new: its oldest API is " + daemon_min->to_string() +
                         " and keepalived-swarm speaks up to " + kNewestApiVersion.to_string() +
                         "; use a newer keepalived-swarm"};
    }
    return chosen;
}

}  // namespace ks::docker
