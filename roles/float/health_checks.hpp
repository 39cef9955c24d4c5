#pragma once
// The float's own health checks (--track-http, --track-tcp, --track-file): each runs on its own
// timer with its own deadline, never blocking the VRRP timers, and reports its tracker after every
// result. What a tracker that is down does (resign, or a priority change) is the engine's business.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "keepalived_swarm/config/track_config.hpp"
#include "keepalived_swarm/http/client.hpp"
#include "keepalived_swarm/vrrp/health.hpp"

namespace ks::roles::float_role {

/// Held by shared_ptr: each check's loop keeps it alive until stop() has ended the loop.
class HealthChecks : public std::enable_shared_from_this<HealthChecks> {
public:
    using Report = std::function<void(const std::string& name, const vrrp::Tracker& tracker)>;

    struct Check {
        enum class Kind { http, tcp, file };
        Kind kind = Kind::http;
        std::string target;     ///< URL, HOST:PORT or path, as shown
        config::TcpTarget tcp;  ///< tcp only: what to connect to
        std::string name;       ///< "http:URL", "tcp:HOST:PORT", "file:PATH": the tracker's name
        vrrp::HealthHistory history;
        std::unique_ptr<http::Client> client;  ///< http only
    };

    HealthChecks(const boost::asio::any_io_executor& executor,
                 const config::TrackSettings& settings, Report report);

    /// Runs every check at once, then every interval.
    void start();
    void stop();
    const std::vector<std::unique_ptr<Check>>& checks() const { return checks_; }
    /// The names of the trackers that `settings` make.
    static std::vector<std::string> tracker_names(const config::TrackSettings& settings);

private:
    boost::asio::awaitable<void> run(std::shared_ptr<HealthChecks> self, Check& check);
    /// One result: ok, and what it was (HTTP status, connect error, timeout, file content).
    boost::asio::awaitable<std::pair<bool, std::string>> probe_http(Check& check);
    boost::asio::awaitable<std::pair<bool, std::string>> probe_tcp(const Check& check);

    boost::asio::any_io_executor executor_;
    config::TrackSettings settings_;
    Report report_;
    std::vector<std::unique_ptr<Check>> checks_;
    std::vector<std::shared_ptr<boost::asio::steady_timer>> timers_;
    bool stopped_ = false;
};

/// A track_file's tracker from the file's content (pure, for the tests): 0 is up; another number
/// is added to the priority; anything else, like a missing file, is down with `weight`.
vrrp::Tracker file_tracker(const std::optional<std::string>& content, std::optional<int> weight);

}  // namespace ks::roles::float_role
