#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <optional>

#include "keepalived_swarm/http/client.hpp"
#include "support/scripted_server.hpp"

using namespace ks;
using namespace std::chrono_literals;
using boost::asio::awaitable;
using test::Reply;

namespace {

http::Endpoint unix_endpoint(const std::string& path) {
    return http::parse_endpoint("unix://" + path).value();
}

}  // namespace

TEST_CASE("endpoints are parsed from the forms users write", "[http]") {
    auto unix_socket = http::parse_endpoint("unix:///var/run/docker.sock");
    REQUIRE(unix_socket.has_value());
    CHECK(unix_socket->transport == http::Endpoint::Transport::unix_socket);
    CHECK(unix_socket->socket_path == "/var/run/docker.sock");
    CHECK(unix_socket->to_string() == "unix:///var/run/docker.sock");
    CHECK(http::parse_endpoint("/run/x.sock")->socket_path == "/run/x.sock");
    CHECK(http::unix_endpoint("/run/x.sock").to_string() == "unix:///run/x.sock");

    auto tcp = http::parse_endpoint("tcp://10.0.0.1:2375");
    REQUIRE(tcp.has_value());
    CHECK(tcp->transport == http::Endpoint::Transport::tcp);
    CHECK(tcp->host == "10.0.0.1");
    CHECK(tcp->port == "2375");
    CHECK(tcp->host_header() == "10.0.0.1:2375");

    auto url = http::parse_endpoint("http://127.0.0.1:3000/health?x=1");
    REQUIRE(url.has_value());
    CHECK(url->port == "3000");
    CHECK(url->target == "/health?x=1");
    CHECK(http::parse_endpoint("http://localhost")->port == "80");
    CHECK(http::parse_endpoint("http://localhost")->target == "/");

    auto v6 = http::parse_endpoint("tcp://[fd00::1]:2375");
    REQUIRE(v6.has_value());
    CHECK(v6->host == "fd00::1");
    CHECK(v6->host_header() == "[fd00::1]:2375");
}

TEST_CASE("malformed endpoints are refused with invalid_endpoint", "[http]") {
    for (const char* text :
         {"", "docker.sock", "unix://", "unix://relative", "tcp://host", "tcp://:2375",
          "tcp://host:0", "tcp://host:99999", "tcp://host:x", "tcp://fd00::1:80", "https://host/",
          "http://[::1", "ftp://h:1", "tcp://host:1/path"}) {
        INFO(text);
        auto parsed = http::parse_endpoint(text);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error() == http::Errc::invalid_endpoint);
    }
}

TEST_CASE("response headers are found case-insensitively", "[http]") {
    http::Response response;
    response.headers = {{"Api-Version", "1.41"}, {"Content-Type", "text/plain"}};
    CHECK(response.header("api-version") == "1.41");
    CHECK(response.header("API-VERSION") == "1.41");
    CHECK_FALSE(response.header("Server"));
}

TEST_CASE("line splitter joins pieces and strips CR", "[http]") {
    http::LineSplitter splitter(16);
    std::vector<std::string> lines;
    auto collect = [&](std::string_view line) { lines.emplace_back(line); };
    splitter.feed("{\"a\":1}\r\n{\"b\"", collect);
    splitter.feed(":2}\n", collect);
    splitter.feed("this line is far too long\nok\npartial", collect);
    CHECK(lines == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "ok"});
    CHECK(splitter.overflows() == 1);
    CHECK(splitter.rest() == "partial");
    CHECK_FALSE(splitter.feed("x\ny\n", [](std::string_view) { return false; }));
}

TEST_CASE("a request gets the answer and the connection is reused", "[http][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest& request) {
        return Reply{{test::response_bytes(200, "{\"echo\":\"" + request.line() + "\"}",
                                           "Api-Version: 1.41\r\n")}};
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        http::Client client(io.get_executor(), unix_endpoint(server.path()));
        auto first = co_await client.request({"GET", "/_ping"}, 1s);
        REQUIRE(first.has_value());
        CHECK(first->status == 200);
        CHECK(first->body == "{\"echo\":\"GET /_ping\"}");
        CHECK(first->header("api-version") == "1.41");
        http::Request post{"POST", "/containers/create?name=x", "{\"Image\":\"i\"}"};
        auto second = co_await client.request(post, 1s);
        REQUIRE(second.has_value());
        CHECK(second->body == "{\"echo\":\"POST /containers/create?name=x\"}");
    });
    CHECK(server.connections() == 1);
    REQUIRE(server.requests().size() == 2);
    CHECK(server.requests()[1].body == "{\"Image\":\"i\"}");
    CHECK(server.requests()[1].head.find("Content-Type: application/json") != std::string::npos);
    CHECK(server.requests()[0].head.find("Host: localhost") != std::string::npos);
}

