// The Docker client against a scripted fake daemon, for what a real engine will not readily do:
// 500s, error objects inside a pull stream, 1.52-shaped events, broken streams, slow answers.
#include <catch2/catch.hpp>

#include "keepalived_swarm/docker/client.hpp"
#include "support/scripted_server.hpp"

using namespace ks;
using namespace std::chrono_literals;
using boost::asio::awaitable;
using test::Reply;

namespace {

docker::Client make_client(boost::asio::io_context& io, const test::ScriptedServer& server) {
    return docker::Client(io.get_executor(), http::parse_endpoint(server.path()).value());
}

Reply json_reply(unsigned status, const std::string& body, const std::string& headers = "") {
    return Reply{{test::response_bytes(status, body, headers)}};
}

/// A daemon that reads every request and never answers.
Reply no_answer(const test::ReceivedRequest&) {
    Reply reply;
    reply.hang = true;
    return reply;
}

}  // namespace

TEST_CASE("negotiation uses /_ping and /version and prefixes later calls", "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest& request) {
        if (request.line() == "GET /_ping") return json_reply(200, "OK", "Api-Version: 1.52\r\n");
        if (request.line() == "GET /version") {
            return json_reply(200,
                              R"({"Version":"29.0.0","ApiVersion":"1.52","MinAPIVersion":"1.44"})");
        }
        if (request.line() == "GET /v1.52/info") {
            return json_reply(200,
                              R"({"Name":"n1","Swarm":{"NodeID":"abc","ControlAvailable":true}})");
        }
        return json_reply(404, R"({"message":"page not found"})");
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        auto version = co_await client.negotiate();
        REQUIRE(version.has_value());
        CHECK(*version == docker::ApiVersion{1, 52});
        auto info = co_await client.info();
        REQUIRE(info.has_value());
        CHECK(info->swarm.node_id == "abc");
    });
}

TEST_CASE("an engine older than 1.41 is refused with a clear message", "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest& request) {
        if (request.line() == "GET /_ping") return json_reply(200, "OK", "Api-Version: 1.40\r\n");
        return json_reply(200, R"({"Version":"19.03","ApiVersion":"1.40","MinAPIVersion":"1.12"})");
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        auto version = co_await client.negotiate();
        REQUIRE_FALSE(version.has_value());
        CHECK(version.error().kind == docker::ErrorKind::unsupported);
        CHECK(version.error().message.find("20.10") != std::string::npos);
    });
}

TEST_CASE("HTTP errors carry the status and the daemon's message", "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest& request) {
        if (request.line().starts_with("POST /v1.41/containers/create")) {
            return json_reply(500, R"({"message":"driver failed programming"})");
        }
        if (request.line().starts_with("GET /v1.41/images/")) {
            return json_reply(404, R"({"message":"No such image: x:1"})");
        }
        if (request.line().starts_with("GET /v1.41/containers/gone")) {
            return json_reply(404, R"({"message":"No such container: gone"})");
        }
        if (request.line().starts_with("DELETE /v1.41/containers/gone")) {
            return json_reply(404, R"({"message":"No such container: gone"})");
        }
        return json_reply(500, "not json at all");
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        // Arguments are named: GCC 12 destroys temporaries inside co_await expressions twice.
        const std::string name = "f";
        const docker::ContainerSpec spec;
        auto created = co_await client.create_container(name, spec);
        REQUIRE_FALSE(created.has_value());
        CHECK(created.error().is_status(500));
        CHECK(created.error().describe().find("driver failed programming") != std::string::npos);
        const std::string image_name = "x:1";
        auto image = co_await client.inspect_image(image_name);
        REQUIRE(image.has_value());
        CHECK_FALSE(image->has_value());
        const std::string gone = "gone";
        auto container = co_await client.inspect_container(gone);
        REQUIRE(container.has_value());
        CHECK_FALSE(container->has_value());
        auto removed = co_await client.remove_container(gone, true);
        CHECK(removed.has_value());
        auto info = co_await client.info();
        REQUIRE_FALSE(info.has_value());
        CHECK(info.error().message.find("not json at all") != std::string::npos);
    });
    REQUIRE(server.requests().size() >= 1);
    CHECK(server.requests()[0].line() == "POST /v1.41/containers/create?name=f");
}

