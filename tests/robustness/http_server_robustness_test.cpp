// The HTTP server under abuse, over loopback: it answers or closes cleanly, keeps serving, and
// keeps its connection count bounded. Run under ASan+UBSan too (label sanitize).

#include <sys/stat.h>
#include <sys/un.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "live_server.hpp"

using namespace ks;
using namespace std::chrono_literals;
using test::answers_health;
using test::kHealthRequest;
using test::LiveServer;
using test::RawClient;

namespace {

http::ServerLimits short_limits() {
    http::ServerLimits limits;
    limits.max_header_bytes = 2048;
    limits.max_body_bytes = 1024;
    // Generous except where a test needs a timeout to strike: a loaded machine (or a sanitizer)
    // must not make a well-behaved client look slow.
    limits.idle_timeout = 2s;
    limits.header_timeout = 500ms;
    limits.body_timeout = 500ms;
    limits.write_timeout = 1s;
    limits.max_connections = 16;
    limits.shutdown_timeout = 3s;
    return limits;
}

}  // namespace

TEST_CASE("keep-alive connections answer one request after another", "[http][server]") {
    LiveServer server(short_limits());
    RawClient client(server.port());
    for (int i = 0; i < 5; ++i) {
        REQUIRE(client.send(kHealthRequest));
        const auto response = client.read_response();
        CHECK(response.starts_with("HTTP/1.1 200 OK"));
        CHECK(response.ends_with("\r\n\r\nOk"));
    }
    CHECK(server.counters().requests == 5);
    CHECK(server.counters().connections_accepted == 1);
}

TEST_CASE("pipelined requests are answered in order", "[http][server]") {
    LiveServer server(short_limits());
    RawClient client(server.port());
    REQUIRE(client.send(std::string(kHealthRequest) + "GET /nope HTTP/1.1\r\nHost: buoy\r\n\r\n" +
                        std::string(kHealthRequest)));
    CHECK(client.read_response().starts_with("HTTP/1.1 200 OK"));
    CHECK(client.read_response().starts_with("HTTP/1.1 404 Not Found"));
    CHECK(client.read_response().starts_with("HTTP/1.1 200 OK"));
}

TEST_CASE("malformed requests get 400 or a closed connection, and the server goes on",
          "[http][server]") {
    LiveServer server(short_limits());
    const std::vector<std::string> malformed = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
        "POST /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n",
        std::string("GET /\0 HTTP/1.1\r\n\r\n", 20),
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n",
        " / HTTP/1.1\r\n\r\n",
        "GET  HTTP/1.1\r\n\r\n",
    };
    for (const auto& request : malformed) {
        INFO(request);
        RawClient client(server.port());
        REQUIRE(client.send(request));
        const auto response = client.read_response();
        if (!response.empty()) CHECK(response.starts_with("HTTP/1.1 400 Bad Request"));
        CHECK(client.closed_by_server());
    }
    CHECK(server.counters().bad_requests >= 8);
    CHECK(answers_health(server.port()));
}

TEST_CASE("an oversized header is refused with 431", "[http][server]") {
    LiveServer server(short_limits());
    RawClient client(server.port());
    REQUIRE(client.send("GET / HTTP/1.1\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n"));
    CHECK(client.read_response().starts_with("HTTP/1.1 431 Request Header Fields Too Large"));
    CHECK(client.closed_by_server());
    CHECK(answers_health(server.port()));
}

TEST_CASE("an oversized body is refused with 413 before it is read", "[http][server]") {
    LiveServer server(short_limits());
    RawClient client(server.port());
    REQUIRE(client.send("POST /health HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n"));
    CHECK(client.read_response().starts_with("HTTP/1.1 413 Payload Too Large"));
    CHECK(client.closed_by_server());

    RawClient chunked(server.port());
    std::string chunks = "POST /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) chunks += "200\r\n" + std::string(512, 'b') + "\r\n";
    chunked.send(chunks);
    CHECK(chunked.read_response().starts_with("HTTP/1.1 413 Payload Too Large"));
    CHECK(answers_health(server.port()));
}

TEST_CASE("a slowloris client sending a byte at a time is cut at the header timeout",
          "[http][server]") {
    LiveServer server(short_limits());
    RawClient client(server.port());
    const std::string request = "GET / HTTP/1.1\r\nX-Slow: " + std::string(200, 's') + "\r\n\r\n";
    std::size_t sent = 0;
    bool cut = false;
    // Each byte is within every per-read timeout; only the header deadline can stop it.
    for (; sent < request.size(); ++sent) {
        if (client.closed_now() || !client.send(request.substr(sent, 1))) {
            cut = true;
            break;
        }
        std::this_thread::sleep_for(25ms);
    }
    CHECK(cut);
    CHECK(sent < request.size());
    CHECK(server.counters().timeouts >= 1);
    CHECK(answers_health(server.port()));
}