TEST_CASE("a connection the server closed is replaced transparently", "[http][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest&) {
        Reply reply{{test::response_bytes(200, "ok")}};
        reply.close_after = true;  // without saying Connection: close
        return reply;
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        http::Client client(io.get_executor(), unix_endpoint(server.path()));
        for (int i = 0; i < 3; ++i) {
            auto answer = co_await client.request({"GET", "/"}, 1s);
            REQUIRE(answer.has_value());
            CHECK(answer->body == "ok");
        }
    });
    CHECK(server.connections() == 3);
}

TEST_CASE("chunked bodies are joined", "[http][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest&) {
        return Reply{{test::chunked_head(), test::chunk_bytes("{\"Id\":"),
                      test::chunk_bytes("\"abc\"}"), "0\r\n\r\n"}};
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        http::Client client(io.get_executor(), unix_endpoint(server.path()));
        auto answer = co_await client.request({"GET", "/"}, 1s);
        REQUIRE(answer.has_value());
        CHECK(answer->body == "{\"Id\":\"abc\"}");
    });
}

TEST_CASE("each failure has its own error: unreachable timeout disconnected protocol too large",
          "[http][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest& request) {
        Reply reply;
        if (request.line() == "GET /slow") {
            reply.hang = true;
        } else if (request.line() == "GET /cut") {
            reply.pieces = {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\""};
            reply.close_after = true;
        } else if (request.line() == "GET /garbage") {
            reply.pieces = {"SSH-2.0-OpenSSH\r\n\r\n"};
        } else {
            reply.pieces = {test::response_bytes(200, std::string(2000, 'x'))};
        }
        return reply;
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        http::Client nobody(io.get_executor(), unix_endpoint(server.path() + ".missing"));
        auto unreachable = co_await nobody.request({"GET", "/"}, 1s);
        REQUIRE_FALSE(unreachable.has_value());
        CHECK(unreachable.error() == http::Errc::unreachable);
        CHECK(nobody.last_error().find(".missing") != std::string::npos);

        http::Client client(io.get_executor(), unix_endpoint(server.path()), {1000, 100, 4096});
        auto slow = co_await client.request({"GET", "/slow"}, 50ms);
        REQUIRE_FALSE(slow.has_value());
        CHECK(slow.error() == http::Errc::timeout);
        auto cut = co_await client.request({"GET", "/cut"}, 1s);
        REQUIRE_FALSE(cut.has_value());
        CHECK(cut.error() == http::Errc::disconnected);
        auto garbage = co_await client.request({"GET", "/garbage"}, 1s);
        REQUIRE_FALSE(garbage.has_value());
        CHECK(garbage.error() == http::Errc::protocol);
        auto large = co_await client.request({"GET", "/large"}, 1s);
        REQUIRE_FALSE(large.has_value());
        CHECK(large.error() == http::Errc::body_too_large);
        // The client still works after every kind of failure.
        client.close();
        auto slow_again = co_await client.request({"GET", "/slow"}, 10ms);
        CHECK(slow_again.error() == http::Errc::timeout);
    });
}

TEST_CASE("a stream hands over pieces as they arrive and can be stopped", "[http][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest& request) {
        if (request.line() == "GET /events") {
            Reply reply{{test::chunked_head(), test::chunk_bytes("{\"n\":1}\n{\"n\""),
                         test::chunk_bytes(":2}\n"), test::chunk_bytes("{\"n\":3}\n")}};
            reply.gap = 5ms;
            reply.hang = true;
            return reply;
        }
        if (request.line() == "GET /finite") {
            return Reply{{test::chunked_head(), test::chunk_bytes("a\n"), "0\r\n\r\n"}};
        }
        return Reply{{test::response_bytes(404, "{\"message\":\"no such image\"}")}};
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        http::Client client(io.get_executor(), unix_endpoint(server.path()));
        std::vector<std::string> lines;
        http::LineSplitter splitter;
        auto events = co_await client.stream(
            {"GET", "/events"},
            [&](std::string_view data) {
                splitter.feed(data, [&](std::string_view line) { lines.emplace_back(line); });
                return lines.size() < 3;
            },
            1s);
        REQUIRE(events.has_value());
        CHECK(events->status == 200);
        CHECK(lines == std::vector<std::string>{"{\"n\":1}", "{\"n\":2}", "{\"n\":3}"});

        std::string finite_body;
        auto finite = co_await client.stream(
            {"GET", "/finite"},
            [&](std::string_view data) {
                finite_body += data;
                return true;
            },
            1s);
        REQUIRE(finite.has_value());
        CHECK(finite_body == "a\n");

        bool called = false;
        auto missing = co_await client.stream(
            {"GET", "/missing"},
            [&](std::string_view) {
                called = true;
                return true;
            },
            1s);
        REQUIRE(missing.has_value());
        CHECK(missing->status == 404);
        CHECK(missing->body == "{\"message\":\"no such image\"}");
        CHECK_FALSE(called);
    });
}

