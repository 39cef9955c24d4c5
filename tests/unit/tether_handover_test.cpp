// Two anchors on one node, as the swarm makes them when it starts a task's replacement before the
// old task has stopped (after a partition heals): the float moves to the newer anchor without a
// disconnect, and the older one's exit leaves the newer one's socket file alone.

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "keepalived_swarm/tether/client.hpp"
#include "keepalived_swarm/tether/server.hpp"

using namespace ks;
using namespace std::chrono_literals;

namespace {

struct TempFolder {
    TempFolder() {
        char pattern[] = "/tmp/ks-handover-XXXXXX";
        path = ::mkdtemp(pattern);
    }
    ~TempFolder() { std::filesystem::remove_all(path); }
    std::filesystem::path path;
};

/// Runs `io` in short slices until `done` holds or `limit` has passed: on a loaded machine (a
/// sanitizer build beside other work) a reconnection can take several of the client's retries.
template <typename Condition>
void run_until(boost::asio::io_context& io, Condition done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) io.run_for(10ms);
}

struct RecordingFloat {
    std::vector<bool> connections;
    std::vector<tether::Message> messages;
    int handovers = 0;
    tether::Client::Handlers handlers() {
        return {[this](bool connected) { connections.push_back(connected); },
                [this](const tether::Message& message) { messages.push_back(message); },
                [this] { ++handovers; }};
    }
};

}  // namespace

TEST_CASE("tether: a float moves to a newer anchor without a disconnect", "[tether][socket]") {
    boost::asio::io_context io;
    TempFolder folder;
    const std::string path = (folder.path / "anchor.sock").string();
    auto older = std::make_unique<tether::Server>(io.get_executor(), path);
    REQUIRE_FALSE(older->start());
    older->set_resign(std::nullopt);
    RecordingFloat recorder;
    tether::Client client(io.get_executor(), path, recorder.handlers());
    client.start();
    io.run_for(1200ms);  // a connection that held: long enough to be handed over
    REQUIRE(recorder.connections == std::vector<bool>{true});

    tether::Server newer(io.get_executor(), path);
    REQUIRE_FALSE(newer.start());
    newer.set_resign("this node is drained");
    older->stop();  // kept alive: its coroutines finish on the next runs of the context
    io.run_for(300ms);

    CHECK(recorder.connections == std::vector<bool>{true});  // never disconnected
    CHECK(recorder.handovers == 1);  // the old anchor's trackers are the float's to forget
    CHECK(client.connected());
    CHECK(newer.connections() == 1);
    REQUIRE_FALSE(recorder.messages.empty());
    CHECK(recorder.messages.back() ==
          tether::Message{tether::ResignMessage{"this node is drained"}});
    CHECK(std::filesystem::exists(path));  // the older anchor left the newer one's file

    client.stop();
    newer.stop();
    io.run_for(50ms);
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("tether: with no anchor left at the path, the float disconnects at once",
          "[tether][socket]") {
    boost::asio::io_context io;
    TempFolder folder;
    const std::string path = (folder.path / "anchor.sock").string();
    tether::Server server(io.get_executor(), path);
    REQUIRE_FALSE(server.start());
    RecordingFloat recorder;
    tether::Client client(io.get_executor(), path, recorder.handlers());
    client.start();
    io.run_for(1200ms);
    server.stop();
    io.run_for(20ms);
    CHECK(recorder.connections == std::vector<bool>{true, false});
    client.stop();
    io.run_for(20ms);
}

TEST_CASE("tether: a server listens again when its socket file is removed", "[tether][socket]") {
    boost::asio::io_context io;
    TempFolder folder;
    const std::string path = (folder.path / "anchor.sock").string();
    tether::Server server(io.get_executor(), path);
    REQUIRE_FALSE(server.start());
    server.set_resign(std::nullopt);
    std::filesystem::remove(path);
    io.run_for(tether::Server::kPathCheckInterval + 300ms);
    REQUIRE(std::filesystem::exists(path));
    RecordingFloat recorder;
    tether::Client client(io.get_executor(), path, recorder.handlers());
    client.start();
    io.run_for(200ms);
    CHECK(recorder.connections == std::vector<bool>{true});
    CHECK(recorder.messages == std::vector<tether::Message>{tether::ResumeMessage{}});
    client.stop();
    server.stop();
    io.run_for(20ms);
}

TEST_CASE("tether: after a handover message the float waits for the next anchor",
          "[tether][socket]") {
    boost::asio::io_context io;
    TempFolder folder;
    const std::string path = (folder.path / "anchor.sock").string();
    auto updated = std::make_unique<tether::Server>(io.get_executor(), path);
    REQUIRE_FALSE(updated->start());
    RecordingFloat recorder;
    tether::Client client(io.get_executor(), path, recorder.handlers());
    client.start();
    io.run_for(1200ms);
    bool handed_over = false;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            co_await updated->hand_over(std::chrono::seconds(2));
            handed_over = true;
        },
        boost::asio::detached);
    io.run_for(100ms);
    REQUIRE(handed_over);
    updated->stop();
    io.run_for(700ms);  // the gap of a stop-first rolling update: no anchor at all
    CHECK(recorder.connections == std::vector<bool>{true});
    tether::Server successor(io.get_executor(), path);
    REQUIRE_FALSE(successor.start());
    // Within what is left of the 2 s the handover allowed.
    run_until(
        io, [&] { return recorder.handovers == 1 && successor.connections() == 1; }, 1000ms);
    CHECK(recorder.connections == std::vector<bool>{true});
    CHECK(recorder.handovers == 1);
    CHECK(successor.connections() == 1);

    // The successor is an ordinary anchor: its death is a disconnect at once.
    io.run_for(1000ms);
    successor.stop();
    io.run_for(50ms);
    CHECK(recorder.connections == std::vector<bool>{true, false});
    client.stop();
    io.run_for(20ms);
}

TEST_CASE("tether: a handover nobody takes up ends in a disconnect when its time is up",
          "[tether][socket]") {
    boost::asio::io_context io;
    TempFolder folder;
    const std::string path = (folder.path / "anchor.sock").string();
    tether::Server updated(io.get_executor(), path);
    REQUIRE_FALSE(updated.start());
    RecordingFloat recorder;
    tether::Client client(io.get_executor(), path, recorder.handlers());
    client.start();
    io.run_for(1200ms);
    boost::asio::co_spawn(io, updated.hand_over(std::chrono::seconds(1)), boost::asio::detached);
    io.run_for(100ms);
    updated.stop();
    io.run_for(700ms);
    CHECK(recorder.connections == std::vector<bool>{true});
    io.run_for(600ms);
    CHECK(recorder.connections == std::vector<bool>{true, false});
    client.stop();
    io.run_for(20ms);
}
