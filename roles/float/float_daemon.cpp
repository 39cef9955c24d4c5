#include "roles/float/float_daemon.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <csignal>
#include <filesystem>
#include <map>
#include <tuple>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/host_name.hpp"
#include "keepalived_swarm/util/time_text.hpp"
#include "keepalived_swarm/version.hpp"
#include "roles/float/channel_plan.hpp"
#include "roles/float/status_routes.hpp"

namespace ks::roles::float_role {
namespace {

/// Adds what to do to the kernel's terse refusals of raw sockets and address changes.
std::string explain(const boost::system::error_code& error, std::string_view what) {
    std::string text = std::string(what) + ": " + error.message();
    if (error == boost::system::errc::operation_not_permitted ||
        error == boost::system::errc::permission_denied) {
        text +=
            "; the float needs CAP_NET_RAW and CAP_NET_ADMIN (docker run --cap-add NET_RAW "
            "--cap-add NET_ADMIN --network host), or run it as root";
    }
    return text;
}

// The trackers the float feeds its instances; each one down puts them in Fault.
constexpr std::string_view kTetherTracker = "tether";  ///< the anchor's connection is open
constexpr std::string_view kSwarmTracker = "swarm";    ///< the anchor lets it compete
constexpr std::string_view kLinkTracker = "link";      ///< the interface is up with carrier
/// The instance's advert source is on the interface (per instance: each has its own source).
constexpr std::string_view kNodeAddressTracker = "node-address";

vrrp::Tracker link_tracker(const net::Link& link) {
    if (!link.up) return {false, std::nullopt, link.name + " is administratively down"};
    if (!link.lower_up) return {false, std::nullopt, link.name + " has no carrier"};
    return {true, std::nullopt, link.name + " is up"};
}

}  // namespace

FloatDaemon::FloatDaemon(boost::asio::io_context& io, config::FloatConfig config,
                         std::vector<std::string> args)
    : io_(io),
      config_(std::move(config)),
      args_(std::move(args)),
      reaper_(io.get_executor()),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      shutdown_deadline_(io) {
    if (config_.node_hostname.empty())
        config_.node_hostname = util::host_name().value_or("unknown");
}

FloatDaemon::~FloatDaemon() = default;

std::variant<ChannelPlan, std::string> FloatDaemon::plan() {
    auto links = netlink_->links();
    if (!links) return explain(links.error(), "cannot list interfaces");
    auto addresses = netlink_->addresses();
    if (!addresses) return explain(addresses.error(), "cannot list addresses");
    auto planned =
        plan_channels(config_.instance, *links, *addresses,
                      !config_.tether_path.empty() || swarm_node_.has_value(),
                      net::kernel_keeps_address_protocol() ? VipMarks::kept : VipMarks::not_kept);
    if (auto* ready = std::get_if<ChannelPlan>(&planned); ready && !ready->channels.empty()) {
        // The link's state now; the monitor reports every change from here on.
        const auto& link = ready->channels.front().link;
        trackers_[std::string(kLinkTracker)] = link_tracker(link);
    }
    return planned;
}

std::optional<std::string> FloatDaemon::open_channels(ChannelPlan plan) {
    // A predecessor killed while master left its VIPs behind: two holders is the classic
    // keepalived-in-Docker failure, so they go before anything else happens.
    for (const auto& stale : plan.stale_vips) {
        if (auto error = netlink_->remove_address(stale.interface_index, stale.prefix)) {
            return explain(error, "cannot remove the stale VIP " + stale.prefix.to_string());
        }
        log::warn("removed a VIP left on the interface by a previous float",
                  {{"vip", stale.prefix.to_string()}});
    }
    for (const auto& warning : plan.warnings) log::warn(warning);

    // One VRRP socket per link, source and mode, for the VRIDs of every channel on it.
    net::VridRange vrids{255, 1};
    for (const auto& setup : plan.channels) {
        vrids.first = std::min(vrids.first, setup.settings.vrid);
        vrids.last = std::max(vrids.last, setup.settings.vrid);
    }
    std::map<std::tuple<int, net::IpAddress, bool>, std::shared_ptr<LinkSocket>> sockets;
    std::vector<std::shared_ptr<VrrpChannel>> opened;
    for (auto& setup : plan.channels) {
        auto& socket = sockets[{setup.link.index, setup.primary_address, setup.unicast}];
        if (!socket) {
            auto shared = LinkSocket::open(io_.get_executor(), setup.link, setup.primary_address,
                                           !setup.unicast, vrids);
            if (!shared) {
                return explain(shared.error(), "cannot open the VRRP socket on " + setup.link.name);
            }
            socket = std::move(*shared);
        }
        auto io = LinkIo::open(socket, setup.link, setup.settings.vrid, *netlink_);
        if (!io) {
            return explain(io.error(), "cannot open the announcement socket on " + setup.link.name);
        }
        opened.push_back(std::make_shared<VrrpChannel>(
            io_.get_executor(), std::move(setup), std::move(*io),
            [this](const VrrpChannel& c, const vrrp::StateChanged& change) {
                on_transition(c, change);
            }));
    }
    channels_ = std::move(opened);
    return std::nullopt;
}

std::optional<FloatDaemon::StartProblem> FloatDaemon::prepare() {
    auto netlink = net::RouteNetlink::open();
    if (!netlink) return StartProblem{explain(netlink.error(), "cannot open rtnetlink")};
    netlink_.emplace(std::move(*netlink));
    if (!config_.tether_path.empty()) {
        // Until the anchor answers, the float must not hold the VIP: it starts in Fault.
        trackers_[std::string(kTetherTracker)] =
            vrrp::Tracker{false, std::nullopt, "not connected to the anchor yet"};
    }
    if (swarm_node_) {
        // Nor, in direct mode, until the swarm has said whether this node may hold it.
        trackers_[std::string(kSwarmTracker)] =
            vrrp::Tracker{false, std::nullopt, "reading this node's swarm state"};
    }
    auto planned = plan();
    if (auto* problem = std::get_if<std::string>(&planned)) {
        return StartProblem{*problem, config::kExitUsage};
    }
    if (auto problem = open_channels(std::move(std::get<ChannelPlan>(planned)))) {
        return StartProblem{*problem};
    }
    if (auto problem = watch_link()) return StartProblem{*problem};
    if (!config_.status_socket.empty()) {
        if (auto problem = start_status_server()) return StartProblem{*problem};
    }
    return std::nullopt;
}

std::optional<std::string> FloatDaemon::watch_link() {
    const auto& link = channels_.front()->setup().link;
    if (link_watch_ && link_watch_->interface_index() == link.index) return std::nullopt;
    if (link_watch_) link_watch_->close();
    auto watch = LinkWatch::open(
        io_.get_executor(), link,
        LinkWatch::Handlers{[this](const net::RouteEvent& event) { on_route_event(event); },
                            [this] { reconcile_link(); },
                            [this](const net::AddressClaim& claim) {
                                for (auto& channel : channels_) {
                                    channel->address_claimed(claim.address, claim.mac);
                                }
                            }});
    if (!watch) return explain(watch.error(), "cannot watch interface " + link.name);
    link_watch_ = std::move(*watch);
    link_watch_->start();
    return std::nullopt;
}

void FloatDaemon::on_route_event(const net::RouteEvent& event) {
    const int watched = link_watch_ ? link_watch_->interface_index() : 0;
    std::visit(vrrp::Overloaded{
                   [&](const net::LinkChanged& changed) {
                       if (changed.link.index != watched) return;
                       set_tracker_everywhere(kLinkTracker, link_tracker(changed.link));
                   },
                   [&](const net::LinkRemoved& removed) {
                       if (removed.link.index != watched) return;
                       set_tracker_everywhere(
                           kLinkTracker,
                           vrrp::Tracker{false, std::nullopt, removed.link.name + " was removed"});
                   },
                   [&](const net::AddressRemoved& removed) {
                       if (removed.address.interface_index != watched) return;
                       const auto& address = removed.address.prefix.address;
                       for (auto& channel : channels_) {
                           if (address == channel->setup().primary_address) {
                               channel->set_tracker(
                                   kNodeAddressTracker,
                                   vrrp::Tracker{false, std::nullopt,
                                                 address.to_string() + " left " +
                                                     channel->setup().link.name +
                                                     ": no source address for adverts"});
                           }
                           channel->address_removed(address);
                       }
                   },
                   [&](const net::AddressAdded& added) {
                       if (added.address.interface_index != watched) return;
                       for (auto& channel : channels_) {
                           if (added.address.prefix.address == channel->setup().primary_address) {
                               channel->set_tracker(kNodeAddressTracker,
                                                    vrrp::Tracker{true, std::nullopt, "present"});
                           }
                       }
                   },
               },
               event);
}

void FloatDaemon::reconcile_link() {
    auto links = netlink_->links();
    auto addresses = netlink_->addresses();
    if (!links || !addresses || !link_watch_) return;
    const int watched = link_watch_->interface_index();
    bool link_found = false;
    for (const auto& link : *links) {
        if (link.index != watched) continue;
        link_found = true;
        on_route_event(net::LinkChanged{link});
    }
    if (!link_found) on_route_event(net::LinkRemoved{net::Link{watched, "the interface"}});
    const auto present = [&](const net::IpAddress& address) {
        return std::any_of(addresses->begin(), addresses->end(), [&](const auto& held) {
            return held.interface_index == watched && held.prefix.address == address;
        });
    };
    for (auto& channel : channels_) {
        const auto& setup = channel->setup();
        if (!present(setup.primary_address)) {
            on_route_event(net::AddressRemoved{{watched, {setup.primary_address, 0}}});
        } else {
            on_route_event(net::AddressAdded{{watched, {setup.primary_address, 0}}});
        }
        for (const auto& vip : setup.vips) {
            if (!present(vip.address)) channel->address_removed(vip.address);
        }
    }
}

void FloatDaemon::feed(VrrpChannel& channel) {
    for (const auto& [name, tracker] : trackers_) channel.set_tracker(name, tracker);
    if (swarm_peers_ && channel.setup().peers_from_swarm) channel.set_peers(*swarm_peers_);
}

void FloatDaemon::set_tracker_everywhere(std::string_view name, const vrrp::Tracker& tracker) {
    trackers_[std::string(name)] = tracker;
    for (auto& channel : channels_) channel->set_tracker(name, tracker);
}

void FloatDaemon::remove_tracker_everywhere(std::string_view name) {
    if (auto found = trackers_.find(name); found != trackers_.end()) trackers_.erase(found);
    for (auto& channel : channels_) channel->remove_tracker(name);
}

void FloatDaemon::start_channels() {
    for (auto& channel : channels_) {
        const auto& setup = channel->setup();
        log::info("VRRP instance starting",
                  {{"instance", setup.settings.instance_name},
                   {"interface", setup.link.name},
                   {"source", setup.primary_address},
                   {"vrid", static_cast<int>(setup.settings.vrid)},
                   {"priority", static_cast<int>(setup.settings.priority)},
                   {"mode", setup.unicast ? "unicast" : "multicast"},
                   {"accept_from", vrrp::to_string(setup.settings.accept_from)}});
        feed(*channel);
        channel->start();
    }
}

void FloatDaemon::stop_channels() {
    for (auto& channel : channels_) channel->stop();
}

std::optional<std::string> FloatDaemon::start_status_server() {
    status_server_ = std::make_unique<http::Server>(
        io_.get_executor(), make_status_router([this] { return status(); }, config_.node_hostname),
        status_server_limits());
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(config_.status_socket).parent_path(),
                                        ignored);
    if (auto error = status_server_->listen_unix(config_.status_socket)) {
        return "cannot serve status on " + config_.status_socket + ": " + error.message() +
               "; choose another --status-socket, or none";
    }
    return std::nullopt;
}

