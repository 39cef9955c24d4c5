// The float's tether client against an anchor that accepts and closes at once: it reconnects
// with backoff, not in a busy loop (every reconnect is a resignation and a notify).

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <vector>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/tether/client.hpp"

using namespace ks;
using namespace std::chrono_literals;
namespace asio = boost::asio;

TEST_CASE("tether client: an anchor that closes every connection at once gets backoff",
          "[tether][socket]") {
    asio::io_context io;
    const auto path = std::filesystem::temp_directory_path() /
                      ("ks-tether-test-" + std::to_string(::getpid()) + ".sock");
    std::filesystem::remove(path);
    asio::local::stream_protocol::acceptor acceptor(io,
                                                    asio::local::stream_protocol::endpoint(path));
    int accepted = 0;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            for (;;) {
                auto [error, socket] =
                    co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
                if (error) co_return;
                ++accepted;
                socket.close();
            }
        },
        asio::detached);
    int transitions = 0;
    tether::Client client(io.get_executor(), path.string(),
                          {[&](bool) { ++transitions; }, [](const tether::Message&) {}, {}});
    client.start();
    io.run_for(1500ms);
    client.stop();
    acceptor.close();
    io.run_for(50ms);
    std::filesystem::remove(path);
    // 50, 100, 200, 400, 800 ms waits: about six connections in 1.5 s, not thousands.
    CHECK(accepted >= 3);
    CHECK(accepted <= 8);
    CHECK(transitions <= 2 * accepted);
}

TEST_CASE(
    "tether client: lines it cannot act on are warned about once a minute, not acted on; an "
    "oversized line ends the connection with a reason that says so",
    "[tether][socket]") {
    asio::io_context io;
    const auto path = std::filesystem::temp_directory_path() /
                      ("ks-tether-lines-" + std::to_string(::getpid()) + ".sock");
    std::filesystem::remove(path);
    asio::local::stream_protocol::acceptor acceptor(io,
                                                    asio::local::stream_protocol::endpoint(path));
    const std::string lines = R"({"type":"resign","reason":123})"
                              "\n"
                              "garbage\n"
                              R"({"type":"resume"})"
                              "\n" +
                              std::string(70 * 1024, 'x');
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto [error, socket] =
                co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (error) co_return;
            co_await asio::async_write(socket, asio::buffer(lines),
                                       asio::as_tuple(asio::use_awaitable));
            asio::steady_timer hold(io, 2s);
            co_await hold.async_wait(asio::as_tuple(asio::use_awaitable));
        },
        asio::detached);
    std::ostringstream log_output;
    log::set_output(log_output);
    std::vector<tether::Message> received;
    tether::Client client(
        io.get_executor(), path.string(),
        {[](bool) {}, [&](const tether::Message& m) { received.push_back(m); }, {}});
    client.start();
    io.run_for(500ms);
    client.stop();
    acceptor.close();
    io.run_for(50ms);
    log::set_output(std::cerr);
    std::filesystem::remove(path);

    CHECK(received == std::vector<tether::Message>{tether::ResumeMessage{}});
    const auto text = log_output.str();
    INFO(text);
    const auto first = text.find("ignored a tether line");
    REQUIRE(first != std::string::npos);
    CHECK(text.find("ignored a tether line", first + 1) == std::string::npos);
    CHECK(text.find("is not a string") != std::string::npos);
    CHECK(text.find("a line longer than 64 KiB") != std::string::npos);
}
