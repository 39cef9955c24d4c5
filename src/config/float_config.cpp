#include "keepalived_swarm/config/float_config.hpp"

#include "keepalived_swarm/swarm/options.hpp"

namespace ks::config {

RoleDescription float_role_description() {
    std::vector<OptionSpec> specs = instance_option_specs();
    const std::vector<OptionSpec> runtime = {
        {"tether", "KEEPALIVED_TETHER", "", "PATH",
         "Unix socket of the anchor; while it is closed the float resigns the VIPs. "
         "Unset: standalone."},
        {"docker-host", "KEEPALIVED_DOCKER_HOST", "", "ADDR",
         "Direct mode, without an anchor: the Docker Engine of this swarm manager "
         "(unix:///var/run/docker.sock), from which the float learns its peers (the other "
         "managers), its interface (the node's swarm address) and when to resign (drained, "
         "demoted). Not with --tether."},
        swarm::partition_policy_option(),
        {"status-socket", "KEEPALIVED_STATUS_SOCKET", std::string(kRunDirectory) + "/float.sock",
         "PATH|none", "Unix socket serving GET /status (JSON) and GET /metrics; none disables it."},
        {"node-hostname", "DOCKER_NODE_HOSTNAME", "", "NAME",
         "Name of this node, shown in status (default: the host name)."},
        {"config", "KEEPALIVED_CONFIG", "", "FILE",
         "KEY=VALUE file with the variables above; read at start and on SIGHUP."},
        {"check-interval", "KEEPALIVED_CHECK_INTERVAL", "", "SECONDS",
         "Accepted for compatibility and ignored: the tether reports a dead anchor at once."},
    };
    specs.insert(specs.end(), runtime.begin(), runtime.end());
    for (auto& spec : common_option_specs()) specs.push_back(spec);
    return RoleDescription{
        "float",
        "keepalived-swarm float --interface IFACE --vip ADDR[/PREFIX] [OPTIONS]\n"
        "       keepalived-swarm float --docker-host unix:///var/run/docker.sock --vip ADDR "
        "[OPTIONS]",
        "Holds the virtual IP addresses with VRRP (RFC 5798 v3, RFC 3768 v2): elects a master\n"
        "among the nodes, adds the VIPs to the interface of the master and announces them\n"
        "with gratuitous ARP / unsolicited neighbour advertisements. Needs CAP_NET_ADMIN and\n"
        "CAP_NET_RAW. SIGTERM resigns (priority 0) and removes the VIPs; SIGHUP reloads --config.",
        std::move(specs)};
}

Parsed<FloatConfig> parse_float_config(const CommandLine& command_line) {
    Validator validator(command_line.options);
    FloatConfig config;
    config.docker_host = swarm::read_docker_host(validator, "docker-host");
    const bool direct = !validator.text("docker-host").empty();
    // In direct mode the swarm names the node's address, which finds the interface.
    config.instance = read_instance_settings(
        validator, direct ? InterfaceRequirement::optional : InterfaceRequirement::required);
    config.partition_policy = swarm::read_partition_policy(validator);
    config.tether_path = validator.text("tether");
    if (direct && !config.tether_path.empty()) {
        validator.add_problem("docker-host", validator.text("docker-host"),
                              "unset when --tether is set: the anchor watches the swarm for a "
                              "tethered float (choose one of the two modes)");
    }
    config.status_socket = validator.text("status-socket");
    if (config.status_socket == "none") config.status_socket.clear();
    for (const auto* flag : {"tether", "status-socket"}) {
        const auto path = validator.text(flag);
        if (!path.empty() && path != "none" && path.front() != '/') {
            validator.add_problem(flag, path,
                                  "an absolute path such as /run/keepalived-swarm/x.sock");
        }
    }
    config.node_hostname = validator.text("node-hostname");
    config.common = read_common(validator);
    return {std::move(config), validator.problems()};
}

}  // namespace ks::config
