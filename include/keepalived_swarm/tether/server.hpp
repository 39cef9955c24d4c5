#pragma once
// The anchor's end of the tether: a unix stream socket the float connects to. An open connection
// tells the float the anchor lives; lines from encode() tell it what the swarm says
// (resign/resume, peers, trackers). Every new connection gets the current state at once.

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::tether {

class Server {
public:
    Server(boost::asio::any_io_executor executor, std::string socket_path);
    ~Server();

    /// Replaces a stale socket file, listens and starts accepting; an error in words on failure.
    /// Listens at the path again whenever the file disappears.
    std::optional<std::string> start();
    /// Closes the listener and every connection, and removes the socket file if it is still
    /// this server's.
    void stop();

    /// How often the server checks that its socket file still exists.
    static constexpr std::chrono::seconds kPathCheckInterval{2};

    /// Sets whether the float must resign (and why); sends resign/resume on the first call and
    /// whenever it changes, and to every float that connects once known.
    void set_resign(std::optional<std::string> reason);
    /// Sets the other managers (the float's peers). Sends them on the first call, even an empty
    /// list, and then whenever the list changes; until the first call nothing about peers is sent,
    /// not even to a float that connects.
    void set_peers(std::vector<net::IpAddress> peers);
    /// Sets the state of the tracker `name` ("service:NAME"); sends it when `up` or `reason`
    /// changes. Trackers are never forgotten: every new connection gets each one's last state.
    void set_tracker(std::string name, bool up, std::string reason);

    /// Tells every connected float that this anchor stops for an update and leaves it running:
    /// it should wait up to `within` for the next anchor instead of resigning. Completes once
    /// the line is written (or after a short deadline), so that the caller may stop() next.
    boost::asio::awaitable<void> hand_over(std::chrono::seconds within);

    std::size_t connections() const { return sessions_.size(); }

private:
    struct Session;
    std::optional<std::string> listen();
    boost::asio::awaitable<void> watch_path();
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> read_until_closed(std::shared_ptr<Session> session);
    void send(const std::shared_ptr<Session>& session, std::string line);
    boost::asio::awaitable<void> write_queued(std::shared_ptr<Session> session);
    void broadcast(const std::string& line);
    void greet(const std::shared_ptr<Session>& session);

    boost::asio::any_io_executor executor_;
    std::string socket_path_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer accept_retry_;
    boost::asio::steady_timer path_check_;
    std::optional<std::pair<dev_t, ino_t>> socket_file_;  ///< the file this server bound
    std::list<std::shared_ptr<Session>> sessions_;
    bool resign_known_ = false;  ///< set_resign() was called
    std::optional<std::string> resign_reason_;
    std::optional<std::vector<net::IpAddress>> peers_;
    struct TrackerState {
        bool up = false;
        std::string reason;
    };
    std::map<std::string, TrackerState> trackers_;
    bool stopped_ = false;
};

}  // namespace ks::tether