void FloatDaemon::start() {
    wait_for_signals();
    if (!config_.tether_path.empty()) {
        tether_ = std::make_unique<tether::Client>(
            io_.get_executor(), config_.tether_path,
            tether::Client::Handlers{[this](bool connected) { on_tether_connection(connected); },
                                     [this](const tether::Message& m) { on_tether_message(m); },
                                     [this] { forget_anchor_trackers(); }});
    }
    start_channels();
    start_checks({});
    if (tether_) tether_->start();
    if (swarm_node_) watch_swarm();
}

void FloatDaemon::start_checks(const config::TrackSettings& previous) {
    if (checks_) checks_->stop();
    checks_.reset();
    const auto& track = config_.instance.track;
    const auto wanted = HealthChecks::tracker_names(track);
    for (const auto& name : HealthChecks::tracker_names(previous)) {
        if (std::find(wanted.begin(), wanted.end(), name) == wanted.end()) {
            remove_tracker_everywhere(name);
        }
    }
    if (wanted.empty()) return;
    checks_ = std::make_shared<HealthChecks>(
        io_.get_executor(), track, [this](const std::string& name, const vrrp::Tracker& tracker) {
            set_tracker_everywhere(name, tracker);
        });
    log::info("health checks starting", {{"checks", wanted.size()},
                                         {"interval", config::format_duration(track.interval)},
                                         {"weight", config::weight_text(track.weight)}});
    checks_->start();
}

