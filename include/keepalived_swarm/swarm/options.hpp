#pragma once
// The options of whoever watches the swarm (the anchor, or a float in direct mode), written once:
// where the Docker Engine is and the partition policy.

#include <optional>
#include <string>

#include "keepalived_swarm/config/options.hpp"
#include "keepalived_swarm/config/values.hpp"
#include "keepalived_swarm/http/endpoint.hpp"
#include "keepalived_swarm/swarm/membership.hpp"

namespace ks::swarm {

/// --partition-policy (KEEPALIVED_PARTITION_POLICY), hold or release.
config::OptionSpec partition_policy_option();
PartitionPolicy read_partition_policy(config::Validator& validator);

/// A Docker Engine endpoint option's value: unix:///PATH or tcp://HOST:PORT. A problem is added
/// for anything else; an empty value is nullopt without a problem (the option is unset).
std::optional<http::Endpoint> read_docker_host(config::Validator& validator,
                                               const std::string& flag);

}  // namespace ks::swarm
