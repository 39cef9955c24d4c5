#pragma once
// The float's end of the tether: a unix stream connection to the anchor. Open = the anchor lives.
// The kernel closes it the moment the anchor's process dies, so the float learns at once, without
// polling. Reconnects with backoff; delivers the anchor's messages as they arrive.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "keepalived_swarm/tether/messages.hpp"
#include "keepalived_swarm/util/report_throttle.hpp"

namespace ks::tether {

class Client {
public:
    struct Handlers {
        std::function<void(bool connected)> on_connection;
        std::function<void(const Message&)> on_message;
    };

    Client(const boost::asio::any_io_executor& executor, std::string socket_path,
           Handlers handlers);
    /// Starts connecting (and reconnecting) in the background.
    void start();
    /// Closes the connection and stops reconnecting.
    void stop();
    bool connected() const { return connected_; }

    static constexpr std::chrono::milliseconds kFirstRetry{50};
    static constexpr std::chrono::milliseconds kMaxRetry{1000};
    /// Lines longer than this end the connection: the anchor never sends such.
    static constexpr std::size_t kMaxLineBytes = 64 * 1024;

private:
    boost::asio::awaitable<void> run();
    void set_connected(bool connected);
    void report_undecodable(const Undecodable& problem, std::string_view line);

    boost::asio::any_io_executor executor_;
    std::string socket_path_;
    Handlers handlers_;
    boost::asio::local::stream_protocol::socket socket_;
    boost::asio::steady_timer retry_timer_;
    bool connected_ = false;
    bool stopped_ = false;
    /// A broken anchor must not flood the log: one warning a minute, with a count.
    util::ReportThrottle undecodable_reports_{std::chrono::minutes(1)};
};

}  // namespace ks::tether
