#pragma once
// The Docker Engine API, typed: one call per method, answers parsed into the structs of
// models.hpp, failures as docker::Error. One Client is one connection: a long stream (events,
// pull) occupies it, so give streams a Client of their own (same endpoint and API version).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/docker/api_version.hpp"
#include "keepalived_swarm/docker/error.hpp"
#include "keepalived_swarm/docker/models.hpp"
#include "keepalived_swarm/http/client.hpp"

namespace ks::docker {

/// Event and list filters as the API takes them: {"label": ["a=b"], "event": ["die"]}.
using Filters = std::map<std::string, std::vector<std::string>>;

/// Default Engine address when neither --docker-host nor DOCKER_HOST says otherwise.
inline constexpr const char* kDefaultHost = "unix:///var/run/docker.sock";

class Client {
public:
    /// Deadline of ordinary calls; waits and stops add their own durations to it.
    static constexpr std::chrono::milliseconds kCallTimeout{30000};
    /// Deadline of the calls that only read the engine's own state (/_ping, /version, /info):
    /// a healthy engine answers them in milliseconds, and a hung one should be noticed soon.
    static constexpr std::chrono::milliseconds kQuickCallTimeout{10000};

    using Clock = std::chrono::steady_clock;
    /// Told about a call that has had no answer for a while: "GET /v1.41/info", and how long.
    using SlowCallHandler =
        std::function<void(const std::string& call, std::chrono::milliseconds waited)>;

    Client(boost::asio::any_io_executor executor, http::Endpoint endpoint);

    /// Asks the daemon for its API versions (/_ping, then /version) and from then on speaks the
    /// highest one both support. Until called, the client speaks kOldestApiVersion.
    boost::asio::awaitable<Result<ApiVersion>> negotiate();
    /// Makes this client speak `version` (a Client for a stream copies the negotiated one).
    void set_api_version(ApiVersion version) { version_ = version; }
    ApiVersion api_version() const { return version_; }
    const http::Endpoint& endpoint() const { return http_.endpoint(); }
    /// A client of the same engine on a connection of its own (a stream, or calls that must not
    /// queue behind this client's), speaking this client's API version.
    std::unique_ptr<Client> another_connection(boost::asio::any_io_executor executor) const;

    /// GET /_ping; the API-Version the daemon announces, if it does.
    boost::asio::awaitable<Result<std::optional<ApiVersion>>> ping();
    boost::asio::awaitable<Result<VersionInfo>> version();
    boost::asio::awaitable<Result<SystemInfo>> info();

    boost::asio::awaitable<Result<NodeInfo>> inspect_node(std::string id);
    /// All nodes, or the managers only. Only a manager that reaches the raft leader answers.
    boost::asio::awaitable<Result<std::vector<NodeInfo>>> list_nodes(
        bool managers_only, std::chrono::milliseconds timeout = kCallTimeout);

    /// nullopt when no service has this name or id (404).
    boost::asio::awaitable<Result<std::optional<ServiceInfo>>> inspect_service(
        std::string name_or_id);
    /// Swarm tasks matching `filters` (service, node, desired-state, ...).
    boost::asio::awaitable<Result<std::vector<TaskInfo>>> list_tasks(Filters filters);

    /// nullopt when the daemon has no such image.
    boost::asio::awaitable<Result<std::optional<ImageInfo>>> inspect_image(std::string reference);
    /// Pulls `reference` ("name:tag" or "name@digest"), calling `on_progress` per status line;
    /// an {"error":...} line in the stream fails the call with ErrorKind::stream.
    boost::asio::awaitable<Result<void>> pull_image(
        std::string reference, std::function<void(const PullProgress&)> on_progress);

    /// Creates a container named `name`; returns its id.
    boost::asio::awaitable<Result<std::string>> create_container(std::string name,
                                                                 ContainerSpec spec);
    /// Starts it; a container already running is fine.
    boost::asio::awaitable<Result<void>> start_container(std::string id);
    /// nullopt when no container has this id or name.
    boost::asio::awaitable<Result<std::optional<ContainerInfo>>> inspect_container(
        std::string id_or_name);
    /// Waits until the container is not running (or removed); returns its exit code.
    boost::asio::awaitable<Result<long long>> wait_container(std::string id,
                                                             std::chrono::milliseconds timeout);
    /// Sends the stop signal, then SIGKILL after `grace`; returns once it has stopped. A
    /// container already stopped or gone is fine.
    boost::asio::awaitable<Result<void>> stop_container(std::string id, std::chrono::seconds grace);
    /// Sends `signal` ("SIGTERM", "SIGKILL") to the container's main process.
    boost::asio::awaitable<Result<void>> kill_container(std::string id, std::string signal);
    /// Removes the container (with `force`, a running one too); a container already gone is fine.
    boost::asio::awaitable<Result<void>> remove_container(std::string id, bool force);
    /// Containers, running or not, matching `filters` (e.g. {"label": ["x=y"]}).
    boost::asio::awaitable<Result<std::vector<ContainerSummary>>> list_containers(Filters filters);

    /// Follows GET /events with `filters`: `on_subscribed` runs once the daemon has accepted the
    /// subscription (events from then on are delivered), `on_event` per event. Returns only when
    /// the stream ends: a daemon that goes away gives ErrorKind::unreachable, cancel() gives
    /// ErrorKind::cancelled.
    boost::asio::awaitable<Result<void>> watch_events(Filters filters,
                                                      std::function<void()> on_subscribed,
                                                      std::function<void(const Event&)> on_event);

    /// Ends the call in progress and those waiting for their turn (they fail with
    /// ErrorKind::cancelled).
    void cancel() { http_.cancel(); }
    /// No call of this client runs past `deadline`: each one's own timeout is cut to the time
    /// left, and once it has passed a call fails with ErrorKind::timeout without being sent.
    /// Bounds a sequence of calls (the anchor's stop) as a whole. Streams (events, pulls) are not
    /// cut.
    void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }
    /// Calls `on_slow` once for each call that has had no answer after `after`, so a hung engine
    /// is reported while the call still waits for its timeout.
    void set_slow_call_handler(std::chrono::milliseconds after, SlowCallHandler on_slow) {
        slow_after_ = after;
        on_slow_ = std::move(on_slow);
    }

private:
    boost::asio::awaitable<Result<http::Response>> call(
        std::string method, std::string path, std::string body = {},
        std::chrono::milliseconds timeout = kCallTimeout);
    /// "/v1.41" + path
    std::string versioned(const std::string& path) const;
    Error to_error(const boost::system::error_code& ec) const;

    http::Client http_;
    ApiVersion version_ = kOldestApiVersion;
    std::optional<Clock::time_point> deadline_;
    std::chrono::milliseconds slow_after_{0};
    SlowCallHandler on_slow_;
};

/// Percent-encodes a query parameter value.
std::string url_encode(std::string_view text);
/// The JSON text of Filters, for ?filters=.
std::string filters_json(const Filters& filters);

}  // namespace ks::docker
