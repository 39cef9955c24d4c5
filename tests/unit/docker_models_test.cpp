#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "keepalived_swarm/docker/models.hpp"

using namespace ks::docker;

namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(KS_FIXTURES_DIR) + "/docker/" + name);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("API versions parse and order numerically", "[docker]") {
    CHECK(parse_api_version("1.41") == ApiVersion{1, 41});
    CHECK(parse_api_version("1.9") < parse_api_version("1.41"));
    for (const char* bad : {"", "1", "1.", ".41", "1.41.0", "v1.41", "1.x", "-1.2"}) {
        INFO(bad);
        CHECK_FALSE(parse_api_version(bad));
    }
    CHECK(ApiVersion{1, 44}.to_string() == "1.44");
}

TEST_CASE("negotiation picks the highest version both sides speak", "[docker]") {
    // Docker 20.10 (this lab's engine): 1.41, minimum 1.12.
    CHECK(negotiate_api_version(ApiVersion{1, 41}, ApiVersion{1, 12}).value() == ApiVersion{1, 41});
    // Docker 25: 1.44, minimum 1.24.
    CHECK(negotiate_api_version(ApiVersion{1, 44}, ApiVersion{1, 24}).value() == ApiVersion{1, 44});
    // Docker 29: 1.52, minimum 1.44.
    CHECK(negotiate_api_version(ApiVersion{1, 52}, ApiVersion{1, 44}).value() == ApiVersion{1, 52});
    // A future engine: this client stays at its newest.
    CHECK(negotiate_api_version(ApiVersion{1, 60}, ApiVersion{1, 44}).value() == ApiVersion{1, 52});
    // No minimum known (only /_ping answered).
    CHECK(negotiate_api_version(ApiVersion{1, 47}, std::nullopt).value() == ApiVersion{1, 47});
}

TEST_CASE("negotiation refuses engines outside 1.41 to 1.52 and says which side is old",
          "[docker]") {
    auto too_old = negotiate_api_version(ApiVersion{1, 40}, ApiVersion{1, 12});
    REQUIRE_FALSE(too_old.has_value());
    CHECK(too_old.error().kind == ErrorKind::unsupported);
    CHECK(too_old.error().message.find("too old") != std::string::npos);
    auto too_new = negotiate_api_version(ApiVersion{1, 70}, ApiVersion{1, 53});
    REQUIRE_FALSE(too_new.has_value());
    CHECK(too_new.error().message.find("too new") != std::string::npos);
    auto silent = negotiate_api_version(std::nullopt, std::nullopt);
    REQUIRE_FALSE(silent.has_value());
    CHECK(silent.error().kind == ErrorKind::protocol);
}

TEST_CASE("events parse in the old and the 1.52 shape", "[docker]") {
    auto old_shape = parse_event(fixture("event_1_41_die.json"));
    REQUIRE(old_shape.has_value());
    CHECK(old_shape->type == "container");
    CHECK(old_shape->action == "die");
    CHECK(old_shape->actor_id == "4f2c1b9e0a7d");
    CHECK(old_shape->attributes.at("name") == "keepalived-float");
    CHECK(old_shape->attributes.at("exitCode") == "137");
    CHECK(old_shape->time_nano == 1764195000123456789LL);

    auto new_shape = parse_event(fixture("event_1_52_die.json"));
    REQUIRE(new_shape.has_value());
    CHECK(new_shape->type == "container");
    CHECK(new_shape->action == "die");
    CHECK(new_shape->actor_id == "4f2c1b9e0a7d");

    auto node = parse_event(fixture("event_1_52_node_update.json"));
    REQUIRE(node.has_value());
    CHECK(node->type == "node");
    CHECK(node->action == "update");
    CHECK(node->attributes.at("availability.new") == "drain");

    // Only the oldest shape: status/id/from without Type/Action/Actor.
    auto oldest = parse_event(R"({"status":"destroy","id":"abc","from":"img","time":5})");
    REQUIRE(oldest.has_value());
    CHECK(oldest->type == "container");
    CHECK(oldest->action == "destroy");
    CHECK(oldest->actor_id == "abc");
    CHECK(oldest->time_nano == 5000000000LL);
}

