#pragma once
// Docker Engine API versions and the choice of the one to speak: the highest that both this
// client (1.41, Docker 20.10, to 1.52, Docker 29) and the daemon support.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "keepalived_swarm/docker/error.hpp"

namespace ks::docker {

/// "1.41" as numbers, ordered.
struct ApiVersion {
    int major = 1;
    int minor = 41;
    friend auto operator<=>(const ApiVersion&, const ApiVersion&) = default;
    /// "1.41"
    std::string to_string() const;
};

/// The oldest API this client speaks (Docker 20.10).
inline constexpr ApiVersion kOldestApiVersion{1, 41};
/// The newest API this client knows (Docker 29, whose own minimum is 1.44).
inline constexpr ApiVersion kNewestApiVersion{1, 52};

/// Parses "1.41"; nullopt for anything else.
std::optional<ApiVersion> parse_api_version(std::string_view text);

/// The highest version both sides speak, from the daemon's newest (`daemon_max`, the API-Version
/// header of /_ping or ApiVersion of /version) and oldest (MinAPIVersion of /version; unknown
/// means no lower bound). ErrorKind::unsupported, saying which side is too old, when none.
Result<ApiVersion> negotiate_api_version(std::optional<ApiVersion> daemon_max,
                                         std::optional<ApiVersion> daemon_min);

}  // namespace ks::docker
