#pragma once
// The float: VRRP channels on one interface, tethered to the anchor (or, in direct mode, watching
// the swarm itself), serving its status, driven by signals. A composition of shared parts; all
// of it runs on one io_context thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keepalived_swarm/config/float_config.hpp"
#include "keepalived_swarm/docker/client.hpp"
#include "keepalived_swarm/http/server.hpp"
#include "keepalived_swarm/net/netlink.hpp"
#include "keepalived_swarm/process/command.hpp"
#include "keepalived_swarm/status/float_status.hpp"
#include "keepalived_swarm/swarm/watch.hpp"
#include "keepalived_swarm/tether/client.hpp"
#include "roles/float/channel_plan.hpp"
#include "roles/float/health_checks.hpp"
#include "roles/float/link_watch.hpp"
#include "roles/float/swarm_direct.hpp"
#include "roles/float/vrrp_channel.hpp"

namespace ks::roles::float_role {

class FloatDaemon {
public:
    /// `args` are kept to re-read the configuration on SIGHUP.
    FloatDaemon(boost::asio::io_context& io, config::FloatConfig config,
                std::vector<std::string> args);
    ~FloatDaemon();

    /// Why the float cannot run, and what to do.
    struct StartProblem {
        std::string message;
        /// 2 for a configuration that cannot work here (no such interface, a VIP outside its
        /// subnets), as for invalid values; 1 for what the machine refused (privileges).
        int exit_code = 1;
    };
    /// Direct mode: the node find_swarm_node() found; call before prepare().
    void use_swarm_node(SwarmNode node);
    /// Resolves the interface, removes stale VIPs, opens sockets and the status server.
    std::optional<StartProblem> prepare();
    /// Starts the VRRP instances and the tether; returns at once.
    void start();
    /// Resigns (priority 0), removes the VIPs, closes everything; the io_context then runs out.
    void shutdown();
    status::FloatStatus status() const;

private:
    /// Plans the channels for the current settings from what the kernel reports now.
    std::variant<ChannelPlan, std::string> plan();
    /// Removes stale VIPs and opens the planned channels (not started).
    std::optional<std::string> open_channels(ChannelPlan plan);
    void start_channels();
    void stop_channels();
    /// Gives `channel` the current state of every tracker and peer set the float feeds it.
    void feed(VrrpChannel& channel);
    void set_tracker_everywhere(std::string_view name, const vrrp::Tracker& tracker);
    void remove_tracker_everywhere(std::string_view name);
    void wait_for_signals();
    void on_transition(const VrrpChannel& channel, const vrrp::StateChanged& change);
    void on_tether_message(const tether::Message& message);
    /// What the swarm says, from the anchor or from the float's own watch (`by`, for the log).
    void on_swarm_peers(const std::vector<net::IpAddress>& peers);
    void on_swarm_resign(const std::optional<std::string>& reason, std::string_view by);
    /// Direct mode: starts watching the swarm through the node's Docker Engine.
    void watch_swarm();
    void on_tether_connection(bool connected);
    void forget_anchor_trackers();
    void reload();
    std::optional<std::string> start_status_server();
    /// Watches the channels' interface (again, when a reload moved them to another one).
    std::optional<std::string> watch_link();
    void on_route_event(const net::RouteEvent& event);
    /// After lost notifications: compares the interface's state now with what the channels hold.
    void reconcile_link();
    /// (Re)starts the health checks of config_.instance.track; trackers no longer configured go.
    void start_checks(const config::TrackSettings& previous);

    boost::asio::io_context& io_;
    config::FloatConfig config_;
    std::vector<std::string> args_;
    std::optional<net::RouteNetlink> netlink_;
    std::vector<std::shared_ptr<VrrpChannel>> channels_;
    std::unique_ptr<tether::Client> tether_;
    /// Direct mode: this node, the engine's client and the swarm watch.
    std::optional<SwarmNode> swarm_node_;
    std::unique_ptr<docker::Client> docker_;
    std::unique_ptr<swarm::Watch> swarm_watch_;
    std::shared_ptr<LinkWatch> link_watch_;
    std::shared_ptr<HealthChecks> checks_;
    std::unique_ptr<http::Server> status_server_;
    process::ChildReaper reaper_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer shutdown_deadline_;
    std::chrono::system_clock::time_point started_at_ = std::chrono::system_clock::now();
    bool tether_connected_ = false;
    /// The trackers the float feeds every channel, by name (tether, swarm, link, node-address).
    std::map<std::string, vrrp::Tracker, std::less<>> trackers_;
    /// The trackers the anchor reports (--track-service), forgotten when it goes.
    std::set<std::string> anchor_trackers_;
    /// The latest complete list of the other managers (from the anchor, or the swarm watch).
    std::optional<std::vector<net::IpAddress>> swarm_peers_;
    bool shutting_down_ = false;
};

}  // namespace ks::roles::float_role
