#include "keepalived_swarm/docker/models.hpp"

#include <boost/json.hpp>
#include <cstdint>
#include <limits>

namespace ks::docker {
namespace json = boost::json;
namespace {

Error protocol_error(std::string_view what, std::string_view detail) {
    return Error{ErrorKind::protocol, 0,
                 "unexpected answer to " + std::string(what) +
                     " from the Docker daemon: " + std::string(detail)};
}

Result<json::object> parse_object(std::string_view body, std::string_view what) {
    json::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec) return protocol_error(what, "not JSON (" + ec.message() + ")");
    if (!value.is_object()) return protocol_error(what, "not a JSON object");
    return std::move(value.as_object());
}

Result<json::array> parse_array(std::string_view body, std::string_view what) {
    json::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec) return protocol_error(what, "not JSON (" + ec.message() + ")");
    if (value.is_null()) return json::array{};
    if (!value.is_array()) return protocol_error(what, "not a JSON array");
    return std::move(value.as_array());
}

const json::object& object_at(const json::object& object, std::string_view key) {
    static const json::object empty;
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_object() ? value->get_object() : empty;
}

std::string string_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

bool bool_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value != nullptr && value->is_bool() && value->get_bool();
}

std::optional<bool> optional_bool_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr || !value->is_bool()) return std::nullopt;
    return value->get_bool();
}

/// The integer at `key`; 0 when absent, not a number, or out of the range of long long (a
/// conversion of such a number would be undefined or wrap to a wrong value).
long long integer_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) return 0;
    if (value->is_int64()) return value->get_int64();
    if (value->is_uint64()) {
        const auto number = value->get_uint64();
        return number <= static_cast<std::uint64_t>(std::numeric_limits<long long>::max())
                   ? static_cast<long long>(number)
                   : 0;
    }
    if (value->is_double()) {
        // 2^63 is exact as a double; every double below it (and from -2^63 on) converts.
        constexpr double kLimit = 9223372036854775808.0;
        const double number = value->get_double();
        return number >= -kLimit && number < kLimit ? static_cast<long long>(number) : 0;
    }
    return 0;
}

std::vector<std::string> strings_at(const json::object& object, std::string_view key) {
    std::vector<std::string> result;
    const auto* value = object.if_contains(key);
    if (value == nullptr || !value->is_array()) return result;
    for (const auto& item : value->get_array()) {
        if (item.is_string()) result.emplace_back(item.get_string());
    }
    return result;
}

Labels labels_at(const json::object& object, std::string_view key) {
    Labels labels;
    for (const auto& [name, value] : object_at(object, key)) {
        if (value.is_string()) labels.emplace(std::string(name), std::string(value.get_string()));
    }
    return labels;
}

/// Docker writes container names with one leading slash; an engine's odd "//name" must not
/// leave one behind, as names are compared without it.
std::string without_slash(const std::string& name) {
    const auto first = name.find_first_not_of('/');
    return first == std::string::npos ? std::string() : name.substr(first);
}

NodeInfo node_from(const json::object& object) {
    NodeInfo node;
    node.id = string_at(object, "ID");
    const auto& spec = object_at(object, "Spec");
    node.role = string_at(spec, "Role");
    node.availability = string_at(spec, "Availability");
    node.labels = labels_at(spec, "Labels");
    node.hostname = string_at(object_at(object, "Description"), "Hostname");
    const auto& status = object_at(object, "Status");
    node.state = string_at(status, "State");
    node.addr = string_at(status, "Addr");
    const auto& manager = object_at(object, "ManagerStatus");
    node.manager_addr = string_at(manager, "Addr");
    node.reachability = string_at(manager, "Reachability");
    node.leader = bool_at(manager, "Leader");
    return node;
}

ContainerSummary summary_from(const json::object& object) {
    ContainerSummary summary;
    summary.id = string_at(object, "Id");
    for (auto& name : strings_at(object, "Names")) summary.names.push_back(without_slash(name));
    summary.image = string_at(object, "Image");
    summary.image_id = string_at(object, "ImageID");
    summary.state = string_at(object, "State");
    summary.status = string_at(object, "Status");
    summary.created = integer_at(object, "Created");
    summary.labels = labels_at(object, "Labels");
    return summary;
}

TaskInfo task_from(const json::object& object) {
    TaskInfo task;
    task.id = string_at(object, "ID");
    task.service_id = string_at(object, "ServiceID");
    task.node_id = string_at(object, "NodeID");
    task.desired_state = string_at(object, "DesiredState");
    const auto& status = object_at(object, "Status");
    task.state = string_at(status, "State");
    task.message = string_at(status, "Message");
    task.error = string_at(status, "Err");
    task.container_id = string_at(object_at(status, "ContainerStatus"), "ContainerID");
    return task;
}