void FloatDaemon::wait_for_signals() {
    signals_.async_wait([this](const boost::system::error_code& error, int signal) {
        if (error) return;
        if (signal == SIGHUP) {
            reload();
            wait_for_signals();
            return;
        }
        log::info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
        shutdown();
    });
}

void FloatDaemon::shutdown() {
    if (shutting_down_) return;
    shutting_down_ = true;
    stop_channels();
    if (link_watch_) link_watch_->close();
    if (checks_) checks_->stop();
    if (tether_) tether_->stop();
    if (swarm_watch_) swarm_watch_->stop();
    if (docker_) docker_->cancel();
    reaper_.stop();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    // Whatever still runs (a slow status client) must not hold the exit back for long.
    shutdown_deadline_.expires_after(std::chrono::milliseconds(500));
    shutdown_deadline_.async_wait([this](const boost::system::error_code& error) {
        if (!error) io_.stop();
    });
    if (status_server_) {
        boost::asio::co_spawn(io_, status_server_->stop(),
                              [this](std::exception_ptr) { shutdown_deadline_.cancel(); });
    } else {
        shutdown_deadline_.cancel();
    }
}

void FloatDaemon::on_transition(const VrrpChannel& channel, const vrrp::StateChanged& change) {
    if (config_.instance.notify_command.empty()) return;
    auto argv = process::split_command_line(config_.instance.notify_command);
    if (!argv) return;  // validated at start-up
    argv->push_back(change.to == vrrp::State::initialize ? "STOP"
                                                         : std::string(vrrp::to_string(change.to)));
    argv->push_back(channel.setup().settings.instance_name);
    // Third, why: which tracker and its result, for scripts that page someone.
    argv->push_back(vrrp::describe_reason(change));
    if (auto pid = process::spawn(*argv); !pid) {
        log::warn("cannot run the notify command",
                  {{"command", argv->front()}, {"error", pid.error().message()}});
    }
}

