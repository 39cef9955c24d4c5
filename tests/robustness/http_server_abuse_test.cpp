// Abuse from one address must not lock other clients out: the per-client connection limit, and
// eviction of the stalest connection at the global cap. Loopback only: 127.0.0.1 abuses, and
// 127.0.0.2 (loopback answers all of 127/8) is the client that must still be served.

#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "live_server.hpp"
#include "roles/buoy/buoy_config.hpp"

using namespace ks;
using namespace std::chrono_literals;
using test::answers_health;
using test::LiveServer;
using test::RawClient;

namespace {

constexpr const char* kAttacker = "127.0.0.1";
constexpr const char* kBystander = "127.0.0.2";
/// The bound: a bystander's /health is answered within a second, attack or not.
constexpr int kAnswerWithinMs = 1000;

/// `count` connections from kAttacker that each sent half a request line (slowloris).
std::vector<std::unique_ptr<RawClient>> slowloris(unsigned short port, int count) {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < count; ++i) {
        clients.push_back(std::make_unique<RawClient>(port, 5000, kAttacker));
        clients.back()->send("GET /heal");
    }
    return clients;
}

std::size_t closed_by_server(std::vector<std::unique_ptr<RawClient>>& clients) {
    std::size_t closed = 0;
    for (auto& client : clients) closed += client->closed_now() ? 1 : 0;
    return closed;
}

/// Raises the descriptor limit to at least `wanted`; false when the hard limit is lower.
bool raise_descriptor_limit(rlim_t wanted) {
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0) return false;
    if (files.rlim_cur >= wanted) return true;
    if (files.rlim_max < wanted) return false;
    files.rlim_cur = wanted;
    return ::setrlimit(RLIMIT_NOFILE, &files) == 0;
}

}  // namespace

TEST_CASE("a client over its connection limit is refused; another address is served",
          "[http][server][abuse]") {
    http::ServerLimits limits;
    limits.max_connections_per_client = 4;
    LiveServer server(limits);
    auto attack = slowloris(server.port(), 10);
    CHECK(answers_health(server.port(), kBystander, kAnswerWithinMs));
    std::this_thread::sleep_for(100ms);  // let the closes of the refused ones arrive
    CHECK(closed_by_server(attack) == 6);
    CHECK(server.counters().connections_refused == 6);
    CHECK(server.connection_count() == 4);
    // A closed connection gives its slot back.
    attack.pop_back();
    attack.front().reset();
    std::this_thread::sleep_for(100ms);
    CHECK(answers_health(server.port(), kAttacker, kAnswerWithinMs));
}

TEST_CASE("at the cap, stalled connections are evicted for new ones", "[http][server][abuse]") {
    http::ServerLimits limits;
    limits.max_connections = 16;
    limits.max_connections_per_client = 0;
    limits.header_timeout = 60s;  // only eviction may close them here
    LiveServer server(limits);
    RawClient kept_alive(server.port(), 5000, kBystander);
    REQUIRE(kept_alive.send(test::kHealthRequest));
    REQUIRE(kept_alive.read_response().starts_with("HTTP/1.1 200"));
    auto attack = slowloris(server.port(), 64);
    for (int i = 0; i < 5; ++i) CHECK(answers_health(server.port(), kBystander, kAnswerWithinMs));
    CHECK(server.connection_count() <= limits.max_connections);
    CHECK(server.counters().connections_evicted >= 64 + 1 - limits.max_connections);
    std::this_thread::sleep_for(100ms);
    CHECK(closed_by_server(attack) >= 64 - limits.max_connections);
    // The keep-alive client that completed a request before the attack went longest without
    // one, so it was evicted first.
    CHECK(kept_alive.closed_now());
}

namespace {

/// With the buoy's default limits, `count` connections from kAttacker, each having sent
/// `first_bytes`, do not keep /health from kBystander from answering within the bound.
void bystander_is_served_during(std::string_view first_bytes, int count) {
    if (!raise_descriptor_limit(static_cast<rlim_t>(2 * count + 300))) {
        WARN("skipped: RLIMIT_NOFILE's hard limit is too low for " << count << " connections");
        return;
    }
    const auto limits = roles::buoy::server_limits(roles::buoy::BuoyConfig{});
    LiveServer server(limits);
    std::vector<std::unique_ptr<RawClient>> attack;
    for (int i = 0; i < count; ++i) {
        attack.push_back(std::make_unique<RawClient>(server.port(), 5000, kAttacker));
        attack.back()->send(first_bytes);
    }
    for (int i = 0; i < 10; ++i) {
        CHECK(answers_health(server.port(), kBystander, kAnswerWithinMs));
    }
    CHECK(server.connection_count() <= limits.max_connections_per_client + 1);
    CHECK(server.counters().connections_refused >=
          static_cast<std::uint64_t>(count) - limits.max_connections_per_client);
}

}  // namespace

TEST_CASE("2,000 slowloris connections from one address do not lock out another",
          "[http][server][abuse]") {
    bystander_is_served_during("GET /heal", 2000);
}

TEST_CASE("2,000 idle keep-alive connections from one address do not lock out another",
          "[http][server][abuse]") {
    bystander_is_served_during(test::kHealthRequest, 2000);
}