json::array to_array(const std::vector<std::string>& items) {
    json::array array;
    for (const auto& item : items) array.emplace_back(item);
    return array;
}

}  // namespace

std::string NodeInfo::reachable_address() const {
    if (!addr.empty() && addr != "0.0.0.0") return addr;
    if (manager_addr.empty()) return "";
    if (manager_addr.front() == '[') return manager_addr.substr(1, manager_addr.find(']') - 1);
    return manager_addr.substr(0, manager_addr.rfind(':'));
}

std::string ContainerSpec::to_json() const {
    json::object labels_object;
    for (const auto& [name, value] : labels) labels_object[name] = value;
    json::object host_config{
        {"NetworkMode", network_mode},
        {"CapAdd", to_array(cap_add)},
        {"CapDrop", to_array(cap_drop)},
        {"Init", init},
        {"Binds", to_array(binds)},
        // The anchor restarts the float itself; a restart policy would race it.
        {"RestartPolicy", json::object{{"Name", "no"}}},
    };
    json::object body{
        {"Image", image},
        {"Cmd", to_array(cmd)},
        {"Env", to_array(env)},
        {"Labels", labels_object},
        {"HostConfig", std::move(host_config)},
    };
    return json::serialize(body);
}

Result<VersionInfo> parse_version(std::string_view body) {
    auto object = parse_object(body, "GET /version");
    if (!object) return object.error();
    VersionInfo info;
    info.engine_version = string_at(*object, "Version");
    info.api_version = parse_api_version(string_at(*object, "ApiVersion"));
    info.min_api_version = parse_api_version(string_at(*object, "MinAPIVersion"));
    info.os = string_at(*object, "Os");
    info.arch = string_at(*object, "Arch");
    return info;
}

Result<SystemInfo> parse_system_info(std::string_view body) {
    auto object = parse_object(body, "GET /info");
    if (!object) return object.error();
    SystemInfo info;
    info.id = string_at(*object, "ID");
    info.name = string_at(*object, "Name");
    info.server_version = string_at(*object, "ServerVersion");
    const auto& swarm = object_at(*object, "Swarm");
    info.swarm.node_id = string_at(swarm, "NodeID");
    info.swarm.node_addr = string_at(swarm, "NodeAddr");
    info.swarm.local_node_state = string_at(swarm, "LocalNodeState");
    info.swarm.control_available = bool_at(swarm, "ControlAvailable");
    info.swarm.error = string_at(swarm, "Error");
    return info;
}

Result<NodeInfo> parse_node(std::string_view body) {
    auto object = parse_object(body, "GET /nodes/{id}");
    if (!object) return object.error();
    return node_from(*object);
}

Result<std::vector<NodeInfo>> parse_node_list(std::string_view body) {
    auto array = parse_array(body, "GET /nodes");
    if (!array) return array.error();
    std::vector<NodeInfo> nodes;
    for (const auto& item : *array) {
        if (item.is_object()) nodes.push_back(node_from(item.get_object()));
    }
    return nodes;
}

Result<ImageInfo> parse_image(std::string_view body) {
    auto object = parse_object(body, "GET /images/{name}/json");
    if (!object) return object.error();
    ImageInfo image;
    image.id = string_at(*object, "Id");
    image.repo_tags = strings_at(*object, "RepoTags");
    if (image.id.empty()) return protocol_error("GET /images/{name}/json", "no Id");
    return image;
}

Result<ContainerInfo> parse_container(std::string_view body) {
    auto object = parse_object(body, "GET /containers/{id}/json");
    if (!object) return object.error();
    ContainerInfo info;
    info.id = string_at(*object, "Id");
    if (info.id.empty()) return protocol_error("GET /containers/{id}/json", "no Id");
    info.name = without_slash(string_at(*object, "Name"));
    info.image_id = string_at(*object, "Image");
    const auto& config = object_at(*object, "Config");
    info.config_image = string_at(config, "Image");
    info.hostname = string_at(config, "Hostname");
    info.cmd = strings_at(config, "Cmd");
    info.env = strings_at(config, "Env");
    info.labels = labels_at(config, "Labels");
    const auto& state = object_at(*object, "State");
    info.state.status = string_at(state, "Status");
    info.state.running = bool_at(state, "Running");
    info.state.oom_killed = bool_at(state, "OOMKilled");
    info.state.exit_code = integer_at(state, "ExitCode");
    info.state.pid = integer_at(state, "Pid");
    info.state.error = string_at(state, "Error");
    info.state.started_at = string_at(state, "StartedAt");
    info.state.finished_at = string_at(state, "FinishedAt");
    info.state.health_status = string_at(object_at(state, "Health"), "Status");
    const auto& host = object_at(*object, "HostConfig");
    info.host_config.network_mode = string_at(host, "NetworkMode");
    info.host_config.cap_add = strings_at(host, "CapAdd");
    info.host_config.init = optional_bool_at(host, "Init");
    info.host_config.privileged = bool_at(host, "Privileged");
    info.host_config.binds = strings_at(host, "Binds");
    info.host_config.restart_policy = string_at(object_at(host, "RestartPolicy"), "Name");
    info.host_config.cap_drop = strings_at(host, "CapDrop");
    return info;
}

Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body) {
    auto array = parse_array(body, "GET /containers/json");
    if (!array) return array.error();
    std::vector<ContainerSummary> containers;
    for (const auto& item : *array) {
        if (item.is_object()) containers.push_back(summary_from(item.get_object()));
    }
    return containers;
}

