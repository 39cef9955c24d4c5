#pragma once
// What the buoy's handlers read: its identity, set at start, and the latest answer of the
// float's status socket, which the float watch refreshes on the same executor.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "keepalived_swarm/http/server.hpp"
#include "keepalived_swarm/status/cluster.hpp"
#include "keepalived_swarm/status/float_status.hpp"

namespace ks::roles::buoy {

/// The float as the buoy last saw it.
struct FloatView {
    std::optional<status::FloatStatus> status;  ///< nullopt: unreachable or not asked yet
    std::string error = "the float's status socket was not asked yet";  ///< why no status
    std::chrono::system_clock::time_point checked_at{};                 ///< epoch: never asked
    std::uint64_t fetches = 0;
    std::uint64_t failures = 0;
    /// The status document `status` was read from: an identical answer is not parsed again.
    std::string document;
    /// Changes whenever `status` does (what is rendered from it is cached by generation).
    std::uint64_t generation = 0;

    bool reachable() const { return status.has_value(); }
};

/// Records an answer of the float's status socket: a status document, or why there is none.
void record_float_answer(FloatView& view, unsigned http_status, std::string_view body,
                         std::chrono::system_clock::time_point now);
/// Records a fetch that got no answer; `error` says what went wrong and what to check.
void record_float_failure(FloatView& view, std::string error,
                          std::chrono::system_clock::time_point now);

/// Another manager as this buoy last saw it, through its buoy's GET /status.
struct PeerView {
    std::string address;
    std::string name;       ///< what its buoy calls its node; empty until it answered
    bool answered = false;  ///< its buoy answered the last fetch with a status document
    std::string error = "not asked yet";  ///< why it, or its float, cannot be read
    std::chrono::system_clock::time_point checked_at{};
    std::optional<status::FloatStatus> float_status;
    /// The body `float_status` was read from: an identical answer is not parsed again.
    std::string document;
};

/// Records an answer of a peer's buoy: its status document, or why it is not one.
void record_peer_answer(PeerView& peer, unsigned http_status, std::string_view body,
                        std::chrono::system_clock::time_point now);
/// Records a fetch that got no answer; `error` says what went wrong and what to check.
void record_peer_failure(PeerView& peer, std::string error,
                         std::chrono::system_clock::time_point now);

/// The float's metrics as last rendered for /metrics, kept until the float's status changes.
struct RenderedFloatMetrics {
    std::uint64_t generation = UINT64_MAX;  ///< FloatView::generation rendered; none yet
    std::string text;
    status::PrometheusCuts cuts;  ///< what the bounds cut from `text`
};

/// Everything the buoy's routes show.
struct BuoyState {
    std::string node_hostname;  ///< DOCKER_NODE_HOSTNAME, or the host name
    std::string container_id;   ///< the container's host name, as the original buoy showed
    std::string version;
    std::string float_socket;
    std::chrono::steady_clock::time_point started{};
    /// The clock the uptime is measured with (tests set it).
    std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
    FloatView float_view;
    /// The other managers, by the address their buoy is asked at.
    std::map<std::string, PeerView, std::less<>> peers;
    const http::Server* server = nullptr;  ///< for connection metrics; may be null
    /// A cache filled by the /metrics handler, which sees the state as const.
    mutable RenderedFloatMetrics float_metrics;

    std::chrono::seconds uptime() const;
    /// This node and its peers, judged together, as GET /cluster shows them.
    status::ClusterView cluster_view(std::chrono::system_clock::time_point at) const;
};

}  // namespace ks::roles::buoy