TEST_CASE("cancel ends a stream that waits forever", "[http][socket]") {
    boost::asio::io_context io;
    test::ScriptedServer server(io, [](const test::ReceivedRequest&) {
        Reply reply{{test::chunked_head()}};
        reply.hang = true;
        return reply;
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        http::Client client(io.get_executor(), unix_endpoint(server.path()));
        boost::asio::steady_timer timer(io, 20ms);
        timer.async_wait([&](boost::system::error_code) { client.cancel(); });
        auto result = co_await client.stream(
            {"GET", "/events"}, [](std::string_view) { return true; }, 1s);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == http::Errc::cancelled);
    });
}

TEST_CASE("cancel also ends the calls waiting for their turn, and later calls run",
          "[http][socket]") {
    // A call queued behind one the server never answers would otherwise start once the first
    // is cancelled, and wait its whole timeout on the same silent server.
    boost::asio::io_context io;
    bool answering = false;
    test::ScriptedServer server(io, [&](const test::ReceivedRequest&) {
        if (answering) return Reply{{test::response_bytes(200, "{}")}};
        Reply reply;
        reply.hang = true;
        return reply;
    });
    test::run_coroutine(io, [&]() -> awaitable<void> {
        http::Client client(io.get_executor(), unix_endpoint(server.path()));
        std::optional<boost::system::error_code> queued_error;
        boost::asio::co_spawn(
            io,
            [&]() -> awaitable<void> {
                auto queued = co_await client.request({"GET", "/second"}, 10s);
                queued_error = queued ? boost::system::error_code{} : queued.error();
            },
            boost::asio::detached);
        boost::asio::steady_timer timer(io, 50ms);
        timer.async_wait([&](boost::system::error_code) { client.cancel(); });
        const auto started = std::chrono::steady_clock::now();
        auto first = co_await client.request({"GET", "/first"}, 10s);
        REQUIRE_FALSE(first.has_value());
        CHECK(first.error() == http::Errc::cancelled);
        boost::asio::steady_timer settle(io, 20ms);
        co_await settle.async_wait(boost::asio::use_awaitable);
        REQUIRE(queued_error.has_value());
        CHECK(*queued_error == http::Errc::cancelled);
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        answering = true;
        auto later = co_await client.request({"GET", "/third"}, 10s);
        REQUIRE(later.has_value());
        CHECK(later->status == 200);
    });
    CHECK(server.requests().size() == 2);  // the queued call never reached the server
}

TEST_CASE("calls from several coroutines on one client take turns on its connection",
          "[http][socket]") {
    // Two requests started at once on one keep-alive connection must not interleave: each gets
    // its own answer, in full, in the order the server wrote them.
    boost::asio::io_context io;
    const std::string path = "/tmp/ks-client-turns-" + std::to_string(::getpid()) + ".sock";
    ::unlink(path.c_str());
    boost::asio::local::stream_protocol::acceptor acceptor(
        io, boost::asio::local::stream_protocol::endpoint(path));
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto socket = co_await acceptor.async_accept(boost::asio::use_awaitable);
            std::string received;
            for (int answered = 0; answered < 2;) {
                char chunk[512];
                const auto n = co_await socket.async_read_some(boost::asio::buffer(chunk),
                                                               boost::asio::use_awaitable);
                received.append(chunk, n);
                std::size_t end;
                while ((end = received.find("\r\n\r\n")) != std::string::npos) {
                    const auto target = received.substr(4, received.find(' ', 4) - 4);
                    received.erase(0, end + 4);
                    const std::string body = "answer to " + target;
                    const std::string reply =
                        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                        "\r\n\r\n" + body;
                    co_await boost::asio::async_write(socket, boost::asio::buffer(reply),
                                                      boost::asio::use_awaitable);
                    ++answered;
                }
            }
        },
        boost::asio::detached);

    ks::http::Client client(io.get_executor(), *ks::http::parse_endpoint("unix://" + path));
    std::vector<std::string> bodies(2);
    for (int i = 0; i < 2; ++i) {
        boost::asio::co_spawn(
            io,
            [&, i]() -> boost::asio::awaitable<void> {
                auto response = co_await client.request(
                    ks::http::Request("GET", "/call" + std::to_string(i)), std::chrono::seconds(2));
                bodies[i] = response ? response->body : "error: " + client.last_error();
            },
            boost::asio::detached);
    }
    io.run_for(std::chrono::seconds(5));
    ::unlink(path.c_str());
    CHECK(bodies[0] == "answer to /call0");
    CHECK(bodies[1] == "answer to /call1");
}