Result<std::vector<TaskInfo>> parse_task_list(std::string_view body) {
    auto array = parse_array(body, "GET /tasks");
    if (!array) return array.error();
    std::vector<TaskInfo> tasks;
    for (const auto& item : *array) {
        if (item.is_object()) tasks.push_back(task_from(item.get_object()));
    }
    return tasks;
}

Result<ServiceInfo> parse_service(std::string_view body) {
    auto object = parse_object(body, "GET /services/{id}");
    if (!object) return object.error();
    ServiceInfo service;
    service.id = string_at(*object, "ID");
    if (service.id.empty()) return protocol_error("GET /services/{id}", "no ID");
    const auto& spec = object_at(*object, "Spec");
    service.name = string_at(spec, "Name");
    const auto& container = object_at(object_at(spec, "TaskTemplate"), "ContainerSpec");
    const auto test = strings_at(object_at(container, "Healthcheck"), "Test");
    service.has_healthcheck = !test.empty() && test.front() != "NONE";
    service.update_state = string_at(object_at(*object, "UpdateStatus"), "State");
    return service;
}

Result<std::string> parse_created_id(std::string_view body) {
    auto object = parse_object(body, "POST /containers/create");
    if (!object) return object.error();
    auto id = string_at(*object, "Id");
    if (id.empty()) return protocol_error("POST /containers/create", "no Id");
    return id;
}

Result<long long> parse_wait_status(std::string_view body) {
    auto object = parse_object(body, "POST /containers/{id}/wait");
    if (!object) return object.error();
    if (const auto message = string_at(object_at(*object, "Error"), "Message"); !message.empty()) {
        return Error{ErrorKind::stream, 0, message};
    }
    return integer_at(*object, "StatusCode");
}

Result<Event> parse_event(std::string_view line) {
    auto object = parse_object(line, "GET /events");
    if (!object) return object.error();
    Event event;
    event.type = string_at(*object, "Type");
    event.action = string_at(*object, "Action");
    const auto& actor = object_at(*object, "Actor");
    event.actor_id = string_at(actor, "ID");
    event.attributes = labels_at(actor, "Attributes");
    // The old shape (status/id/from) describes containers only.
    if (event.action.empty()) event.action = string_at(*object, "status");
    if (event.actor_id.empty()) event.actor_id = string_at(*object, "id");
    if (event.type.empty() && object->contains("status")) event.type = "container";
    event.time_nano = integer_at(*object, "timeNano");
    if (event.time_nano == 0) {
        // Seconds too large for nanoseconds would overflow: such a time stays unknown (0).
        constexpr long long kNanosecondsPerSecond = 1000000000LL;
        constexpr long long kLimit =
            std::numeric_limits<std::int64_t>::max() / kNanosecondsPerSecond;
        const long long seconds = integer_at(*object, "time");
        if (seconds >= -kLimit && seconds <= kLimit)
            event.time_nano = seconds * kNanosecondsPerSecond;
    }
    if (event.action.empty()) return protocol_error("GET /events", "an event without Action");
    return event;
}

Result<PullProgress> parse_pull_progress(std::string_view line) {
    auto object = parse_object(line, "POST /images/create");
    if (!object) return object.error();
    PullProgress progress;
    progress.status = string_at(*object, "status");
    progress.id = string_at(*object, "id");
    progress.progress = string_at(*object, "progress");
    progress.error = string_at(*object, "error");
    if (const auto detail = string_at(object_at(*object, "errorDetail"), "message");
        progress.error.empty() && !detail.empty()) {
        progress.error = detail;
    }
    if (progress.error.empty() && object->contains("error")) {
        progress.error = json::serialize(object->at("error"));
    }
    return progress;
}

std::string parse_error_message(std::string_view body) {
    json::error_code ec;
    const json::value value = json::parse(body, ec);
    if (!ec && value.is_object()) {
        if (auto message = string_at(value.get_object(), "message"); !message.empty()) {
            return message;
        }
    }
    std::string text(body.substr(0, 300));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    return text.empty() ? "(no message)" : text;
}

}  // namespace ks::docker
