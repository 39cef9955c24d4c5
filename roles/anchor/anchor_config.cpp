#include "roles/anchor/anchor_config.hpp"

#include <set>

#include "keepalived_swarm/config/float_config.hpp"
#include "keepalived_swarm/docker/client.hpp"
#include "keepalived_swarm/swarm/options.hpp"

namespace ks::roles::anchor {

using namespace std::chrono_literals;

namespace {

bool valid_service_name(const std::string& name) {
    return !name.empty() && name.size() <= 63 &&
           name.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               "0123456789-_.") == std::string::npos;
}

}  // namespace

config::RoleDescription anchor_role_description() {
    std::vector<config::OptionSpec> specs = config::instance_option_specs();
    const std::vector<config::OptionSpec> anchor = {
        {"docker-host", "DOCKER_HOST", docker::kDefaultHost, "ADDR",
         "Docker Engine API: unix:///PATH or tcp://HOST:PORT."},
        {"float-name", "KEEPALIVED_FLOAT_NAME", "keepalived-float", "NAME",
         "Name of the float container the anchor keeps running."},
        {"float-image", "KEEPALIVED_IMAGE", "", "IMAGE",
         "Image of the float container (default: the anchor's own image)."},
        {"pull", "KEEPALIVED_PULL", "missing", "missing|always|never",
         "Pull --float-image when it is missing, always at start, or never."},
        {"run-dir", "KEEPALIVED_RUN_DIR", config::kRunDirectory, "PATH",
         "Host folder for the tether and status sockets, bound into the float at " +
             std::string(config::kRunDirectory) + " (mount it at the same path into the anchor)."},
        {"stop-timeout", "KEEPALIVED_STOP_TIMEOUT", "5s", "DUR",
         "How long the float gets to release the VIPs after SIGTERM before it is killed."},
        {"node-hostname", "DOCKER_NODE_HOSTNAME", "", "NAME",
         "Name of this node, passed to the float (default: the Docker Engine's host name)."},
        {"track-service", "KEEPALIVED_TRACK_SERVICE", "", "NAME",
         "Swarm service (such as traefik_traefik) whose task must run on this node, and be "
         "healthy when it has a healthcheck; the float is told whenever that changes.",
         config::OptionKind::list},
        swarm::partition_policy_option(),
        {"config", "KEEPALIVED_CONFIG", "", "FILE",
         "KEY=VALUE file with the variables above, read at start."},
        {"check-interval", "KEEPALIVED_CHECK_INTERVAL", "", "SECONDS",
         "Accepted for compatibility and ignored: the tether reports a dead anchor at once."},
    };
    specs.insert(specs.end(), anchor.begin(), anchor.end());
    for (auto& spec : config::common_option_specs()) specs.push_back(spec);
    return config::RoleDescription{
        "anchor", "keepalived-swarm anchor --vip ADDR[/PREFIX] [OPTIONS]",
        "Keeps this node's float container running through the Docker Engine API: creates it\n"
        "with host networking and NET_ADMIN/NET_RAW, adopts a matching one, replaces one whose\n"
        "configuration differs, recreates it when it dies. Tells the float over the tether\n"
        "socket to resign while the node is drained, which managers are its peers, and\n"
        "whether each --track-service has a running (and healthy) task on this node.\n"
        "Run it as a global swarm service on the managers with the Docker socket and the run\n"
        "folder mounted. SIGTERM stops and removes the float (it releases the VIPs first).\n"
        "The float's options below are validated here and passed to the float.",
        std::move(specs)};
}

config::Parsed<AnchorConfig> parse_anchor_config(const config::CommandLine& command_line) {
    config::Validator validator(command_line.options);
    AnchorConfig anchor;
    anchor.instance =
        config::read_instance_settings(validator, config::InterfaceRequirement::optional);

    if (auto endpoint = swarm::read_docker_host(validator, "docker-host")) {
        anchor.docker_host = *endpoint;
    } else if (validator.text("docker-host").empty()) {
        validator.add_problem("docker-host", "",
                              "unix:///PATH (such as unix:///var/run/docker.sock) or "
                              "tcp://HOST:PORT");
    }

    anchor.float_name = validator.text("float-name");
    const bool name_ok = !anchor.float_name.empty() &&
                         std::isalnum(static_cast<unsigned char>(anchor.float_name[0])) &&
                         anchor.float_name.find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789_.-") == std::string::npos;
    if (!name_ok) {
        validator.add_problem("float-name", anchor.float_name,
                              "a container name: letters, digits, '_', '.' and '-', starting "
                              "with a letter or digit");
    }
    anchor.float_image = validator.text("float-image");
    if (anchor.float_image.find_first_of(" \t\n") != std::string::npos) {
        validator.add_problem("float-image", anchor.float_image,
                              "an image reference without spaces");
    }
    if (auto pull = validator.choice("pull", {"missing", "always", "never"})) {
        anchor.pull = *pull == "always"  ? PullPolicy::always
                      : *pull == "never" ? PullPolicy::never
                                         : PullPolicy::missing;
    }
    anchor.run_directory = validator.text("run-dir");
    if (anchor.run_directory.empty() || anchor.run_directory.front() != '/' ||
        anchor.run_directory.find(':') != std::string::npos) {
        validator.add_problem(
            "run-dir", anchor.run_directory,
            "an absolute path without ':' such as " + std::string(config::kRunDirectory));
    }
    while (anchor.run_directory.size() > 1 && anchor.run_directory.back() == '/') {
        anchor.run_directory.pop_back();
    }

    if (auto timeout = validator.duration("stop-timeout", 0s, 300s)) {
        if (*timeout % 1s != 0us) {
            validator.add_problem("stop-timeout", validator.text("stop-timeout"),
                                  "whole seconds from 0s to 300s (Docker counts seconds)");
        } else {
            anchor.stop_timeout = std::chrono::duration_cast<std::chrono::seconds>(*timeout);
        }
    }
    anchor.node_hostname = validator.text("node-hostname");
    anchor.partition_policy = swarm::read_partition_policy(validator);
    std::set<std::string> tracked;
    for (auto& service : validator.options().list("track-service")) {
        if (!valid_service_name(service)) {
            validator.add_problem("track-service", service,
                                  "a swarm service name: letters, digits, '-', '_' and '.', at "
                                  "most 63 characters (as `docker service ls` shows it)");
        } else if (!tracked.insert(service).second) {
            validator.add_problem("track-service", service, "each service once");
        } else {
            anchor.track_services.push_back(std::move(service));
        }
    }
    anchor.common = config::read_common(validator);
    return {std::move(anchor), validator.problems()};
}

}  // namespace ks::roles::anchor
