#pragma once
// The anchor: keeps exactly one correctly configured float container running on this node,
// watching it through Docker events, and keeps the float informed over the tether (the node's
// swarm state here, the tracked services in ServiceTracking).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "keepalived_swarm/docker/client.hpp"
#include "keepalived_swarm/docker/event_stream.hpp"
#include "keepalived_swarm/swarm/watch.hpp"
#include "keepalived_swarm/tether/server.hpp"
#include "keepalived_swarm/util/signal.hpp"
#include "keepalived_swarm/util/sleeps.hpp"
#include "roles/anchor/anchor_config.hpp"
#include "roles/anchor/decisions.hpp"
#include "roles/anchor/float_spec.hpp"
#include "roles/anchor/service_tracking.hpp"

namespace ks::roles::anchor {

class Anchor {
public:
    Anchor(boost::asio::io_context& io, AnchorConfig config);

    /// Runs until stop() and the float is gone; returns the exit code.
    boost::asio::awaitable<int> run();
    /// Asks for a graceful end: stop and remove the float, then return from run().
    void stop();

private:
    using Clock = std::chrono::steady_clock;

    boost::asio::awaitable<bool> connect();
    boost::asio::awaitable<std::optional<std::string>> discover();
    boost::asio::awaitable<bool> resolve_image();
    boost::asio::awaitable<void> supervise();
    boost::asio::awaitable<docker::Result<void>> reconcile();
    boost::asio::awaitable<docker::Result<std::vector<ObservedFloat>>> observe(
        docker::Client& client);
    boost::asio::awaitable<docker::Result<void>> apply(docker::Client& client,
                                                       const ReconcilePlan& plan);
    boost::asio::awaitable<docker::Result<void>> create_float();
    boost::asio::awaitable<bool> shutdown_float();
    /// What docker::follow_events needs of the anchor for one stream.
    docker::EventFollowing following(std::string what, std::function<void()> resync,
                                     std::function<void(const docker::Event&)> on_event);
    void on_float_event(const docker::Event& event);
    void start_tracking();
    /// The anchor's service's UpdateStatus.State ("" when unknown or not a service task).
    boost::asio::awaitable<std::string> own_update_state(docker::Client& client);
    /// Whether this node's float is MASTER of any instance, from its status socket.
    boost::asio::awaitable<bool> float_is_master();
    /// Keeps an outdated float that holds the VIP while the rolling update goes on (and looks
    /// again in a moment); true when it does.
    boost::asio::awaitable<bool> keep_outdated_float(const std::vector<ObservedFloat>& found);
    /// Another running anchor of this service on this node that is newer than this one.
    boost::asio::awaitable<std::optional<std::string>> newer_anchor_on_node(docker::Client& client);
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration);
    /// A client on a connection of its own (streams, and calls that must not queue behind the
    /// anchor's), speaking the negotiated API version and reporting slow calls.
    std::unique_ptr<docker::Client> separate_client();

    boost::asio::io_context& io_;
    AnchorConfig config_;
    docker::Client docker_;
    std::unique_ptr<docker::Client> container_events_;
    std::unique_ptr<docker::Client> tracking_requests_;
    std::unique_ptr<docker::Client> tracking_events_;
    tether::Server tether_;
    ServiceTracking tracking_;
    util::Signal reconcile_signal_;
    util::Sleeps sleeps_;

    FloatInputs inputs_;
    docker::ContainerSpec desired_;
    std::string desired_hash_;
    bool in_swarm_ = false;
    std::string node_id_;
    std::string service_name_;  ///< the swarm service this anchor is a task of (empty: none)
    /// This node's place in the swarm, passed on to the float (in a swarm only).
    std::unique_ptr<swarm::Watch> swarm_watch_;

    std::string float_id_;  ///< the float this anchor started or adopted
    /// Since when an outdated float that holds the VIP is kept (a rolling update goes on).
    std::optional<Clock::time_point> replacement_deferred_since_;
    Clock::time_point float_started_{};
    std::optional<Clock::time_point> death_seen_;
    util::Backoff crashes_{std::chrono::milliseconds(500), std::chrono::seconds(30)};
    bool stopping_ = false;
};

}  // namespace ks::roles::anchor
