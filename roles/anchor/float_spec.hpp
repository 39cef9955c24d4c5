#pragma once
// The float container the anchor wants: its create body, its labels, and the hash of everything
// that matters about it, so a running float can be adopted exactly when nothing changed.

#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/docker/models.hpp"
#include "roles/anchor/anchor_config.hpp"

namespace ks::roles::anchor {

/// Marks a container as a float made by keepalived-swarm.
inline constexpr const char* kRoleLabel = "io.keepalived-swarm.role";
inline constexpr const char* kRoleValue = "float";
/// Hash of the float's configuration (config_hash).
inline constexpr const char* kHashLabel = "io.keepalived-swarm.config-hash";
/// Which anchor created it (information only; not part of the hash).
inline constexpr const char* kAnchorLabel = "io.keepalived-swarm.anchor";
/// The image reference the float was made from (the spec names the image by id).
inline constexpr const char* kImageLabel = "io.keepalived-swarm.image";

/// What the anchor learned at start that goes into the float.
struct FloatInputs {
    std::string image_id;         ///< "sha256:..."
    std::string image_reference;  ///< what the user or the anchor's own container named
    std::string node_address;     ///< Swarm.NodeAddr; empty outside a swarm
    bool in_swarm = false;        ///< outside one there are no managers to send the float
    std::string node_hostname;
    std::string anchor_id;  ///< the anchor's container id or host name
};

/// The float's environment: the instance settings (auto peers become multicast outside a swarm,
/// where no managers will come), plus the node address when neither
/// --interface nor --node-address was given, plus tether, status socket, host name and logging.
std::vector<std::string> float_environment(const AnchorConfig& config, const FloatInputs& inputs);

/// The complete create body, labels (with the hash) included.
docker::ContainerSpec make_float_spec(const AnchorConfig& config, const FloatInputs& inputs);

/// A stable hash (16 hex digits) of image, command, environment and host configuration:
/// everything but the hash and anchor labels, in an order-independent form.
std::string config_hash(const docker::ContainerSpec& spec);

/// Problems with a created float's host configuration, compared with `spec` (empty when right).
std::vector<std::string> host_config_differences(const docker::ContainerSpec& spec,
                                                 const docker::HostConfigInfo& actual);

}  // namespace ks::roles::anchor
