// The anchor's end of the tether over a real unix socket: what a float is greeted with and
// what it hears when the swarm changes.

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/tether/messages.hpp"
#include "keepalived_swarm/tether/server.hpp"
#include "support/scripted_server.hpp"

using namespace ks;

namespace {

/// What a tether line decodes to; nullopt when the float would not understand it.
std::optional<tether::Message> tether_message(std::string_view line) {
    auto decoded = tether::decode(line);
    if (auto* message = std::get_if<tether::Message>(&decoded)) return *message;
    return std::nullopt;
}

}  // namespace

TEST_CASE("the tether server greets a float with peers and resign, then broadcasts changes",
          "[tether][socket]") {
    boost::asio::io_context io;
    char folder[] = "/tmp/ks-tether-XXXXXX";
    const std::string path = std::string(::mkdtemp(folder)) + "/anchor.sock";
    tether::Server server(io.get_executor(), path);
    REQUIRE_FALSE(server.start());
    server.set_peers({*net::parse_ip_address("10.0.0.2")});
    server.set_resign("this node is drained");
    std::vector<std::string> lines;
    test::run_coroutine(io, [&]() -> boost::asio::awaitable<void> {
        boost::asio::local::stream_protocol::socket socket(io);
        co_await socket.async_connect({path}, boost::asio::use_awaitable);
        std::string buffer;
        auto read_line = [&]() -> boost::asio::awaitable<std::string> {
            auto n = co_await boost::asio::async_read_until(
                socket, boost::asio::dynamic_buffer(buffer), "\n", boost::asio::use_awaitable);
            std::string line = buffer.substr(0, n - 1);
            buffer.erase(0, n);
            co_return line;
        };
        lines.push_back(co_await read_line());
        lines.push_back(co_await read_line());
        server.set_resign(std::nullopt);
        lines.push_back(co_await read_line());
        server.set_peers({*net::parse_ip_address("10.0.0.2")});  // unchanged: nothing sent
        server.set_peers({*net::parse_ip_address("10.0.0.3")});
        lines.push_back(co_await read_line());
        CHECK(server.connections() == 1);
    });
    REQUIRE(lines.size() == 4);
    CHECK(tether_message(lines[0]) ==
          tether::Message{tether::PeersMessage{{*net::parse_ip_address("10.0.0.2")}}});
    CHECK(tether_message(lines[1]) ==
          tether::Message{tether::ResignMessage{"this node is drained"}});
    CHECK(tether_message(lines[2]) == tether::Message{tether::ResumeMessage{}});
    CHECK(tether_message(lines[3]) ==
          tether::Message{tether::PeersMessage{{*net::parse_ip_address("10.0.0.3")}}});
    server.stop();
    CHECK_FALSE(std::filesystem::exists(path));
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST_CASE("the tether server sends trackers when they change and greets with all of them",
          "[tether][socket]") {
    boost::asio::io_context io;
    char folder[] = "/tmp/ks-tether-XXXXXX";
    const std::string path = std::string(::mkdtemp(folder)) + "/anchor.sock";
    tether::Server server(io.get_executor(), path);
    REQUIRE_FALSE(server.start());
    server.set_tracker("service:web", false, "no task of web on this node");
    server.set_tracker("service:api", true, "task 3f2a1b2c3d4e running");
    std::vector<std::string> first;
    std::vector<std::string> second;
    test::run_coroutine(io, [&]() -> boost::asio::awaitable<void> {
        using boost::asio::local::stream_protocol;
        stream_protocol::socket one(io);
        co_await one.async_connect({path}, boost::asio::use_awaitable);
        std::string one_buffer;
        auto read_line = [](stream_protocol::socket& socket,
                            std::string& buffer) -> boost::asio::awaitable<std::string> {
            auto n = co_await boost::asio::async_read_until(
                socket, boost::asio::dynamic_buffer(buffer), "\n", boost::asio::use_awaitable);
            std::string line = buffer.substr(0, n - 1);
            buffer.erase(0, n);
            co_return line;
        };
        first.push_back(co_await read_line(one, one_buffer));
        first.push_back(co_await read_line(one, one_buffer));
        // Unchanged: nothing is sent. A new reason alone is news (another task, another health).
        server.set_tracker("service:web", false, "no task of web on this node");
        server.set_tracker("service:web", false, "task 0123456789ab preparing");
        first.push_back(co_await read_line(one, one_buffer));
        server.set_tracker("service:web", true, "task 0123456789ab running, healthy");
        first.push_back(co_await read_line(one, one_buffer));

        stream_protocol::socket two(io);
        co_await two.async_connect({path}, boost::asio::use_awaitable);
        std::string two_buffer;
        second.push_back(co_await read_line(two, two_buffer));
        second.push_back(co_await read_line(two, two_buffer));
        CHECK(server.connections() == 2);
    });
    using tether::TrackerMessage;
    REQUIRE(first.size() == 4);
    // Greeted in name order, whatever the order they were set in.
    CHECK(tether_message(first[0]) ==
          tether::Message{TrackerMessage{"service:api", true, "task 3f2a1b2c3d4e running"}});
    CHECK(tether_message(first[1]) ==
          tether::Message{TrackerMessage{"service:web", false, "no task of web on this node"}});
    CHECK(tether_message(first[2]) ==
          tether::Message{TrackerMessage{"service:web", false, "task 0123456789ab preparing"}});
    CHECK(
        tether_message(first[3]) ==
        tether::Message{TrackerMessage{"service:web", true, "task 0123456789ab running, healthy"}});
    REQUIRE(second.size() == 2);
    CHECK(tether_message(second[0]) == tether_message(first[0]));
    CHECK(tether_message(second[1]) == tether_message(first[3]));
    server.stop();
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}
