#include <catch2/catch.hpp>

#include "roles/anchor/anchor_config.hpp"
#include "roles/anchor/decisions.hpp"
#include "roles/anchor/service_tracking.hpp"

using namespace ks;
using namespace ks::roles::anchor;

namespace {

config::Parsed<AnchorConfig> parse_anchor(std::vector<std::string> args,
                                          std::map<std::string, std::string> env = {}) {
    auto lookup = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
    };
    std::vector<std::string> all = {"--vip", "10.0.0.100/24"};
    all.insert(all.end(), args.begin(), args.end());
    auto command_line = config::parse_command_line(anchor_role_description().specs, all, lookup);
    return parse_anchor_config(command_line);
}

ServiceObservation existing(bool has_healthcheck, std::vector<TrackedTask> tasks) {
    ServiceObservation observed;
    observed.exists = true;
    observed.has_healthcheck = has_healthcheck;
    observed.tasks = std::move(tasks);
    return observed;
}

const std::string kTask = "3f2a1b2c3d4e5f6a7b8c9d0e1";

}  // namespace

TEST_CASE("track-service is a list, from flags or the environment", "[anchor][config]") {
    CHECK(parse_anchor({}).config.track_services.empty());
    auto flags = parse_anchor({"--track-service", "traefik_traefik", "--track-service", "web.v2"});
    REQUIRE(flags.problems.empty());
    CHECK(flags.config.track_services == std::vector<std::string>{"traefik_traefik", "web.v2"});
    auto env = parse_anchor({}, {{"KEEPALIVED_TRACK_SERVICE", "traefik_traefik, api-1 db"}});
    REQUIRE(env.problems.empty());
    CHECK(env.config.track_services == std::vector<std::string>{"traefik_traefik", "api-1", "db"});
}

TEST_CASE("track-service names must be swarm service names, each once", "[anchor][config]") {
    const std::vector<std::string> bad_names = {"web/1", "web:latest", "wéb", std::string(64, 'a')};
    for (const auto& bad : bad_names) {
        INFO(bad);
        auto parsed = parse_anchor({"--track-service", bad});
        REQUIRE(parsed.problems.size() == 1);
        CHECK(parsed.problems[0].option == "--track-service (KEEPALIVED_TRACK_SERVICE)");
        CHECK(parsed.problems[0].value == bad);
    }
    CHECK(parse_anchor({"--track-service", std::string(63, 'a')}).problems.empty());
    auto twice = parse_anchor({"--track-service", "web,web"});
    REQUIRE(twice.problems.size() == 1);
    CHECK(twice.problems[0].allowed == "each service once");
}

TEST_CASE("a tracked service without a healthcheck is up while a task runs here", "[anchor]") {
    CHECK(service_health("web", existing(false, {{kTask, "running", ""}})) ==
          ServiceHealth{true, "task 3f2a1b2c3d4e running"});
    CHECK(service_health("web", existing(false, {})) ==
          ServiceHealth{false, "no task of web on this node"});
    CHECK(service_health("web", existing(false, {{kTask, "preparing", ""}})) ==
          ServiceHealth{false, "task 3f2a1b2c3d4e preparing"});
    CHECK(service_health("web", existing(false, {{kTask, "exited", ""}})) ==
          ServiceHealth{false, "task 3f2a1b2c3d4e exited"});
    CHECK(service_health("web", existing(false, {{kTask, "", ""}})) ==
          ServiceHealth{false, "task 3f2a1b2c3d4e in an unknown state"});
}

TEST_CASE("a tracked service with a healthcheck is up only while healthy", "[anchor]") {
    CHECK(service_health("web", existing(true, {{kTask, "running", "healthy"}})) ==
          ServiceHealth{true, "task 3f2a1b2c3d4e running, healthy"});
    CHECK(service_health("web", existing(true, {{kTask, "running", "unhealthy"}})) ==
          ServiceHealth{false, "task 3f2a1b2c3d4e running, health: unhealthy"});
    CHECK(service_health("web", existing(true, {{kTask, "running", "starting"}})) ==
          ServiceHealth{false, "task 3f2a1b2c3d4e running, health: starting"});
    // Declared but not (yet) reported by the container: not known to be healthy.
    CHECK(service_health("web", existing(true, {{kTask, "running", ""}})) ==
          ServiceHealth{false, "task 3f2a1b2c3d4e running, health: unknown"});
    // A healthcheck from the image counts too, when the container reports one.
    CHECK(service_health("web", existing(false, {{kTask, "running", "unhealthy"}})) ==
          ServiceHealth{false, "task 3f2a1b2c3d4e running, health: unhealthy"});
    CHECK(service_health("web", existing(false, {{kTask, "running", "none"}})).up);
}

TEST_CASE("one fit task of several is enough; else the most advanced one says why", "[anchor]") {
    const std::vector<TrackedTask> tasks = {{"aaaaaaaaaaaaaaaa", "preparing", ""},
                                            {"bbbbbbbbbbbbbbbb", "running", "starting"},
                                            {"cccccccccccccccc", "running", "healthy"}};
    CHECK(service_health("web", existing(true, tasks)) ==
          ServiceHealth{true, "task cccccccccccc running, healthy"});
    const std::vector<TrackedTask> down = {tasks[0], tasks[1]};
    CHECK(service_health("web", existing(true, down)) ==
          ServiceHealth{false, "task bbbbbbbbbbbb running, health: starting"});
}

TEST_CASE("a missing service or no swarm is down, with the reason", "[anchor]") {
    CHECK(service_health("traefik_traefik", ServiceObservation{}) ==
          ServiceHealth{false, "service traefik_traefik does not exist"});
    ServiceObservation outside = existing(false, {{kTask, "running", ""}});
    outside.in_swarm = false;
    CHECK(service_health("traefik_traefik", outside) == ServiceHealth{false, "not in a swarm"});
}

TEST_CASE("a task on its way to running, or to its first health result, is settling", "[anchor]") {
    for (const char* state :
         {"new", "pending", "assigned", "accepted", "preparing", "ready", "starting"}) {
        INFO(state);
        CHECK(service_settling(existing(true, {{kTask, state, ""}})));
    }
    CHECK(service_settling(existing(true, {{kTask, "running", "starting"}})));
    CHECK_FALSE(service_settling(existing(true, {{kTask, "running", "healthy"}})));
    CHECK_FALSE(service_settling(existing(true, {{kTask, "running", "unhealthy"}})));
    CHECK_FALSE(service_settling(existing(false, {{kTask, "running", ""}})));
    CHECK_FALSE(service_settling(existing(false, {{kTask, "failed", ""}})));
    CHECK_FALSE(service_settling(existing(false, {})));
    CHECK_FALSE(service_settling(ServiceObservation{}));
    CHECK(service_settling(
        existing(true, {{kTask, "running", "healthy"}, {"other", "preparing", ""}})));
}

TEST_CASE("tracking listens to container and service events in one stream", "[anchor]") {
    const auto filters = ServiceTracking::events_filter();
    CHECK(filters.at("type") == std::vector<std::string>{"container", "service"});
    const auto& events = filters.at("event");
    for (const char* action : {"start", "die", "health_status", "destroy", "update", "remove"}) {
        CHECK(std::find(events.begin(), events.end(), action) != events.end());
    }
    // No label filter: it would drop the service events, which carry none.
    CHECK_FALSE(filters.contains("label"));
}
