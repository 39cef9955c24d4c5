#include "roles/buoy/buoy_config.hpp"

#include <sys/un.h>

#include "keepalived_swarm/config/float_config.hpp"

namespace ks::roles::buoy {

config::RoleDescription buoy_role_description() {
    std::vector<config::OptionSpec> specs = {
        {"listen", "BUOY_LISTEN", "0.0.0.0:3000", "ADDR:PORT",
         "Address and TCP port of the HTTP server; IPv6 as [::]:3000."},
        {"float-socket", "BUOY_FLOAT_SOCKET", std::string(config::kRunDirectory) + "/float.sock",
         "PATH",
         "Unix socket where this node's float serves its status (the float's --status-socket)."},
        {"node-hostname", "DOCKER_NODE_HOSTNAME", "", "NAME",
         "Name of this node, shown as \"hostname\" (default: the host name)."},
        {"idle-timeout", "BUOY_IDLE_TIMEOUT", "30s", "DUR",
         "Close a keep-alive connection after this long without a request."},
        {"request-timeout", "BUOY_REQUEST_TIMEOUT", "10s", "DUR",
         "Time allowed for a request's header, for its body and for the response, each; a "
         "slower client is disconnected."},
        {"max-connections", "BUOY_MAX_CONNECTIONS", "4096", "N",
         "Open connections at most; at the limit the one that went longest without completing "
         "a request is closed to make room. Each costs at most about 12 KiB of buffers plus the "
         "response being written."},
        {"max-connections-per-client", "BUOY_MAX_CONNECTIONS_PER_CLIENT", "32", "N",
         "Open connections from one client address at most (0: no limit); beyond it the new "
         "connection is closed, so one host cannot crowd out the others."},
        {"cluster-peer", "BUOY_CLUSTER_PEERS", "", "ADDR",
         "A manager whose buoy GET /cluster shows (asked in the background at this address "
         "and --cluster-port). Default: this node's float's VRRP peers (the swarm's managers "
         "in the stack's auto mode).",
         config::OptionKind::list},
        {"cluster-port", "BUOY_CLUSTER_PORT", "0", "PORT",
         "TCP port of the other managers' buoys (0: the port of --listen, as every buoy of a "
         "stack listens alike)."},
        {"cluster-interval", "BUOY_CLUSTER_INTERVAL", "1s", "DUR",
         "How often each other manager's buoy is asked for its status; /cluster shows the "
         "latest answers, so it is never slower than this node."},
        {"cluster-timeout", "BUOY_CLUSTER_TIMEOUT", "500ms", "DUR",
         "Time allowed for one manager's answer; one that takes longer is shown unreachable."},
    };
    for (auto& spec : config::common_option_specs()) specs.push_back(spec);
    return config::RoleDescription{
        "buoy", "keepalived-swarm buoy [OPTIONS]",
        "Serves this node's state over HTTP: GET / (identity, as the original buoy), /health,\n"
        "/status (the float's status as JSON), /cluster (every manager's state and a split-brain\n"
        "verdict), /metrics (Prometheus) and /ui (a web page).\n"
        "Reads the float through its status socket; needs no privileges and no docker.sock.",
        std::move(specs)};
}

config::Parsed<BuoyConfig> parse_buoy_config(const config::CommandLine& command_line) {
    config::Validator validator(command_line.options);
    BuoyConfig buoy;
    const auto listen = validator.text("listen");
    if (auto endpoint = parse_tcp_endpoint(listen)) {
        buoy.listen = *endpoint;
    } else {
        validator.add_problem("listen", listen,
                              "ADDR:PORT with an IP address and a port from 0 to 65535, such as "
                              "0.0.0.0:3000 or [::]:3000");
    }
    buoy.float_socket = validator.text("float-socket");
    if (buoy.float_socket.empty() || buoy.float_socket.front() != '/') {
        validator.add_problem("float-socket", buoy.float_socket,
                              "an absolute path such as /run/keepalived-swarm/float.sock");
    } else if (buoy.float_socket.size() >= sizeof(sockaddr_un{}.sun_path)) {
        validator.add_problem("float-socket", buoy.float_socket,
                              "a path of at most " +
                                  std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                  " bytes (a unix socket's limit); mount the float's socket "
                                  "at a shorter path");
    }
    buoy.node_hostname = validator.text("node-hostname");
    using std::chrono::duration_cast;
    using std::chrono::milliseconds;
    if (auto idle = validator.duration("idle-timeout", milliseconds(100), std::chrono::hours(1))) {
        buoy.idle_timeout = duration_cast<milliseconds>(*idle);
    }
    if (auto request =
            validator.duration("request-timeout", milliseconds(100), std::chrono::minutes(10))) {
        buoy.request_timeout = duration_cast<milliseconds>(*request);
    }
    if (auto connections = validator.integer("max-connections", 1, 100'000)) {
        buoy.max_connections = static_cast<std::size_t>(*connections);
    }
    if (auto per_client = validator.integer("max-connections-per-client", 0, 100'000)) {
        buoy.max_connections_per_client = static_cast<std::size_t>(*per_client);
    }
    buoy.cluster_peers = validator.addresses("cluster-peer");
    if (auto port = validator.integer("cluster-port", 0, 65535)) {
        buoy.cluster_port = static_cast<unsigned short>(*port);
    }
    if (auto interval =
            validator.duration("cluster-interval", milliseconds(100), std::chrono::minutes(10))) {
        buoy.cluster_interval = duration_cast<milliseconds>(*interval);
    }
    if (auto timeout =
            validator.duration("cluster-timeout", milliseconds(10), std::chrono::minutes(1))) {
        buoy.cluster_timeout = duration_cast<milliseconds>(*timeout);
    }
    buoy.common = config::read_common(validator);
    return {std::move(buoy), validator.problems()};
}

std::optional<boost::asio::ip::tcp::endpoint> parse_tcp_endpoint(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        if (host.find(':') == std::string_view::npos) return std::nullopt;
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // an IPv6 address needs brackets to tell it from the port
    }
    const auto address = net::parse_ip_address(host);
    const auto port = config::parse_integer(port_text);
    if (!address || !port || *port < 0 || *port > 65535 || port_text.front() == '+' ||
        port_text.front() == '-') {
        return std::nullopt;
    }
    return boost::asio::ip::tcp::endpoint(*address, static_cast<unsigned short>(*port));
}

}  // namespace ks::roles::buoy
