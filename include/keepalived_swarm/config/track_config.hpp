#pragma once
// Health checks the float runs itself (no shell: keepalived's scripts are a known hole): an HTTP
// URL, a TCP port, a file holding a number. Each becomes a tracker of the VRRP instance.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/config/common.hpp"
#include "keepalived_swarm/config/option_table.hpp"
#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::config {

/// Host and port of a TCP check, as written.
struct TcpTarget {
    std::string host;
    std::string port;
    friend bool operator==(const TcpTarget&, const TcpTarget&) = default;
};

/// HOST:PORT, with brackets around an IPv6 host: how it is written and how it is named.
std::string to_string(const TcpTarget& target);

struct TrackSettings {
    std::vector<std::string> http;  ///< URLs as written (http://HOST[:PORT][/PATH])
    std::vector<TcpTarget> tcp;
    std::vector<std::string> files;
    vrrp::Duration interval = std::chrono::seconds(1);
    vrrp::Duration timeout = std::chrono::seconds(1);
    unsigned fall = 2;
    unsigned rise = 2;
    /// nullopt: a check that is down puts the instance in Fault; else added to its priority.
    std::optional<int> weight;
    friend bool operator==(const TrackSettings&, const TrackSettings&) = default;
};

using TrackOption = SettingsOption<TrackSettings>;
/// The options of TrackSettings, one per field.
const std::vector<TrackOption>& track_options();
TrackSettings read_track_settings(Validator& validator);
/// "fault" or the signed weight.
std::string weight_text(const std::optional<int>& weight);

}  // namespace ks::config
