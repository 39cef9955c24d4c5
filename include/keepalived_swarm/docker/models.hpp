#pragma once
// The Engine API objects the roles use, as plain structs, and their parsers. Parsers keep what
// they know and ignore the rest (unknown fields, newer shapes); a body that is not a JSON object
// (or array, for lists) is ErrorKind::protocol.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/docker/api_version.hpp"
#include "keepalived_swarm/docker/error.hpp"

namespace ks::docker {

using Labels = std::map<std::string, std::string>;

/// GET /version
struct VersionInfo {
    std::string engine_version;  ///< "20.10.24"
    std::optional<ApiVersion> api_version;
    std::optional<ApiVersion> min_api_version;
    std::string os;
    std::string arch;
};

/// The Swarm part of GET /info.
struct SwarmInfo {
    std::string node_id;             ///< empty outside a swarm
    std::string node_addr;           ///< this node's swarm address
    std::string local_node_state;    ///< inactive, pending, active, error, locked
    bool control_available = false;  ///< true on managers
    std::string error;               ///< Swarm.Error: why the membership is in "error"
};

/// GET /info
struct SystemInfo {
    std::string id;
    std::string name;  ///< the host name of the node
    std::string server_version;
    SwarmInfo swarm;
};

/// GET /nodes/{id} and the items of GET /nodes
struct NodeInfo {
    std::string id;
    std::string hostname;
    std::string role;          ///< manager, worker
    std::string availability;  ///< active, pause, drain
    std::string state;         ///< ready, down, unknown, disconnected
    std::string addr;          ///< Status.Addr
    std::string manager_addr;  ///< ManagerStatus.Addr, "10.0.0.1:2377"; empty on workers
    std::string reachability;  ///< ManagerStatus.Reachability
    bool leader = false;
    Labels labels;

    /// The address other nodes reach this one at: Status.Addr, or the host of ManagerStatus.Addr
    /// when Status.Addr is empty or 0.0.0.0.
    std::string reachable_address() const;
};

/// GET /images/{name}/json
struct ImageInfo {
    std::string id;
    std::vector<std::string> repo_tags;
};

/// State of GET /containers/{id}/json
struct ContainerState {
    std::string status;  ///< created, running, paused, restarting, removing, exited, dead
    bool running = false;
    bool oom_killed = false;
    long long exit_code = 0;
    long long pid = 0;
    std::string error;
    std::string started_at;
    std::string finished_at;
    /// State.Health.Status: starting, healthy, unhealthy (or "none"); empty when the container
    /// has no healthcheck.
    std::string health_status;
};

/// HostConfig of GET /containers/{id}/json, the parts the anchor sets.
struct HostConfigInfo {
    std::string network_mode;
    std::vector<std::string> cap_add;
    std::optional<bool> init;
    bool privileged = false;
    std::vector<std::string> binds;
    std::string restart_policy;
    std::vector<std::string> cap_drop;
};

/// GET /containers/{id}/json
struct ContainerInfo {
    std::string id;
    std::string name;      ///< without the leading '/'
    std::string image_id;  ///< "sha256:..."
    std::string config_image;
    std::string hostname;
    std::vector<std::string> cmd;
    std::vector<std::string> env;
    Labels labels;
    ContainerState state;
    HostConfigInfo host_config;
};

/// The items of GET /containers/json
struct ContainerSummary {
    std::string id;
    std::vector<std::string> names;  ///< without the leading '/'
    std::string image;
    std::string image_id;
    std::string state;
    std::string status;
    long long created = 0;  ///< seconds since the epoch
    Labels labels;
};

/// The items of GET /tasks (a swarm task: one container of a service on one node).
struct TaskInfo {
    std::string id;
    std::string service_id;
    std::string node_id;
    std::string desired_state;  ///< running, shutdown, ...
    std::string state;         ///< Status.State: new, ..., starting, running, complete, failed, ...
    std::string message;       ///< Status.Message
    std::string error;         ///< Status.Err
    std::string container_id;  ///< Status.ContainerStatus.ContainerID; empty before it exists
};

/// GET /services/{id}
struct ServiceInfo {
    std::string id;
    std::string name;  ///< Spec.Name
    /// Spec.TaskTemplate.ContainerSpec.Healthcheck declares a test of its own (not NONE, not
    /// empty: an empty test keeps the image's healthcheck, if it has one).
    bool has_healthcheck = false;
    /// UpdateStatus.State: updating, paused, completed, rollback_started, ...; empty when the
    /// service was never updated.
    std::string update_state;
};

/// One event of GET /events, in the old (status/id/from) or the 1.52 (Type/Action/Actor) shape.
struct Event {
    std::string type;    ///< container, image, node, ...
    std::string action;  ///< die, destroy, start, update, ...
    std::string actor_id;
    Labels attributes;  ///< Actor.Attributes: name, image, labels, node fields
    std::int64_t time_nano = 0;
};

/// One line of a POST /images/create stream.
struct PullProgress {
    std::string status;  ///< "Pulling fs layer", "Download complete", ...
    std::string id;      ///< layer or tag
    std::string progress;
    std::string error;  ///< set when the pull failed
};

/// What POST /containers/create gets (the parts the anchor uses).
struct ContainerSpec {
    std::string image;
    std::vector<std::string> cmd;
    std::vector<std::string> env;
    Labels labels;
    std::string network_mode;
    std::vector<std::string> cap_add;
    bool init = false;
    std::vector<std::string> binds;
    /// Capabilities dropped before cap_add applies: {"ALL"} keeps only cap_add.
    std::vector<std::string> cap_drop;

    /// The JSON body of the create call.
    std::string to_json() const;
};

Result<VersionInfo> parse_version(std::string_view body);
Result<SystemInfo> parse_system_info(std::string_view body);
Result<NodeInfo> parse_node(std::string_view body);
Result<std::vector<NodeInfo>> parse_node_list(std::string_view body);
Result<ImageInfo> parse_image(std::string_view body);
Result<ContainerInfo> parse_container(std::string_view body);
Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body);
Result<std::vector<TaskInfo>> parse_task_list(std::string_view body);
Result<ServiceInfo> parse_service(std::string_view body);
/// The "Id" of a create answer.
Result<std::string> parse_created_id(std::string_view body);
/// The "StatusCode" of a wait answer.
Result<long long> parse_wait_status(std::string_view body);
Result<Event> parse_event(std::string_view line);
Result<PullProgress> parse_pull_progress(std::string_view line);
/// The "message" of an error answer, or the body itself (trimmed, shortened) when not JSON.
std::string parse_error_message(std::string_view body);

}  // namespace ks::docker
