#include "roles/float/float_daemon.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/serialize.hpp>
#include <csignal>
#include <filesystem>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/time_text.hpp"
#include "keepalived_swarm/version.hpp"
#include "roles/float/channel_plan.hpp"

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

bool same_structure(const config::InstanceSettings& a, const config::InstanceSettings& b) {
    return a.interface == b.interface && a.node_address == b.node_address && a.vips == b.vips &&
           a.vrid == b.vrid && a.version == b.version && a.advert_interval == b.advert_interval &&
           a.unicast_peers == b.unicast_peers && a.instance_name == b.instance_name &&
           a.garp_repeat == b.garp_repeat && a.garp_refresh_delay == b.garp_refresh_delay &&
           a.notify_command == b.notify_command;
}

std::string host_name() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
    return buffer;
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
    if (config_.node_hostname.empty()) config_.node_hostname = host_name();
}

FloatDaemon::~FloatDaemon() = default;

std::optional<std::string> FloatDaemon::build_channels() {
    auto links = netlink_->links();
    if (!links) return explain(links.error(), "cannot list interfaces");
    auto addresses = netlink_->addresses();
    if (!addresses) return explain(addresses.error(), "cannot list addresses");
    auto planned = plan_channels(config_.instance, *links, *addresses);
    if (auto* problem = std::get_if<std::string>(&planned)) return *problem;
    auto& plan = std::get<ChannelPlan>(planned);

    // A predecessor killed while master left its VIPs behind: two holders is the classic
    // keepalived-in-Docker failure, so they go before anything else happens.
    for (const auto& stale : plan.stale_vips) {
        if (auto error = netlink_->remove_address(stale.interface_index, stale.prefix)) {
            return explain(error, "cannot remove the stale VIP " + stale.prefix.to_string());
        }
        log::warn("removed a VIP left on the interface by a previous float",
                  {{"vip", stale.prefix.to_string()}});
    }

    channels_.clear();
    for (auto& setup : plan.channels) {
        if (tether_sent_peers_) {
            setup.peers.clear();
            for (const auto& peer : tether_peers_) {
                if (peer.is_v4() == setup.primary_address.is_v4()) setup.peers.push_back(peer);
            }
        }
        auto channel = std::make_unique<VrrpChannel>(
            io_.get_executor(), std::move(setup), *netlink_,
            [this](const VrrpChannel& c, const vrrp::StateChanged& change) {
                on_transition(c, change);
            });
        if (auto error = channel->open()) {
            return explain(error, "cannot open the VRRP socket on " + channel->setup().link.name);
        }
        channels_.push_back(std::move(channel));
    }
    return std::nullopt;
}

std::optional<std::string> FloatDaemon::prepare() {
    auto netlink = net::RouteNetlink::open();
    if (!netlink) return explain(netlink.error(), "cannot open rtnetlink");
    netlink_.emplace(std::move(*netlink));
    if (auto problem = build_channels()) return problem;
    if (!config_.status_socket.empty()) {
        if (auto problem = start_status_server()) return problem;
    }
    return std::nullopt;
}

