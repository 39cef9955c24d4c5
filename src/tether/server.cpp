#include "keepalived_swarm/tether/server.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <filesystem>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/tether/messages.hpp"
#include "keepalived_swarm/util/system_error.hpp"

namespace ks::tether {
namespace asio = boost::asio;
using asio::local::stream_protocol;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

/// Which file a path names now (device and inode), or nullopt when none.
std::optional<std::pair<dev_t, ino_t>> file_identity(const std::string& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) return std::nullopt;
    return std::pair{status.st_dev, status.st_ino};
}
}  // namespace

struct Server::Session {
    explicit Session(stream_protocol::socket s) : socket(std::move(s)) {}
    stream_protocol::socket socket;
    std::deque<std::string> outbox;
    bool writing = false;
};

Server::Server(asio::any_io_executor executor, std::string socket_path)
    : executor_(executor),
      socket_path_(std::move(socket_path)),
      acceptor_(executor),
      accept_retry_(executor),
      path_check_(executor) {}

Server::~Server() {
    stop();
}

std::optional<std::string> Server::start() {
    if (auto problem = listen()) return problem;
    asio::co_spawn(executor_, watch_path(), asio::detached);
    return std::nullopt;
}

std::optional<std::string> Server::listen() {
    std::error_code fs_error;
    std::filesystem::create_directories(std::filesystem::path(socket_path_).parent_path(),
                                        fs_error);
    // A socket file left by an anchor that was killed blocks bind; nothing listens on it. One
    // that a live older anchor listens on is taken over: this anchor is the node's new one.
    std::filesystem::remove(socket_path_, fs_error);
    boost::system::error_code ec;
    acceptor_.open(stream_protocol(), ec);
    if (!ec) acceptor_.bind(stream_protocol::endpoint(socket_path_), ec);
    // Only root (the float) may connect: the tether says resign, and it shares the folder with
    // the float's status socket that the unprivileged buoy reads.
    if (!ec && ::chmod(socket_path_.c_str(), 0600) != 0) ec = util::last_system_error();
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) socket_file_ = file_identity(socket_path_);
    if (ec) {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        return "cannot listen on the tether socket " + socket_path_ + ": " + ec.message() +
               "; check that --run-dir exists and is writable";
    }
    asio::co_spawn(executor_, accept_loop(), asio::detached);
    return std::nullopt;
}

asio::awaitable<void> Server::watch_path() {
    while (!stopped_) {
        path_check_.expires_after(kPathCheckInterval);
        co_await path_check_.async_wait(kNoThrow);
        if (stopped_) co_return;
        // Gone: removed by hand, or by an older anchor of an earlier version that removed the
        // path on exit while this one already listened there. A float that loses its anchor
        // reconnects by path, so listen there again. Another socket at the path is a newer
        // anchor's: it is left alone.
        if (std::filesystem::exists(socket_path_)) continue;
        log::warn("the tether socket file disappeared; listening at its path again",
                  {{"path", socket_path_}});
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        acceptor_ = stream_protocol::acceptor(executor_);
        if (auto problem = listen()) log::error(*problem);
    }
}

void Server::stop() {
    if (stopped_) return;
    stopped_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    path_check_.cancel();
    for (auto& session : sessions_) session->socket.close(ignored);
    sessions_.clear();
    // Only this anchor's own socket file: a newer anchor on the node (the swarm starts a task's
    // replacement before the old one has stopped) may listen at the path by now.
    if (socket_file_ && file_identity(socket_path_) == socket_file_) {
        std::error_code fs_ignored;
        std::filesystem::remove(socket_path_, fs_ignored);
    }
}

void Server::set_resign(std::optional<std::string> reason) {
    if (resign_known_ && reason == resign_reason_) return;
    resign_known_ = true;
    resign_reason_ = std::move(reason);
    if (resign_reason_) {
        log::warn("telling the float to resign", {{"reason", *resign_reason_}});
        broadcast(encode(ResignMessage{*resign_reason_}));
    } else {
        log::info("telling the float to compete again");
        broadcast(encode(ResumeMessage{}));
    }
}

