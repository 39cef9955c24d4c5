#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include "roles/buoy/buoy_config.hpp"
#include "roles/buoy/buoy_routes.hpp"
#include "roles/buoy/ui_page.hpp"
#include "roles/check/probe_config.hpp"

using namespace ks;
using namespace std::chrono_literals;
using roles::buoy::BuoyState;
namespace json = boost::json;

namespace {

status::FloatStatus master_status() {
    status::FloatStatus status;
    status.version = "0.1.0";
    status.node = "node1";
    status.started_at = "2026-01-01T00:00:00.000Z";
    status.tether = "connected";
    status::InstanceStatus instance;
    instance.name = "VI_77";
    instance.interface = "eth0";
    instance.vrid = 77;
    instance.state = "MASTER";
    instance.priority = 150;
    instance.effective_priority = 150;
    instance.vips = {"10.0.0.100/24"};
    instance.master = "10.0.0.1";
    instance.transitions = {{"2026-01-01T00:00:01.000Z", "BACKUP", "MASTER", "master down"}};
    instance.transitions_total = 2;
    status.instances.push_back(instance);
    return status;
}

std::string status_body(const status::FloatStatus& status) {
    return json::serialize(status::to_json(status));
}

/// A buoy 1 h 2 min 5 s after start, on node1 in container abc123.
BuoyState sample_state() {
    BuoyState state;
    state.node_hostname = "node1";
    state.container_id = "abc123";
    state.version = "0.1.0";
    state.float_socket = "/run/keepalived-swarm/float.sock";
    const auto start = std::chrono::steady_clock::time_point{} + 100s;
    state.started = start;
    state.now = [start] { return start + 1h + 2min + 5s; };
    return state;
}

http::ServerResponse get(const BuoyState& state, const std::string& target) {
    return roles::buoy::make_router(state).handle(
        http::ServerRequest{http::Method::get, target, 11});
}

config::EnvironmentLookup fake_environment(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("buoy: GET / answers the original buoy's three fields in its order", "[buoy]") {
    const auto state = sample_state();
    const auto response = get(state, "/");
    CHECK(response.result() == http::Status::ok);
    CHECK(response.body() ==
          R"({"hostname":"node1","containerId":"abc123","containerUptime":"01:02:05"})");
    CHECK(response[boost::beast::http::field::content_type].starts_with("application/json"));
}

TEST_CASE("buoy: GET /health answers Ok", "[buoy]") {
    const auto response = get(sample_state(), "/health");
    CHECK(response.result() == http::Status::ok);
    CHECK(response.body() == "Ok");
}

TEST_CASE("buoy: /status says unreachable with 200 when the float does not answer", "[buoy]") {
    auto state = sample_state();
    roles::buoy::record_float_failure(state.float_view, "connection refused; start the float",
                                      std::chrono::system_clock::time_point{} + 1s);
    const auto response = get(state, "/status");
    CHECK(response.result() == http::Status::ok);
    const auto document = json::parse(response.body()).as_object();
    CHECK(document.at("float") == "unreachable");
    CHECK(document.at("floatError") == "connection refused; start the float");
    CHECK(document.at("floatCheckedAt") == "1970-01-01T00:00:01.000Z");
    CHECK(document.at("buoy").at("hostname") == "node1");
    CHECK(document.at("buoy").at("containerUptime") == "01:02:05");
}

TEST_CASE("buoy: /status carries the float's document as the float wrote it", "[buoy]") {
    auto state = sample_state();
    roles::buoy::record_float_answer(state.float_view, 200, status_body(master_status()),
                                     std::chrono::system_clock::now());
    REQUIRE(state.float_view.reachable());
    const auto document = json::parse(get(state, "/status").body()).as_object();
    CHECK_FALSE(document.contains("floatError"));
    const auto parsed = status::float_status_from_json(document.at("float"));
    REQUIRE(parsed.has_value());
    CHECK(status::to_json(*parsed) == status::to_json(master_status()));
}

TEST_CASE("buoy: a float answer that is not a status makes it unreachable, saying why", "[buoy]") {
    auto state = sample_state();
    const auto now = std::chrono::system_clock::now();
    roles::buoy::record_float_answer(state.float_view, 200, status_body(master_status()), now);
    roles::buoy::record_float_answer(state.float_view, 500, "oops", now);
    CHECK_FALSE(state.float_view.reachable());
    CHECK(state.float_view.error.find("HTTP 500") != std::string::npos);
    roles::buoy::record_float_answer(state.float_view, 200, "{not json", now);
    CHECK_FALSE(state.float_view.reachable());
    CHECK(state.float_view.error.find("not valid") != std::string::npos);
    roles::buoy::record_float_answer(state.float_view, 200, R"({"instances": 5})", now);
    CHECK_FALSE(state.float_view.reachable());
    CHECK(state.float_view.failures == 3);
    CHECK(state.float_view.fetches == 4);
}

TEST_CASE("buoy: /metrics re-exports the float's metrics with the node label", "[buoy]") {
    auto state = sample_state();
    roles::buoy::record_float_answer(state.float_view, 200, status_body(master_status()),
                                     std::chrono::system_clock::now());
    const auto response = get(state, "/metrics");
    CHECK(
        response[boost::beast::http::field::content_type].starts_with("text/plain; version=0.0.4"));
    const auto& text = response.body();
    CHECK_THAT(text,
               Catch::Contains("keepalived_swarm_vrrp_state{node=\"node1\",instance=\"VI_77\","
                               "interface=\"eth0\",vrid=\"77\",state=\"MASTER\"} 1\n"));
    CHECK_THAT(text, Catch::Contains("keepalived_swarm_buoy_float_reachable{node=\"node1\"} 1\n"));
    CHECK_THAT(text,
               Catch::Contains("keepalived_swarm_buoy_uptime_seconds{node=\"node1\"} 3725\n"));
}

TEST_CASE("buoy: the float's metrics are rendered once per change of its status", "[buoy]") {
    auto state = sample_state();
    const auto now = std::chrono::system_clock::now();
    roles::buoy::record_float_answer(state.float_view, 200, status_body(master_status()), now);
    const auto* first = roles::buoy::float_metrics_text(state).data();
    const auto generation = state.float_view.generation;
    // The same document again: not parsed, not rendered again.
    roles::buoy::record_float_answer(state.float_view, 200, status_body(master_status()), now);
    CHECK(state.float_view.generation == generation);
    CHECK(roles::buoy::float_metrics_text(state).data() == first);
    CHECK(state.float_view.fetches == 2);

    auto changed = master_status();
    changed.instances.front().adverts_sent += 1;
    roles::buoy::record_float_answer(state.float_view, 200, status_body(changed), now);
    CHECK(state.float_view.generation != generation);
    CHECK_THAT(roles::buoy::float_metrics_text(state),
               Catch::Contains("keepalived_swarm_vrrp_adverts_sent_total{node=\"node1\"") &&
                   Catch::Contains(std::to_string(changed.instances.front().adverts_sent) + "\n"));
    roles::buoy::record_float_failure(state.float_view, "gone", now);
    CHECK(roles::buoy::float_metrics_text(state).empty());
}

TEST_CASE("buoy: an oversized float status is relayed on /metrics within bounds", "[buoy]") {
    auto state = sample_state();
    auto huge = master_status();
    huge.instances.front().name = std::string(10 * 1024, 'n');
    for (int i = 0; i < 2000; ++i) {
        huge.instances.front().adverts_dropped["reason_" + std::to_string(i)] = 1;
    }
    roles::buoy::record_float_answer(state.float_view, 200, status_body(huge),
                                     std::chrono::system_clock::now());
    const auto text = get(state, "/metrics").body();
    CHECK(text.size() < status::PrometheusBounds{}.max_document_bytes + 64 * 1024);
    CHECK(state.float_metrics.cuts.label_values_shortened > 0);
    CHECK(state.float_metrics.cuts.series_dropped == 2000 - 1024);
    CHECK_THAT(text, Catch::Contains("keepalived_swarm_buoy_float_metrics_cut{node=\"node1\","
                                     "what=\"series_dropped\"} 976\n"));
}

TEST_CASE("buoy: /metrics without a float has the buoy's metrics only", "[buoy]") {
    const auto text = get(sample_state(), "/metrics").body();
    CHECK_THAT(text, !Catch::Contains("keepalived_swarm_vrrp_state"));
    CHECK_THAT(text, Catch::Contains("keepalived_swarm_buoy_float_reachable{node=\"node1\"} 0\n"));
}

TEST_CASE("buoy: /ui is one page with no external assets that polls /cluster and /status",
          "[buoy]") {
    const auto response = get(sample_state(), "/ui");
    CHECK(response[boost::beast::http::field::content_type] == "text/html; charset=utf-8");
    const std::string page(roles::buoy::ui_page());
    CHECK(response.body() == page);
    CHECK_THAT(page, Catch::StartsWith("<!doctype html>"));
    CHECK_THAT(page, Catch::Contains("getJson(\"cluster\")"));
    CHECK_THAT(page, Catch::Contains("getJson(\"status\")"));
    for (const char* external : {"http://", "https://", "src=", "href=", "@import", "url("}) {
        INFO(external);
        CHECK_THAT(page, !Catch::Contains(external));
    }
    CHECK_THAT(page, !Catch::Contains("innerHTML"));
}

TEST_CASE("buoy: options default to the original's port and the float's socket", "[buoy]") {
    auto command_line = config::parse_command_line(roles::buoy::buoy_role_description().specs, {},
                                                   fake_environment({}));
    auto parsed = roles::buoy::parse_buoy_config(command_line);
    REQUIRE(parsed.problems.empty());
    CHECK(parsed.config.listen.port() == 3000);
    CHECK(parsed.config.listen.address().to_string() == "0.0.0.0");
    CHECK(parsed.config.float_socket == "/run/keepalived-swarm/float.sock");
    CHECK(parsed.config.node_hostname.empty());
    CHECK(parsed.config.idle_timeout == 30s);
    CHECK(parsed.config.max_connections == 4096);
    CHECK(parsed.config.max_connections_per_client == 32);
}

TEST_CASE("buoy: the per-client connection limit comes from its flag or variable", "[buoy]") {
    auto from_environment = roles::buoy::parse_buoy_config(
        config::parse_command_line(roles::buoy::buoy_role_description().specs, {},
                                   fake_environment({{"BUOY_MAX_CONNECTIONS_PER_CLIENT", "0"}})));
    REQUIRE(from_environment.problems.empty());
    CHECK(from_environment.config.max_connections_per_client == 0);
    auto from_flag = roles::buoy::parse_buoy_config(config::parse_command_line(
        roles::buoy::buoy_role_description().specs, {"--max-connections-per-client", "8"},
        fake_environment({{"BUOY_MAX_CONNECTIONS_PER_CLIENT", "0"}})));
    REQUIRE(from_flag.problems.empty());
    CHECK(from_flag.config.max_connections_per_client == 8);
    CHECK(roles::buoy::server_limits(from_flag.config).max_connections_per_client == 8);
}

TEST_CASE("buoy: a float socket path longer than a unix socket allows is refused", "[buoy]") {
    const std::string longest = "/" + std::string(106, 's');
    auto fits = roles::buoy::parse_buoy_config(
        config::parse_command_line(roles::buoy::buoy_role_description().specs,
                                   {"--float-socket", longest}, fake_environment({})));
    CHECK(fits.problems.empty());
    auto too_long = roles::buoy::parse_buoy_config(
        config::parse_command_line(roles::buoy::buoy_role_description().specs,
                                   {"--float-socket", longest + "s"}, fake_environment({})));
    REQUIRE(too_long.problems.size() == 1);
    CHECK(too_long.problems[0].option == "--float-socket (BUOY_FLOAT_SOCKET)");
    CHECK(too_long.problems[0].message().find("at most 107 bytes") != std::string::npos);
}

TEST_CASE("buoy: options come from the environment, flags win", "[buoy]") {
    auto command_line = config::parse_command_line(
        roles::buoy::buoy_role_description().specs, {"--listen", "[::1]:8082"},
        fake_environment({{"BUOY_LISTEN", "127.0.0.1:1"},
                          {"BUOY_FLOAT_SOCKET", "/tmp/f.sock"},
                          {"DOCKER_NODE_HOSTNAME", "manager-1"},
                          {"BUOY_REQUEST_TIMEOUT", "2s"}}));
    auto parsed = roles::buoy::parse_buoy_config(command_line);
    REQUIRE(parsed.problems.empty());
    CHECK(parsed.config.listen.address().to_string() == "::1");
    CHECK(parsed.config.listen.port() == 8082);
    CHECK(parsed.config.float_socket == "/tmp/f.sock");
    CHECK(parsed.config.node_hostname == "manager-1");
    CHECK(parsed.config.request_timeout == 2s);
}

TEST_CASE("buoy: every bad option is reported at once, naming flag and variable", "[buoy]") {
    auto command_line = config::parse_command_line(
        roles::buoy::buoy_role_description().specs, {"--listen", "3000", "--max-connections", "0"},
        fake_environment({{"BUOY_FLOAT_SOCKET", "float.sock"}}));
    auto parsed = roles::buoy::parse_buoy_config(command_line);
    REQUIRE(parsed.problems.size() == 3);
    CHECK(parsed.problems[0].message().find("--listen (BUOY_LISTEN) '3000'") != std::string::npos);
    CHECK(parsed.problems[1].option == "--float-socket (BUOY_FLOAT_SOCKET)");
    CHECK(parsed.problems[2].option == "--max-connections (BUOY_MAX_CONNECTIONS)");
}

TEST_CASE("buoy: listen addresses need an IP and a port, IPv6 in brackets", "[buoy]") {
    CHECK(roles::buoy::parse_tcp_endpoint("0.0.0.0:3000")->port() == 3000);
    CHECK(roles::buoy::parse_tcp_endpoint("127.0.0.1:0")->port() == 0);
    CHECK(roles::buoy::parse_tcp_endpoint("[::]:80")->address().is_v6());
    for (const char* bad : {"", "3000", ":3000", "0.0.0.0:", "0.0.0.0:65536", "0.0.0.0:-1",
                            "0.0.0.0:+1", "::1:80", "[10.0.0.1]:80", "host:80", "1.2.3:80"}) {
        INFO(bad);
        CHECK_FALSE(roles::buoy::parse_tcp_endpoint(bad));
    }
}

TEST_CASE("buoy: probe takes one URL and a timeout", "[buoy]") {
    const auto specs = roles::check::probe_role_description().specs;
    auto parsed = roles::check::parse_probe_config(
        config::parse_command_line(specs, {"http://127.0.0.1:3000/health", "--timeout", "500ms"},
                                   fake_environment({}), {}, 1));
    REQUIRE(parsed.problems.empty());
    CHECK(parsed.config.endpoint.port == "3000");
    CHECK(parsed.config.endpoint.target == "/health");
    CHECK(parsed.config.timeout == 500ms);

    auto missing = roles::check::parse_probe_config(
        config::parse_command_line(specs, {}, fake_environment({}), {}, 1));
    REQUIRE(missing.problems.size() == 1);
    CHECK(missing.problems[0].message().find("URL") != std::string::npos);

    auto bad = roles::check::parse_probe_config(config::parse_command_line(
        specs, {"ftp://x/", "--timeout", "soon"}, fake_environment({}), {}, 1));
    CHECK(bad.problems.size() == 2);
}