void FloatDaemon::on_tether_connection(bool connected) {
    tether_connected_ = connected;
    set_tracker_everywhere(
        kTetherTracker,
        vrrp::Tracker{connected, std::nullopt,
                      connected ? "connected to the anchor" : "the anchor's connection closed"});
    // The anchor says again whether to resign, and what it tracks, when it reconnects; a dead
    // one asks nothing, and a new one may track other things.
    if (!connected) {
        set_tracker_everywhere(kSwarmTracker, vrrp::Tracker{true, std::nullopt, ""});
        forget_anchor_trackers();
    }
}

void FloatDaemon::forget_anchor_trackers() {
    // A new anchor may track other services (a redeploy that changed them): it reports its
    // own at once; the old one's would otherwise stay as they were, down for good.
    for (const auto& name : anchor_trackers_) remove_tracker_everywhere(name);
    anchor_trackers_.clear();
}

void FloatDaemon::on_tether_message(const tether::Message& message) {
    std::visit(vrrp::Overloaded{
                   [&](const tether::PeersMessage& peers) { on_swarm_peers(peers.peers); },
                   [&](const tether::ResignMessage& resign) {
                       on_swarm_resign(
                           resign.reason.empty() ? "asked by the anchor" : resign.reason, "anchor");
                   },
                   [&](const tether::ResumeMessage&) { on_swarm_resign(std::nullopt, "anchor"); },
                   [&](const tether::HandoverMessage& handover) {
                       // The tether client waits for the next anchor; the VIPs stay where they are.
                       log::info("the anchor stops for an update and leaves this float running",
                                 {{"waits_for_the_next_s", handover.within.count()}});
                   },
                   [&](const tether::TrackerMessage& tracker) {
                       // What the anchor watches (a service on this node) weighs as the float's own
                       // checks do.
                       anchor_trackers_.insert(tracker.name);
                       set_tracker_everywhere(
                           tracker.name, vrrp::Tracker{tracker.up, config_.instance.track.weight,
                                                       tracker.reason});
                   },
               },
               message);
}