void Server::set_peers(std::vector<net::IpAddress> peers) {
    if (peers_ && *peers_ == peers) return;
    std::string list;
    for (const auto& peer : peers) list += (list.empty() ? "" : ",") + peer.to_string();
    log::info("float peers", {{"peers", list.empty() ? "(none)" : list}});
    peers_ = std::move(peers);
    broadcast(encode(PeersMessage{*peers_}));
}

void Server::set_tracker(std::string name, bool up, std::string reason) {
    auto it = trackers_.find(name);
    if (it != trackers_.end() && it->second.up == up && it->second.reason == reason) return;
    if (up) {
        log::info("telling the float a tracker is up", {{"tracker", name}, {"reason", reason}});
    } else {
        log::warn("telling the float a tracker is down", {{"tracker", name}, {"reason", reason}});
    }
    broadcast(encode(TrackerMessage{name, up, reason}));
    trackers_[std::move(name)] = TrackerState{up, std::move(reason)};
}

asio::awaitable<void> Server::hand_over(std::chrono::seconds within) {
    log::info("telling the float to wait for the next anchor", {{"within_s", within.count()}});
    broadcast(encode(HandoverMessage{within}));
    // The writes are asynchronous: wait until every outbox is empty, at most 500 ms.
    asio::steady_timer pause(executor_);
    for (int i = 0; i < 50; ++i) {
        const bool flushed = std::all_of(sessions_.begin(), sessions_.end(),
                                         [](const auto& session) { return !session->writing; });
        if (flushed) co_return;
        pause.expires_after(std::chrono::milliseconds(10));
        co_await pause.async_wait(kNoThrow);
    }
}

void Server::greet(const std::shared_ptr<Session>& session) {
    if (peers_) send(session, encode(PeersMessage{*peers_}));
    if (resign_reason_) {
        send(session, encode(ResignMessage{*resign_reason_}));
    } else if (resign_known_) {
        // Said even when nothing changed for this anchor: a float handed over from an older
        // anchor still follows that one's last word.
        send(session, encode(ResumeMessage{}));
    }
    for (const auto& [name, state] : trackers_) {
        send(session, encode(TrackerMessage{name, state.up, state.reason}));
    }
}

void Server::broadcast(const std::string& line) {
    for (const auto& session : sessions_) send(session, line);
}

void Server::send(const std::shared_ptr<Session>& session, std::string line) {
    session->outbox.push_back(std::move(line));
    if (session->writing) return;
    session->writing = true;
    asio::co_spawn(executor_, write_queued(session), asio::detached);
}

asio::awaitable<void> Server::write_queued(std::shared_ptr<Session> session) {
    while (!session->outbox.empty()) {
        const std::string line = std::move(session->outbox.front());
        session->outbox.pop_front();
        auto [ec, written] =
            co_await asio::async_write(session->socket, asio::buffer(line), kNoThrow);
        if (ec) {
            boost::system::error_code ignored;
            session->socket.close(ignored);
            break;
        }
    }
    session->writing = false;
}

asio::awaitable<void> Server::accept_loop() {
    while (!stopped_) {
        auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
        if (ec) {
            if (stopped_ || ec == asio::error::operation_aborted) co_return;
            // Out of descriptors and the like: wait instead of spinning (and logging) at full
            // speed, then try again.
            log::warn("tether: cannot accept a connection; retrying in 100 ms",
                      {{"error", ec.message()}});
            accept_retry_.expires_after(std::chrono::milliseconds(100));
            co_await accept_retry_.async_wait(kNoThrow);
            continue;
        }
        auto session = std::make_shared<Session>(std::move(socket));
        sessions_.push_back(session);
        log::info("float connected to the tether", {{"connections", sessions_.size()}});
        greet(session);
        asio::co_spawn(executor_, read_until_closed(session), asio::detached);
    }
}

asio::awaitable<void> Server::read_until_closed(std::shared_ptr<Session> session) {
    // The float sends nothing today; reading tells when it goes away.
    std::array<char, 512> discard{};
    while (true) {
        auto [ec, n] = co_await session->socket.async_read_some(asio::buffer(discard), kNoThrow);
        if (ec) break;
    }
    if (stopped_) co_return;
    sessions_.remove(session);
    boost::system::error_code ignored;
    session->socket.close(ignored);
    log::info("float left the tether", {{"connections", sessions_.size()}});
}

}  // namespace ks::tether