TEST_CASE("a slow body is cut at the body timeout", "[http][server]") {
    LiveServer server(short_limits());
    RawClient client(server.port());
    REQUIRE(client.send("POST /health HTTP/1.1\r\nContent-Length: 500\r\n\r\n"));
    bool cut = false;
    for (int i = 0; i < 500 && !cut; ++i) {
        cut = client.closed_now() || !client.send("x");
        std::this_thread::sleep_for(25ms);
    }
    CHECK(cut);
}

TEST_CASE("idle keep-alive connections are closed at the idle timeout", "[http][server]") {
    auto limits = short_limits();
    limits.idle_timeout = 400ms;
    LiveServer server(limits);
    RawClient client(server.port());
    REQUIRE(client.send(kHealthRequest));
    REQUIRE(client.read_response().starts_with("HTTP/1.1 200"));
    CHECK(client.closed_by_server());
    CHECK(server.counters().timeouts == 1);
}

TEST_CASE("many idle connections neither exceed the cap nor lock out a new client",
          "[http][server]") {
    auto limits = short_limits();
    limits.idle_timeout = 60s;  // only the cap may close them here
    LiveServer server(limits);
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 64; ++i) {
        idle.push_back(std::make_unique<RawClient>(server.port()));
        REQUIRE(idle.back()->connected());
    }
    for (int i = 0; i < 5; ++i) CHECK(answers_health(server.port()));
    CHECK(server.connection_count() <= limits.max_connections);
    const auto counters = server.counters();
    CHECK(counters.connections_evicted >= 64 - limits.max_connections);
    CHECK(counters.requests == 5);
    std::size_t closed = 0;
    for (auto& client : idle) closed += client->closed_now() ? 1 : 0;
    CHECK(closed >= 64 - limits.max_connections);
}

TEST_CASE("stop() closes idle connections and finishes requests in flight", "[http][server]") {
    auto limits = short_limits();
    limits.idle_timeout = 60s;
    limits.header_timeout = 10s;
    auto server = std::make_unique<LiveServer>(limits);
    const auto port = server->port();
    RawClient idle(port);
    RawClient in_flight(port);
    REQUIRE(idle.send(kHealthRequest));
    REQUIRE(idle.read_response().starts_with("HTTP/1.1 200"));
    REQUIRE(in_flight.send("GET /health HTTP/1.1\r\nHost: bu"));
    std::this_thread::sleep_for(50ms);  // let the server see the first half

    server->begin_stop();
    CHECK(idle.closed_by_server());
    REQUIRE(in_flight.send("oy\r\n\r\n"));
    const auto response = in_flight.read_response();
    CHECK(response.starts_with("HTTP/1.1 200 OK"));
    CHECK_THAT(response, Catch::Contains("Connection: close"));
    CHECK(in_flight.closed_by_server());
    server->wait_stopped();
    CHECK_FALSE(RawClient(port).connected());
}

TEST_CASE("stop() gives up on a request that does not finish within the grace", "[http][server]") {
    auto limits = short_limits();
    limits.header_timeout = 60s;
    limits.shutdown_timeout = 200ms;
    LiveServer server(limits);
    RawClient stuck(server.port());
    REQUIRE(stuck.send("GET /health HTTP/1.1\r\n"));
    std::this_thread::sleep_for(50ms);
    server.begin_stop();
    CHECK(stuck.closed_by_server());
    server.wait_stopped();
}

TEST_CASE("unix listeners replace stale sockets, refuse live ones, and clean up",
          "[http][server]") {
    namespace fs = std::filesystem;
    const fs::path folder = fs::temp_directory_path() / ("ks-http-" + std::to_string(::getpid()));
    fs::create_directories(folder);
    const std::string path = (folder / "status.sock").string();
    boost::asio::io_context io;
    {
        // A socket file nobody listens on, as a killed server leaves it.
        boost::asio::local::stream_protocol::acceptor stale(io);
        stale.open();
        stale.bind(path);
    }
    REQUIRE(fs::exists(path));
    http::Router router;
    {
        http::Server server(io.get_executor(), router, short_limits());
        CHECK_FALSE(server.listen_unix(path));
        struct stat info {};
        REQUIRE(::stat(path.c_str(), &info) == 0);
        CHECK((info.st_mode & 0777) == 0666);

        http::Server second(io.get_executor(), router, short_limits());
        CHECK(second.listen_unix(path) == boost::system::errc::address_in_use);

        const std::string regular = (folder / "regular").string();
        { std::ofstream(regular) << "data"; }
        CHECK(second.listen_unix(regular) == boost::system::errc::file_exists);
        CHECK(fs::exists(regular));
        CHECK(second.listen_unix(std::string(200, 'x')) == boost::system::errc::filename_too_long);

        boost::asio::co_spawn(io, server.stop(), boost::asio::detached);
        boost::asio::co_spawn(io, second.stop(), boost::asio::detached);
        io.run();
        CHECK_FALSE(fs::exists(path));
    }
    fs::remove_all(folder);
}
