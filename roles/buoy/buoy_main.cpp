// keepalived-swarm buoy: the node's HTTP face. Reads the float through its status socket and
// serves identity, health, status, metrics and a web page; needs no privileges.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "keepalived_swarm/util/host_name.hpp"
#include "keepalived_swarm/version.hpp"
#include "roles/buoy/buoy_config.hpp"
#include "roles/buoy/buoy_routes.hpp"
#include "roles/buoy/cluster_watch.hpp"
#include "roles/buoy/float_watch.hpp"
#include "roles/roles.hpp"

namespace ks::roles {
namespace {

void log_failure(std::exception_ptr error) {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        log::error("buoy task failed", {{"error", e.what()}});
    }
}

}  // namespace

int run_buoy(const std::vector<std::string>& args) {
    auto loaded = config::load_role_config<buoy::BuoyConfig>(buoy::buoy_role_description(), args,
                                                             config::process_environment(),
                                                             buoy::parse_buoy_config);
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code;
    const auto& config = std::get<buoy::BuoyConfig>(loaded);
    log::configure(config.common.log_level, config.common.log_format, "buoy");
    // A client that hangs up mid-response must not end the process.
    std::signal(SIGPIPE, SIG_IGN);

    boost::asio::io_context io(1);
    buoy::BuoyState state;
    state.container_id = util::host_name().value_or("unknown");
    state.node_hostname = config.node_hostname.empty() ? state.container_id : config.node_hostname;
    state.version = kVersion;
    state.float_socket = config.float_socket;
    state.started = std::chrono::steady_clock::now();

    http::Server server(io.get_executor(), buoy::make_router(state), buoy::server_limits(config));
    state.server = &server;
    const auto bound = server.listen_tcp(config.listen);
    if (!bound) {
        log::error(
            "cannot listen for HTTP; choose another --listen (BUOY_LISTEN) or stop what "
            "uses this address",
            {{"listen", config.listen}, {"error", bound.error().message()}});
        return 1;
    }
    log::info("buoy listening", {{"address", *bound},
                                 {"float_socket", config.float_socket},
                                 {"node", state.node_hostname}});

    buoy::FloatWatch watch(io.get_executor(), config.float_socket, state.float_view);
    boost::asio::co_spawn(io, watch.run(), log_failure);
    buoy::ClusterWatchSettings cluster;
    cluster.fixed_peers = config.cluster_peers;
    cluster.port = config.cluster_port != 0 ? config.cluster_port : bound->port();
    cluster.interval = config.cluster_interval;
    cluster.timeout = config.cluster_timeout;
    buoy::ClusterWatch cluster_watch(io.get_executor(), std::move(cluster), state);
    boost::asio::co_spawn(io, cluster_watch.run(), log_failure);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        log::info("stopping: finishing requests in flight", {{"signal", signal_number}});
        watch.stop();
        cluster_watch.stop();
        boost::asio::co_spawn(io, server.stop(), [](std::exception_ptr error) {
            log_failure(error);
            log::info("buoy stopped");
        });
    });
    io.run();
    return 0;
}

}  // namespace ks::roles