TEST_CASE("an error object inside a 200 pull stream fails the pull", "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest& request) {
        if (request.line().find("fromImage=good") != std::string::npos) {
            return Reply{
                {test::chunked_head(),
                 test::chunk_bytes("{\"status\":\"Pulling from library/good\",\"id\":\"1\"}\r\n"),
                 test::chunk_bytes("{\"status\":\"Downloading\",\"progress\":\"[=>\"}\r\n"
                                   "{\"status\":\"Status: Downloaded newer image\"}\r\n"),
                 "0\r\n\r\n"}};
        }
        return Reply{{test::chunked_head(),
                      test::chunk_bytes("{\"status\":\"Pulling from library/bad\"}\r\n"),
                      test::chunk_bytes("{\"errorDetail\":{\"message\":\"manifest unknown\"},"
                                        "\"error\":\"manifest unknown\"}\r\n"),
                      "0\r\n\r\n"}};
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        std::vector<std::string> statuses;
        auto good = co_await client.pull_image(
            "good", [&](const docker::PullProgress& p) { statuses.push_back(p.status); });
        REQUIRE(good.has_value());
        CHECK(statuses.size() == 3);
        const std::string bad_image = "registry.local:5000/bad:2";
        auto bad = co_await client.pull_image(bad_image, nullptr);
        REQUIRE_FALSE(bad.has_value());
        CHECK(bad.error().kind == docker::ErrorKind::stream);
        CHECK(bad.error().message.find("manifest unknown") != std::string::npos);
    });
    CHECK(server.requests()[0].line() == "POST /v1.41/images/create?fromImage=good&tag=latest");
    CHECK(server.requests()[1].line() ==
          "POST /v1.41/images/create?fromImage=registry.local%3A5000%2Fbad&tag=2");
}

TEST_CASE("events of both shapes are delivered, and a broken stream is reported",
          "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest&) {
        Reply reply{
            {test::chunked_head(),
             test::chunk_bytes(
                 R"({"status":"die","id":"a","Type":"container","Action":"die","Actor":{"ID":"a","Attributes":{"name":"f"}},"time":1})"
                 "\n"),
             test::chunk_bytes("garbage line\n"),
             test::chunk_bytes(
                 R"({"Type":"node","Action":"update","Actor":{"ID":"n1","Attributes":{}},"time":2})"
                 "\n")}};
        reply.close_after = true;  // the daemon goes away mid-stream
        return reply;
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        bool subscribed = false;
        std::vector<docker::Event> events;
        // Built outside the co_await: GCC 12 miscompiles braced maps there.
        const docker::Filters filters = {{"type", {"container", "node"}}};
        auto ended = co_await client.watch_events(
            filters, [&] { subscribed = true; },
            [&](const docker::Event& e) { events.push_back(e); });
        CHECK(subscribed);
        REQUIRE(events.size() == 2);
        CHECK(events[0].action == "die");
        CHECK(events[0].attributes.at("name") == "f");
        CHECK(events[1].type == "node");
        REQUIRE_FALSE(ended.has_value());
        CHECK(ended.error().kind == docker::ErrorKind::unreachable);
    });
    CHECK(server.requests()[0].line() ==
          "GET /v1.41/events?filters=%7B%22type%22%3A%5B%22container%22%2C%22node%22%5D%7D");
}

TEST_CASE("a daemon that does not answer in time gives a timeout", "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, no_answer);
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        const std::string id = "x";
        auto waited = co_await client.wait_container(id, 30ms);
        REQUIRE_FALSE(waited.has_value());
        CHECK(waited.error().kind == docker::ErrorKind::timeout);
    });
}

TEST_CASE("a missing socket is unreachable and says what to check", "[docker][socket]") {
    boost::asio::io_context io;
    test::run_coroutine(io, [&]() -> awaitable<void> {
        docker::Client client(io.get_executor(),
                              http::parse_endpoint("unix:///nonexistent/docker.sock").value());
        auto ping = co_await client.ping();
        REQUIRE_FALSE(ping.has_value());
        CHECK(ping.error().kind == docker::ErrorKind::unreachable);
        CHECK(ping.error().message.find("/nonexistent/docker.sock") != std::string::npos);
        CHECK(ping.error().message.find("check --docker-host") != std::string::npos);
    });
}

TEST_CASE("a call without an answer is reported as slow while it still waits", "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, no_answer);
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        std::vector<std::string> slow_calls;
        client.set_slow_call_handler(
            20ms, [&](const std::string& call, std::chrono::milliseconds waited) {
                slow_calls.push_back(call);
                CHECK(waited == 20ms);
            });
        // The deadline ends the call long before its own 10 s timeout.
        client.set_deadline(std::chrono::steady_clock::now() + 200ms);
        const auto started = std::chrono::steady_clock::now();
        auto info = co_await client.info();
        REQUIRE_FALSE(info.has_value());
        CHECK(info.error().kind == docker::ErrorKind::timeout);
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        REQUIRE(slow_calls.size() == 1);
        CHECK(slow_calls[0] == "GET /v1.41/info");
    });
}

TEST_CASE("once a client's deadline has passed, its calls fail without being sent",
          "[docker][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(
        io, [](const test::ReceivedRequest&) { return json_reply(200, R"({"Id":"abc"})"); });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        auto client = make_client(io, server);
        client.set_deadline(std::chrono::steady_clock::now());
        const docker::Filters filters = {{"label", {"x=y"}}};
        auto listed = co_await client.list_containers(filters);
        REQUIRE_FALSE(listed.has_value());
        CHECK(listed.error().kind == docker::ErrorKind::timeout);
        CHECK(listed.error().message.find("GET /v1.41/containers/json") != std::string::npos);
    });
    CHECK(server.requests().empty());
}
