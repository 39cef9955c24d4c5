#pragma once
// Configuration of the buoy role: where it listens and where it reads the float's status.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/config/common.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::roles::buoy {

struct BuoyConfig {
    boost::asio::ip::tcp::endpoint listen;  ///< --listen, default 0.0.0.0:3000 as the original
    std::string float_socket;               ///< the float's status socket (mounted read-only)
    std::string node_hostname;              ///< DOCKER_NODE_HOSTNAME; empty: this host's name
    std::chrono::milliseconds idle_timeout{30'000};     ///< keep-alive connection without request
    std::chrono::milliseconds request_timeout{10'000};  ///< header, body and response, each
    std::size_t max_connections = 4096;
    std::size_t max_connections_per_client = 32;  ///< from one TCP client address; 0: no limit
    /// Where the other managers' buoys are asked for /cluster: these addresses, or (empty) the
    /// float's VRRP peers.
    std::vector<net::IpAddress> cluster_peers;
    unsigned short cluster_port = 0;  ///< their buoys' port; 0: the port of `listen`
    std::chrono::milliseconds cluster_interval{1000};  ///< how often each one is asked
    std::chrono::milliseconds cluster_timeout{500};    ///< time allowed for one answer
    config::CommonSettings common;
};

config::RoleDescription buoy_role_description();
config::Parsed<BuoyConfig> parse_buoy_config(const config::CommandLine& command_line);

/// "0.0.0.0:3000", "[::]:3000", "127.0.0.1:0" (any free port); nullopt when malformed.
std::optional<boost::asio::ip::tcp::endpoint> parse_tcp_endpoint(std::string_view text);

}  // namespace ks::roles::buoy