std::optional<std::string> FloatDaemon::start_status_server() {
    http::Router router;
    router.add(http::Method::get, "/status", [this](const http::ServerRequest&) {
        return http::json_response(http::Status::ok, boost::json::serialize(to_json(status())));
    });
    router.add(http::Method::get, "/metrics", [this](const http::ServerRequest&) {
        return http::make_response(
            http::Status::ok, status::to_prometheus(status(), {{"node", config_.node_hostname}}),
            "text/plain; version=0.0.4; charset=utf-8");
    });
    http::ServerLimits limits;
    limits.max_connections = 64;
    limits.shutdown_timeout = std::chrono::milliseconds(300);
    status_server_ = std::make_unique<http::Server>(io_.get_executor(), std::move(router), limits);
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
            tether::Client::Handlers{[this](bool connected) {
                                         tether_connected_ = connected;
                                         if (!connected) resigned_reason_.reset();
                                         update_tracking();
                                     },
                                     [this](const tether::Message& m) { on_tether_message(m); }});
    }
    for (auto& channel : channels_) {
        log::info("VRRP instance starting",
                  {{"instance", channel->setup().settings.instance_name},
                   {"interface", channel->setup().link.name},
                   {"source", channel->setup().primary_address},
                   {"vrid", static_cast<int>(channel->setup().settings.vrid)},
                   {"priority", static_cast<int>(channel->setup().settings.priority)},
                   {"mode", channel->setup().peers.empty() ? "multicast" : "unicast"}});
        // Until the anchor answers, the float must not hold the VIP: it starts in Fault.
        if (!config_.tether_path.empty()) channel->set_tracked(false);
        channel->start();
    }
    if (tether_) tether_->start();
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
    for (auto& channel : channels_) channel->stop();
    if (tether_) tether_->stop();
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
    if (auto pid = process::spawn(*argv); !pid) {
        log::warn("cannot run the notify command",
                  {{"command", argv->front()}, {"error", pid.error().message()}});
    }
}

void FloatDaemon::on_tether_message(const tether::Message& message) {
    if (const auto* peers = std::get_if<tether::PeersMessage>(&message)) {
        tether_peers_ = peers->peers;
        tether_sent_peers_ = true;
        for (auto& channel : channels_) {
            std::vector<net::IpAddress> same_family;
            for (const auto& peer : peers->peers) {
                if (peer.is_v4() == channel->setup().primary_address.is_v4() &&
                    peer != channel->setup().primary_address) {
                    same_family.push_back(peer);
                }
            }
            channel->set_peers(std::move(same_family));
        }
    } else if (const auto* resign = std::get_if<tether::ResignMessage>(&message)) {
        log::warn("the anchor asks to resign", {{"reason", resign->reason}});
        resigned_reason_ = resign->reason.empty() ? "asked by the anchor" : resign->reason;
        update_tracking();
    } else if (std::holds_alternative<tether::ResumeMessage>(message)) {
        if (resigned_reason_) log::info("the anchor lets the float compete again");
        resigned_reason_.reset();
        update_tracking();
    }
}

void FloatDaemon::update_tracking() {
    const bool up = (config_.tether_path.empty() || tether_connected_) && !resigned_reason_;
    for (auto& channel : channels_) channel->set_tracked(up);
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
    if (next.tether_path != config_.tether_path || next.status_socket != config_.status_socket) {
        log::warn("SIGHUP: --tether and --status-socket change only on restart");
    }
    log::configure(next.common.log_level, next.common.log_format, "float");
    if (same_structure(next.instance, config_.instance)) {
        config_.instance = next.instance;
        for (auto& channel : channels_) {
            channel->update(next.instance.priority, next.instance.preempt,
                            next.instance.preempt_delay);
        }
        log::info("SIGHUP: configuration reloaded in place",
                  {{"priority", static_cast<int>(next.instance.priority)}});
        return;
    }
    log::info("SIGHUP: VRRP settings changed; restarting the instances");
    for (auto& channel : channels_) channel->stop();
    const auto previous = config_.instance;
    config_.instance = next.instance;
    if (auto problem = build_channels()) {
        log::error("SIGHUP: new configuration refused, keeping the old one: " + *problem);
        config_.instance = previous;
        if (auto again = build_channels()) {
            log::error("cannot restore the previous configuration: " + *again);
            shutdown();
            return;
        }
    }
    const bool up = (config_.tether_path.empty() || tether_connected_) && !resigned_reason_;
    for (auto& channel : channels_) {
        channel->set_tracked(up);
        channel->start();
    }
}

status::FloatStatus FloatDaemon::status() const {
    status::FloatStatus s;
    s.version = kVersion;
    s.node = config_.node_hostname;
    s.started_at = util::iso8601_utc(started_at_);
    s.tether = config_.tether_path.empty() ? "standalone"
                                           : (tether_connected_ ? "connected" : "disconnected");
    for (const auto& channel : channels_) s.instances.push_back(channel->status());
    return s;
}

}  // namespace ks::roles::float_role
