// The float's health checks: fall and rise turn results into a tracker, track_file's numbers,
// the options that configure them, and the checks run for real against loopback servers.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "keepalived_swarm/config/float_config.hpp"
#include "keepalived_swarm/vrrp/health.hpp"
#include "roles/float/health_checks.hpp"

using namespace ks;
using namespace std::chrono_literals;

TEST_CASE("health: fall failures in a row take a check down, rise successes bring it up",
          "[float][health]") {
    vrrp::HealthHistory history({3, 2, std::nullopt});
    CHECK(history.tracker().up);  // up until proven down, as keepalived
    CHECK_FALSE(history.record(false, "HTTP 503"));
    CHECK_FALSE(history.record(true, "HTTP 200"));  // a success breaks the run of failures
    CHECK_FALSE(history.record(false, "HTTP 503"));
    CHECK_FALSE(history.record(false, "timeout"));
    CHECK(history.failures_in_a_row() == 2);
    CHECK(history.record(false, "timeout"));
    CHECK(history.tracker() == vrrp::Tracker{false, std::nullopt, "timeout"});
    CHECK_FALSE(history.record(false, "timeout"));
    CHECK_FALSE(history.record(true, "HTTP 200"));
    CHECK(history.successes_in_a_row() == 1);
    CHECK(history.record(true, "HTTP 200"));
    CHECK(history.tracker().up);
    CHECK(history.tracker().reason == "HTTP 200");

    vrrp::HealthHistory weighted({1, 1, -20});
    weighted.record(false, "refused");
    CHECK(weighted.tracker() == vrrp::Tracker{false, -20, "refused"});
}

TEST_CASE("health: a track_file's number is its tracker, as keepalived reads it",
          "[float][health]") {
    using roles::float_role::file_tracker;
    CHECK(file_tracker("0\n", std::nullopt) == vrrp::Tracker{true, std::nullopt, "0"});
    CHECK(file_tracker(" -30 ", std::nullopt) == vrrp::Tracker{false, -30, "-30"});
    CHECK(file_tracker("+15", std::nullopt) == vrrp::Tracker{false, 15, "15"});
    CHECK(file_tracker(std::nullopt, std::nullopt) ==
          vrrp::Tracker{false, std::nullopt, "missing or unreadable"});
    CHECK(file_tracker("up", -10).up == false);
    CHECK(file_tracker("up", -10).weight == -10);
    CHECK(file_tracker("999", std::nullopt).reason == "not a number from -254 to 254");
}

namespace {

config::Parsed<config::FloatConfig> parse_float(std::vector<std::string> args) {
    args.insert(args.begin(), {"--interface", "eth0", "--vip", "10.0.0.100/24"});
    auto command_line =
        config::parse_command_line(config::float_role_description().specs, args,
                                   [](const std::string&) { return std::optional<std::string>(); });
    return config::parse_float_config(command_line);
}

}  // namespace

TEST_CASE("health: the track options, their defaults and their refusals", "[float][health]") {
    auto parsed = parse_float({});
    REQUIRE(parsed.problems.empty());
    const auto& defaults = parsed.config.instance.track;
    CHECK(defaults.interval == 1s);
    CHECK(defaults.timeout == 1s);
    CHECK(defaults.fall == 2);
    CHECK(defaults.rise == 2);
    CHECK(defaults.weight == std::nullopt);

    parsed = parse_float({"--track-http", "http://127.0.0.1:8080/health", "--track-tcp",
                          "127.0.0.1:443,[::1]:80", "--track-file", "/run/ok", "--track-weight",
                          "-50", "--track-fall", "3"});
    REQUIRE(parsed.problems.empty());
    const auto& track = parsed.config.instance.track;
    CHECK(track.http == std::vector<std::string>{"http://127.0.0.1:8080/health"});
    CHECK(track.tcp == std::vector<config::TcpTarget>{{"127.0.0.1", "443"}, {"::1", "80"}});
    CHECK(track.files == std::vector<std::string>{"/run/ok"});
    CHECK(track.weight == -50);
    CHECK(track.fall == 3);
    CHECK(roles::float_role::HealthChecks::tracker_names(track) ==
          std::vector<std::string>{"http:http://127.0.0.1:8080/health", "tcp:127.0.0.1:443",
                                   "tcp:[::1]:80", "file:/run/ok"});
    // What the anchor hands the float reads back the same.
    auto environment = config::instance_environment(parsed.config.instance);
    CHECK(std::find(environment.begin(), environment.end(),
                    "KEEPALIVED_TRACK_TCP=127.0.0.1:443 [::1]:80") != environment.end());

    parsed =
        parse_float({"--track-http", "https://x/", "--track-tcp", "::1:80", "--track-tcp", "host:0",
                     "--track-file", "relative", "--track-weight", "heavy", "--track-rise", "0"});
    CHECK(parsed.problems.size() == 6);
}

TEST_CASE("health: checks run for real: an open port is up, a closed one goes down at fall",
          "[float][health][socket]") {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor open_port(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::ip::tcp::acceptor closed(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto closed_port = closed.local_endpoint().port();
    closed.close();
    const auto file = std::filesystem::temp_directory_path() / "ks-health-test-file";
    std::ofstream(file) << "-25\n";

    config::TrackSettings settings;
    settings.tcp = {{"127.0.0.1", std::to_string(open_port.local_endpoint().port())},
                    {"127.0.0.1", std::to_string(closed_port)}};
    settings.http = {"http://127.0.0.1:" + std::to_string(closed_port) + "/health"};
    settings.files = {file.string()};
    settings.interval = 20ms;
    settings.timeout = 100ms;
    std::map<std::string, vrrp::Tracker> latest;
    auto checks = std::make_shared<roles::float_role::HealthChecks>(
        io.get_executor(), settings,
        [&](const std::string& name, const vrrp::Tracker& tracker) { latest[name] = tracker; });
    checks->start();
    io.run_for(300ms);
    checks->stop();
    io.run_for(50ms);
    std::filesystem::remove(file);

    const auto open_name = "tcp:127.0.0.1:" + std::to_string(open_port.local_endpoint().port());
    const auto closed_name = "tcp:127.0.0.1:" + std::to_string(closed_port);
    REQUIRE(latest.size() == 4);
    CHECK(latest[open_name].up);
    CHECK(latest[open_name].reason == "connected");
    CHECK_FALSE(latest[closed_name].up);
    CHECK(latest[closed_name].reason.find("connect:") == 0);
    CHECK_FALSE(latest["http:" + settings.http[0]].up);
    CHECK(latest["file:" + file.string()] == vrrp::Tracker{false, -25, "-25"});
}