TEST_CASE("container names come without their leading slashes, however many", "[docker]") {
    // Found by fuzz_docker_models: "//name" left one slash behind.
    for (const char* name : {"/keepalived-float", "//keepalived-float", "keepalived-float"}) {
        INFO(name);
        const auto container =
            parse_container(std::string(R"({"Id":"abc","Name":")") + name + R"("})");
        REQUIRE(container.has_value());
        CHECK(container->name == "keepalived-float");
    }
    const auto only_slashes = parse_container(R"({"Id":"abc","Name":"//"})");
    REQUIRE(only_slashes.has_value());
    CHECK(only_slashes->name.empty());
}

TEST_CASE("unexpected bodies give protocol errors, never a crash", "[docker]") {
    for (const char* body : {"", "null", "[]", "\"text\"", "{", "{\"Action\":5}", "<html>",
                             "{\"Type\":\"container\"}"}) {
        INFO(body);
        auto event = parse_event(body);
        REQUIRE_FALSE(event.has_value());
        CHECK(event.error().kind == ErrorKind::protocol);
        CHECK_FALSE(parse_container(body).has_value());
        CHECK_FALSE(parse_image(body).has_value());
    }
    CHECK_FALSE(parse_node_list("{\"ID\":1}").has_value());
    CHECK(parse_node_list("null").value().empty());
    // Wrong types inside a known object are skipped, not fatal.
    auto info =
        parse_system_info(R"({"Name":7,"Swarm":{"NodeID":["x"],"ControlAvailable":"yes"}})");
    REQUIRE(info.has_value());
    CHECK(info->name.empty());
    CHECK(info->swarm.node_id.empty());
    CHECK_FALSE(info->swarm.control_available);
}

TEST_CASE("numbers too large for their field read as unknown, never overflow", "[docker]") {
    // A huge "time" overflowed when scaled to nanoseconds, and a double beyond
    // long long's range was converted regardless (both undefined behaviour).
    auto huge_time = parse_event(R"({"status":"die","id":"abc","time":9300000000000})");
    REQUIRE(huge_time.has_value());
    CHECK(huge_time->time_nano == 0);
    auto negative_time = parse_event(R"({"status":"die","id":"abc","time":-9300000000000})");
    REQUIRE(negative_time.has_value());
    CHECK(negative_time->time_nano == 0);
    auto double_time = parse_event(R"({"status":"die","id":"abc","timeNano":1e300})");
    REQUIRE(double_time.has_value());
    CHECK(double_time->time_nano == 0);

    CHECK(parse_wait_status(R"({"StatusCode":1e19})").value() == 0);
    CHECK(parse_wait_status(R"({"StatusCode":-1e300})").value() == 0);
    CHECK(parse_wait_status(R"({"StatusCode":18446744073709551615})").value() == 0);
    CHECK(parse_wait_status(R"({"StatusCode":137.0})").value() == 137);
    auto container = parse_container(R"({"Id":"abc","State":{"ExitCode":1e400,"Pid":-2e19}})");
    if (container) {  // 1e400 is out of range for a double: Boost.JSON may refuse the body
        CHECK(container->state.exit_code == 0);
        CHECK(container->state.pid == 0);
    }
}

TEST_CASE("info reads the swarm fields and ignores unknown ones", "[docker]") {
    auto info = parse_system_info(fixture("info_manager.json"));
    REQUIRE(info.has_value());
    CHECK(info->name == "node1");
    CHECK(info->swarm.node_id == "y5yk0fhg7mq2");
    CHECK(info->swarm.node_addr == "10.99.0.1");
    CHECK(info->swarm.local_node_state == "active");
    CHECK(info->swarm.control_available);
}

TEST_CASE("nodes give role, availability and a reachable address", "[docker]") {
    auto nodes = parse_node_list(fixture("nodes_managers.json"));
    REQUIRE(nodes.has_value());
    REQUIRE(nodes->size() == 3);
    const auto& first = (*nodes)[0];
    CHECK(first.hostname == "node1");
    CHECK(first.role == "manager");
    CHECK(first.availability == "active");
    CHECK(first.leader);
    CHECK(first.labels.at("vip") == "yes");
    CHECK(first.reachable_address() == "10.99.0.1");
    // Status.Addr 0.0.0.0 (seen on managers): fall back to the manager address without port.
    CHECK((*nodes)[1].availability == "drain");
    CHECK((*nodes)[1].reachable_address() == "10.99.0.2");
    CHECK((*nodes)[2].reachable_address() == "fd00::3");
    NodeInfo only_manager_addr;
    only_manager_addr.manager_addr = "[fd00::9]:2377";
    CHECK(only_manager_addr.reachable_address() == "fd00::9");
}

TEST_CASE("container inspect reads state, config and host config", "[docker]") {
    auto container = parse_container(fixture("container_float.json"));
    REQUIRE(container.has_value());
    CHECK(container->name == "keepalived-float");
    CHECK(container->image_id == "sha256:9a8b7c");
    CHECK(container->state.running);
    CHECK(container->state.status == "running");
    CHECK(container->state.pid == 4242);
    CHECK(container->cmd == std::vector<std::string>{"float"});
    CHECK(container->labels.at("io.keepalived-swarm.role") == "float");
    CHECK(container->host_config.network_mode == "host");
    CHECK(container->host_config.cap_add == std::vector<std::string>{"NET_ADMIN", "NET_RAW"});
    CHECK(container->host_config.cap_drop == std::vector<std::string>{"ALL"});
    CHECK(container->host_config.init == true);
    CHECK_FALSE(container->host_config.privileged);
    CHECK(container->host_config.restart_policy == "no");
    CHECK(container->host_config.binds ==
          std::vector<std::string>{"/run/keepalived-swarm:/run/keepalived-swarm"});
}

TEST_CASE("pull progress lines carry status or an error object", "[docker]") {
    auto progress = parse_pull_progress(R"({"status":"Downloading","id":"a1","progress":"[=> ]"})");
    REQUIRE(progress.has_value());
    CHECK(progress->status == "Downloading");
    CHECK(progress->error.empty());
    auto failed = parse_pull_progress(
        R"({"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"})");
    REQUIRE(failed.has_value());
    CHECK(failed->error == "manifest unknown");
    auto detail_only = parse_pull_progress(R"({"errorDetail":{"message":"denied"}})");
    CHECK(detail_only->error == "denied");
    auto odd_error = parse_pull_progress(R"({"error":{"code":1}})");
    CHECK(odd_error->error == R"({"code":1})");
}

TEST_CASE("error messages come from the daemon's JSON or the raw body", "[docker]") {
    CHECK(parse_error_message(R"({"message":"No such image: x:1"})") == "No such image: x:1");
    CHECK(parse_error_message("page not found\n") == "page not found");
    CHECK(parse_error_message("") == "(no message)");
    CHECK(parse_error_message(std::string(1000, 'x')).size() == 300);
}

TEST_CASE("a container spec serialises host networking, capabilities, init and binds", "[docker]") {
    ContainerSpec spec;
    spec.image = "sha256:9a8b7c";
    spec.cmd = {"float"};
    spec.env = {"KEEPALIVED_VIRTUAL_IPS=10.0.0.100/24"};
    spec.labels = {{"io.keepalived-swarm.role", "float"}};
    spec.network_mode = "host";
    spec.cap_add = {"NET_ADMIN", "NET_RAW"};
    spec.init = true;
    spec.binds = {"/run/keepalived-swarm:/run/keepalived-swarm"};
    spec.cap_drop = {"ALL"};
    const auto body = boost::json::parse(spec.to_json()).as_object();
    CHECK(body.at("Image") == "sha256:9a8b7c");
    CHECK(body.at("Cmd").as_array().size() == 1);
    CHECK(body.at("Labels").at("io.keepalived-swarm.role") == "float");
    const auto& host = body.at("HostConfig").as_object();
    CHECK(host.at("NetworkMode") == "host");
    CHECK(host.at("CapAdd").as_array().size() == 2);
    CHECK(host.at("CapDrop") == boost::json::array{"ALL"});
    CHECK(host.at("Init") == true);
    CHECK(host.at("RestartPolicy").at("Name") == "no");
    CHECK_FALSE(host.contains("Privileged"));
}

TEST_CASE("tasks give their service, node, states and container", "[docker]") {
    auto tasks = parse_task_list(fixture("tasks_web_node1.json"));
    REQUIRE(tasks.has_value());
    REQUIRE(tasks->size() == 2);
    const auto& running = (*tasks)[0];
    CHECK(running.id == "3f2a1b2c3d4e5f6a7b8c9d0e1");
    CHECK(running.service_id == "kq9mjz5lu1x8d7c6b5a4z3y2x");
    CHECK(running.node_id == "y5yk0fhg7mq2w1v0u9t8s7r6q");
    CHECK(running.desired_state == "running");
    CHECK(running.state == "running");
    CHECK(running.message == "started");
    CHECK(running.container_id ==
          "c0ffee1234567890abcdef1234567890abcdef1234567890abcdef1234567890");
    // Before its container exists a task has no ContainerStatus.
    const auto& preparing = (*tasks)[1];
    CHECK(preparing.state == "preparing");
    CHECK(preparing.container_id.empty());

    CHECK(parse_task_list("null").value().empty());
    CHECK_FALSE(parse_task_list("{\"ID\":\"x\"}").has_value());
    // Wrong types inside a task are skipped; items that are not objects too.
    auto odd = parse_task_list(
        R"([7,{"ID":"t1","Status":{"State":5,"ContainerStatus":"c"},"DesiredState":null}])");
    REQUIRE(odd.has_value());
    REQUIRE(odd->size() == 1);
    CHECK((*odd)[0].id == "t1");
    CHECK((*odd)[0].state.empty());
    CHECK((*odd)[0].container_id.empty());
    CHECK((*odd)[0].desired_state.empty());
}

TEST_CASE("a service says its name and whether it declares a healthcheck", "[docker]") {
    auto service = parse_service(fixture("service_web.json"));
    REQUIRE(service.has_value());
    CHECK(service->id == "kq9mjz5lu1x8d7c6b5a4z3y2x");
    CHECK(service->name == "web");
    CHECK(service->has_healthcheck);

    auto plain = parse_service(
        R"({"ID":"s1","Spec":{"Name":"traefik_traefik","TaskTemplate":{"ContainerSpec":{"Image":"traefik:v3"}}}})");
    REQUIRE(plain.has_value());
    CHECK(plain->name == "traefik_traefik");
    CHECK_FALSE(plain->has_healthcheck);
    CHECK(plain->update_state.empty());  // never updated
    auto updating = parse_service(
        R"({"ID":"s5","Spec":{"Name":"keepalived_anchor"},"UpdateStatus":{"State":"updating","StartedAt":"2026-11-29T23:00:00Z","Message":"update in progress"}})");
    REQUIRE(updating.has_value());
    CHECK(updating->update_state == "updating");
    // --no-healthcheck: the image's healthcheck is switched off.
    auto disabled = parse_service(
        R"({"ID":"s2","Spec":{"Name":"a","TaskTemplate":{"ContainerSpec":{"Healthcheck":{"Test":["NONE"]}}}}})");
    REQUIRE(disabled.has_value());
    CHECK_FALSE(disabled->has_healthcheck);
    // Only --health-interval: the image's test is kept; the container says whether there is one.
    auto inherited = parse_service(
        R"({"ID":"s3","Spec":{"Name":"b","TaskTemplate":{"ContainerSpec":{"Healthcheck":{"Interval":5000000000}}}}})");
    REQUIRE(inherited.has_value());
    CHECK_FALSE(inherited->has_healthcheck);
    auto shell = parse_service(
        R"({"ID":"s4","Spec":{"Name":"c","TaskTemplate":{"ContainerSpec":{"Healthcheck":{"Test":["CMD-SHELL","true"]}}}}})");
    REQUIRE(shell.has_value());
    CHECK(shell->has_healthcheck);

    CHECK_FALSE(parse_service("[]").has_value());
    CHECK_FALSE(parse_service(R"({"Spec":{"Name":"x"}})").has_value());
    auto odd = parse_service(R"({"ID":"s5","Spec":{"Name":7,"TaskTemplate":"x"}})");
    REQUIRE(odd.has_value());
    CHECK(odd->name.empty());
    CHECK_FALSE(odd->has_healthcheck);
}

TEST_CASE("container inspect reads the health status when there is a healthcheck", "[docker]") {
    auto unhealthy = parse_container(fixture("container_web_unhealthy.json"));
    REQUIRE(unhealthy.has_value());
    CHECK(unhealthy->state.health_status == "unhealthy");
    CHECK(unhealthy->labels.at("com.docker.swarm.service.name") == "web");
    auto plain = parse_container(fixture("container_float.json"));
    REQUIRE(plain.has_value());
    CHECK(plain->state.health_status.empty());
    auto odd = parse_container(R"({"Id":"x","State":{"Health":{"Status":1}}})");
    REQUIRE(odd.has_value());
    CHECK(odd->state.health_status.empty());
}
