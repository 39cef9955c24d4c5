#include "roles/anchor/float_spec.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "keepalived_swarm/config/float_config.hpp"

namespace ks::roles::anchor {
namespace {

/// 64-bit FNV-1a: stable across builds and machines, enough to notice a change (not security).
class Fnv1a {
public:
    void add(std::string_view text) {
        for (const char c : text) {
            state_ ^= static_cast<unsigned char>(c);
            state_ *= 0x100000001b3ULL;
        }
        // A separator no field contains keeps "ab"+"c" apart from "a"+"bc".
        state_ ^= 0xFFU;
        state_ *= 0x100000001b3ULL;
    }
    std::string hex() const {
        char text[17];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(state_));
        return text;
    }

private:
    std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

std::string in_float(std::string_view file) {
    return std::string(config::kRunDirectory) + "/" + std::string(file);
}

}  // namespace

std::vector<std::string> float_environment(const AnchorConfig& config, const FloatInputs& inputs) {
    auto instance = config.instance;
    if (instance.peers == config::PeersMode::automatic && !inputs.in_swarm) {
        instance.peers = config::PeersMode::multicast;
    }
    if (instance.interface.empty() && !instance.node_address) {
        instance.node_address = net::parse_ip_address(inputs.node_address);
    }
    std::vector<std::string> environment = config::instance_environment(instance);
    environment.push_back("KEEPALIVED_TETHER=" + in_float("anchor.sock"));
    environment.push_back("KEEPALIVED_STATUS_SOCKET=" + in_float("float.sock"));
    if (!inputs.node_hostname.empty()) {
        environment.push_back("DOCKER_NODE_HOSTNAME=" + inputs.node_hostname);
    }
    environment.push_back("KEEPALIVED_LOG_LEVEL=" +
                          std::string(log::to_string(config.common.log_level)));
    environment.push_back(std::string("KEEPALIVED_LOG_FORMAT=") +
                          (config.common.log_format == log::Format::json ? "json" : "text"));
    return environment;
}

docker::ContainerSpec make_float_spec(const AnchorConfig& config, const FloatInputs& inputs) {
    docker::ContainerSpec spec;
    spec.image = inputs.image_id;
    // The image's entrypoint is keepalived-swarm; the float is its subcommand.
    spec.cmd = {"float"};
    spec.env = float_environment(config, inputs);
    spec.network_mode = "host";
    // Only what VRRP needs (raw sockets, addresses): not Docker's default set (chown, setuid,
    // dac_override...), which the float never uses and an exploit would.
    spec.cap_drop = {"ALL"};
    spec.cap_add = {"NET_ADMIN", "NET_RAW"};
    spec.init = true;
    spec.binds = {config.run_directory + ":" + config::kRunDirectory};
    spec.labels = {{kRoleLabel, kRoleValue}, {kImageLabel, inputs.image_reference}};
    spec.labels[kHashLabel] = config_hash(spec);
    spec.labels[kAnchorLabel] = inputs.anchor_id;
    return spec;
}

std::string config_hash(const docker::ContainerSpec& spec) {
    Fnv1a hash;
    hash.add("image");
    hash.add(spec.image);
    hash.add("cmd");
    for (const auto& part : spec.cmd) hash.add(part);
    auto environment = spec.env;
    std::sort(environment.begin(), environment.end());
    hash.add("env");
    for (const auto& entry : environment) hash.add(entry);
    hash.add("labels");
    for (const auto& [name, value] : spec.labels) {  // std::map: sorted already
        if (name == kHashLabel || name == kAnchorLabel) continue;
        hash.add(name);
        hash.add(value);
    }
    hash.add("host");
    hash.add(spec.network_mode);
    auto capabilities = spec.cap_add;
    std::sort(capabilities.begin(), capabilities.end());
    for (const auto& capability : capabilities) hash.add(capability);
    hash.add("drop");
    for (const auto& capability : spec.cap_drop) hash.add(capability);
    hash.add(spec.init ? "init" : "no-init");
    for (const auto& bind : spec.binds) hash.add(bind);
    return hash.hex();
}

std::vector<std::string> host_config_differences(const docker::ContainerSpec& spec,
                                                 const docker::HostConfigInfo& actual) {
    std::vector<std::string> differences;
    if (actual.network_mode != spec.network_mode) {
        differences.push_back("NetworkMode is '" + actual.network_mode + "', wanted '" +
                              spec.network_mode + "'");
    }
    auto wanted_caps = spec.cap_add;
    auto actual_caps = actual.cap_add;
    std::sort(wanted_caps.begin(), wanted_caps.end());
    std::sort(actual_caps.begin(), actual_caps.end());
    if (wanted_caps != actual_caps) differences.push_back("CapAdd differs");
    if (actual.cap_drop != spec.cap_drop) differences.push_back("CapDrop differs");
    if (actual.init.value_or(false) != spec.init) differences.push_back("Init differs");
    if (actual.privileged) differences.push_back("the container is privileged");
    if (actual.binds != spec.binds) differences.push_back("Binds differ");
    if (!actual.restart_policy.empty() && actual.restart_policy != "no") {
        differences.push_back("RestartPolicy is '" + actual.restart_policy + "', wanted 'no'");
    }
    return differences;
}

}  // namespace ks::roles::anchor
