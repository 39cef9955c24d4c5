// The float's tether client against an anchor that accepts and closes at once: it reconnects
// with backoff, not in a busy loop (every reconnect is a resignation and a notify).

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <filesystem>

#include "keepalived_swarm/tether/client.hpp"

using namespace ks;
using namespace std::chrono_literals;
namespace asio = boost::asio;

TEST_CASE("tether client: an anchor that closes every connection at once gets backoff",
          "[tether]") {
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
                          {[&](bool) { ++transitions; }, [](const tether::Message&) {}});
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
