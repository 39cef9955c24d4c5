#include "keepalived_swarm/swarm/options.hpp"

namespace ks::swarm {

config::OptionSpec partition_policy_option() {
    return {"partition-policy", "KEEPALIVED_PARTITION_POLICY", "hold", "hold|release",
            "What this manager's float does while the manager has lost the swarm's quorum (for 5 s "
            "no raft leader that reaches a majority, and no majority of the managers reachable): "
            "hold keeps competing (a silent cut leaves a holder on each side; a swarm that lost "
            "most managers keeps its VIP), release resigns until the quorum is back (one holder, "
            "on the majority's side)."};
}

PartitionPolicy read_partition_policy(config::Validator& validator) {
    const auto policy = validator.choice("partition-policy", {"hold", "release"});
    return policy && *policy == "release" ? PartitionPolicy::release : PartitionPolicy::hold;
}

std::optional<http::Endpoint> read_docker_host(config::Validator& validator,
                                               const std::string& flag) {
    const auto host = validator.text(flag);
    if (host.empty()) return std::nullopt;
    auto endpoint = http::parse_endpoint(host);
    if (endpoint && (endpoint->transport == http::Endpoint::Transport::unix_socket ||
                     host.starts_with("tcp://"))) {
        return *endpoint;
    }
    validator.add_problem(flag, host,
                          "unix:///PATH (such as unix:///var/run/docker.sock) or tcp://HOST:PORT "
                          "(TLS is not supported)");
    return std::nullopt;
}

}  // namespace ks::swarm
