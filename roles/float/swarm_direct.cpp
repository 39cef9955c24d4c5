#include "roles/float/swarm_direct.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

#include "keepalived_swarm/docker/client.hpp"
#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/swarm/membership.hpp"
#include "keepalived_swarm/util/backoff.hpp"
#include "roles/float/float_daemon.hpp"

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::roles::float_role {
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using Found = std::variant<SwarmNode, std::string, StoppedWaiting>;

asio::awaitable<Found> wait_for_node(docker::Client& docker, asio::steady_timer& pause,
                                     const bool& stopped) {
    util::Backoff backoff(200ms, 10s);
    auto rest = [&]() -> asio::awaitable<void> {
        pause.expires_after(backoff.next_delay());
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    };
    // The API version once (the engine keeps it), then /info until the membership settles.
    std::optional<docker::ApiVersion> version;
    bool reported = false;
    while (!stopped) {
        auto negotiated = co_await docker.negotiate();
        if (stopped) break;
        if (negotiated) {
            version = *negotiated;
            break;
        }
        if (negotiated.error().kind == docker::ErrorKind::unsupported) {
            co_return negotiated.error().describe();
        }
        if (!reported) {
            log::warn("cannot reach the Docker Engine; retrying",
                      {{"host", docker.endpoint().to_string()},
                       {"error", negotiated.error().describe()}});
            reported = true;
        }
        co_await rest();
    }
    backoff.reset();
    reported = false;
    while (!stopped) {
        auto info = co_await docker.info();
        if (stopped) break;
        if (!info) {
            log::warn("GET /info failed; retrying", {{"error", info.error().describe()}});
            co_await rest();
            continue;
        }
        const auto& swarm = info->swarm;
        if (swarm.local_node_state == "inactive") {
            co_return std::string(
                "the Docker Engine is not in a swarm, so there are no managers to take as peers "
                "(--docker-host is direct mode, for a float run as a swarm service): drop "
                "--docker-host and give --interface and --unicast-peer instead");
        }
        if (!swarm::membership_settled(swarm.local_node_state) || swarm.node_id.empty()) {
            if (!reported) {
                log::warn("this node's swarm membership is not settled; waiting",
                          {{"state", swarm.local_node_state}, {"error", swarm.error}});
                reported = true;
            }
            co_await rest();
            continue;
        }
        SwarmNode node;
        node.id = swarm.node_id;
        node.name = info->name;
        node.address = net::parse_ip_address(swarm.node_addr);
        node.api_version = *version;
        log::info("direct mode: this node", {{"name", node.name},
                                             {"node_id", node.id},
                                             {"node_address", swarm.node_addr},
                                             {"manager", swarm.control_available},
                                             {"api_version", version->to_string()}});
        co_return node;
    }
    co_return StoppedWaiting{};
}

}  // namespace

Found find_swarm_node(const http::Endpoint& host) {
    asio::io_context io;
    docker::Client docker(io.get_executor(), host);
    asio::steady_timer pause(io);
    asio::signal_set signals(io, SIGTERM, SIGINT);
    bool stopped = false;
    signals.async_wait([&](const boost::system::error_code& error, int) {
        if (error) return;
        stopped = true;
        docker.cancel();
        pause.cancel();
    });
    Found found = StoppedWaiting{};
    asio::co_spawn(io, wait_for_node(docker, pause, stopped),
                   [&](std::exception_ptr error, Found result) {
                       if (error) std::rethrow_exception(error);
                       found = std::move(result);
                       signals.cancel();
                   });
    io.run();
    return found;
}

void apply_swarm_node(config::FloatConfig& config, const SwarmNode& node) {
    if (config.instance.interface.empty() && !config.instance.node_address) {
        config.instance.node_address = node.address;
    }
    if (config.node_hostname.empty()) config.node_hostname = node.name;
}

void FloatDaemon::use_swarm_node(SwarmNode node) {
    apply_swarm_node(config_, node);
    swarm_node_ = std::move(node);
}

void FloatDaemon::watch_swarm() {
    docker_ = std::make_unique<docker::Client>(io_.get_executor(), *config_.docker_host);
    docker_->set_api_version(swarm_node_->api_version);
    swarm_watch_ = std::make_unique<swarm::Watch>(
        io_, *docker_, [this] { return docker_->another_connection(io_.get_executor()); },
        swarm::Watch::Settings{config_.partition_policy,
                               config_.instance.peers != config::PeersMode::fixed},
        swarm::Watch::Reports{
            [this](const std::vector<net::IpAddress>& peers) { on_swarm_peers(peers); },
            [this](const std::optional<std::string>& reason) {
                on_swarm_resign(reason, "swarm");
            }});
    swarm_watch_->start(swarm_node_->id);
}

}  // namespace ks::roles::float_role