void FloatDaemon::on_swarm_peers(const std::vector<net::IpAddress>& peers) {
    swarm_peers_ = peers;
    for (auto& channel : channels_) {
        if (channel->setup().peers_from_swarm) channel->set_peers(peers);
    }
}

void FloatDaemon::on_swarm_resign(const std::optional<std::string>& reason, std::string_view by) {
    if (reason) {
        log::warn("told to resign", {{"by", by}, {"reason", *reason}});
        set_tracker_everywhere(kSwarmTracker, vrrp::Tracker{false, std::nullopt, *reason});
    } else {
        log::info("allowed to compete", {{"by", by}});
        set_tracker_everywhere(
            kSwarmTracker, vrrp::Tracker{true, std::nullopt, std::string(by) + " lets it compete"});
    }
}

void FloatDaemon::reload() {
    auto command_line = config::read_command_line(config::float_role_description(), args_,
                                                  config::process_environment());
    if (std::holds_alternative<int>(command_line)) {
        log::error("SIGHUP: configuration not reloaded (see the message above)");
        return;
    }
    auto parsed = config::parse_float_config(std::get<config::CommandLine>(command_line));
    if (!parsed.problems.empty()) {
        log::error("SIGHUP: configuration not reloaded: " +
                   config::format_problems(parsed.problems));
        return;
    }
    auto& next = parsed.config;
    if (swarm_node_) apply_swarm_node(next, *swarm_node_);
    if (next.tether_path != config_.tether_path || next.status_socket != config_.status_socket ||
        next.docker_host.has_value() != config_.docker_host.has_value() ||
        next.partition_policy != config_.partition_policy) {
        log::warn(
            "SIGHUP: --tether, --docker-host, --partition-policy and --status-socket change only "
            "on restart");
    }
    log::configure(next.common.log_level, next.common.log_format, "float");
    // The option table says which changes the running instances take (priority and preemption
    // here, the checks by starting them anew); any other change restarts the instances.
    if (config::differ_only_in_place(config::instance_options(), next.instance, config_.instance)) {
        const auto previous_track = config_.instance.track;
        config_.instance = next.instance;
        if (previous_track != config_.instance.track) start_checks(previous_track);
        for (auto& channel : channels_) {
            channel->update(next.instance.priority, next.instance.preempt,
                            next.instance.preempt_delay);
        }
        log::info("SIGHUP: configuration reloaded in place",
                  {{"priority", static_cast<int>(next.instance.priority)}});
        return;
    }
    // Plan with the new settings before stopping anything: a refused configuration must not
    // cost the VIP.
    const auto previous = config_.instance;
    config_.instance = next.instance;
    auto planned = plan();
    if (auto* problem = std::get_if<std::string>(&planned)) {
        log::error("SIGHUP: new configuration refused, keeping the old one: " + *problem);
        config_.instance = previous;
        return;
    }
    log::info("SIGHUP: VRRP settings changed; restarting the instances");
    stop_channels();
    if (auto problem = open_channels(std::move(std::get<ChannelPlan>(planned)))) {
        log::error("SIGHUP: cannot start the new configuration, restoring the old one: " +
                   *problem);
        config_.instance = previous;
        auto restored = plan();
        auto* ready = std::get_if<ChannelPlan>(&restored);
        if (!ready || open_channels(std::move(*ready))) {
            log::error("cannot restore the previous configuration; stopping");
            shutdown();
            return;
        }
    }
    if (auto problem = watch_link()) log::error("SIGHUP: " + *problem);
    start_channels();
    if (previous.track != config_.instance.track) start_checks(previous.track);
}

status::FloatStatus FloatDaemon::status() const {
    status::FloatStatus s;
    s.version = kVersion;
    s.node = config_.node_hostname;
    s.started_at = util::iso8601_utc(started_at_);
    s.tether = swarm_node_                   ? "direct"
               : config_.tether_path.empty() ? "standalone"
               : tether_connected_           ? "connected"
                                             : "disconnected";
    for (const auto& channel : channels_) s.instances.push_back(channel->status());
    if (checks_) {
        for (auto& instance : s.instances) {
            for (auto& tracker : instance.trackers) {
                for (const auto& check : checks_->checks()) {
                    if (check->name != tracker.name) continue;
                    tracker.failures_in_a_row = check->history.failures_in_a_row();
                    tracker.successes_in_a_row = check->history.successes_in_a_row();
                }
            }
        }
    }
    return s;
}

}  // namespace ks::roles::float_role
