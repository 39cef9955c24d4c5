#pragma once
// The float's end of the tether: a unix stream connection to the anchor. Open = the anchor lives.
// The kernel closes it the moment the anchor's process dies, so the float learns at once, without
// polling. Reconnects with backoff; delivers the anchor's messages as they arrive. When the
// connection closes while another anchor already listens at the path (the swarm started the
// replacement of the anchor's task before stopping it), moves to that one without a disconnect;
// after a handover message (a rolling update) it waits for the next anchor as long as asked.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "keepalived_swarm/tether/messages.hpp"
#include "keepalived_swarm/util/report_throttle.hpp"

namespace ks::tether {

class Client {
public:
    struct Handlers {
        std::function<void(bool connected)> on_connection;
        std::function<void(const Message&)> on_message;
        /// The connection moved to another anchor without a disconnect: what the last one said
        /// about its own trackers is the float's to forget (the next one reports its own).
        std::function<void()> on_handover;
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
    /// How often the next anchor is looked for after a handover message.
    static constexpr std::chrono::milliseconds kHandoverRetry{100};
    /// Lines longer than this end the connection: the anchor never sends such.
    static constexpr std::size_t kMaxLineBytes = 64 * 1024;

private:
    boost::asio::awaitable<void> run();
    /// Reads and delivers lines until the connection ends; false when it ended because the
    /// float stops or the anchor broke the protocol (no handover then).
    boost::asio::awaitable<bool> read_until_lost();
    /// Connects to the path, retrying until `deadline` (once when it has passed).
    boost::asio::awaitable<bool> connect_until(std::chrono::steady_clock::time_point deadline);
    void set_connected(bool connected);
    void report_undecodable(const Undecodable& problem, std::string_view line);

    boost::asio::any_io_executor executor_;
    std::string socket_path_;
    Handlers handlers_;
    boost::asio::local::stream_protocol::socket socket_;
    boost::asio::steady_timer retry_timer_;
    bool connected_ = false;
    /// Set by a handover message: until then, a closed connection waits for the next anchor.
    std::optional<std::chrono::steady_clock::time_point> handover_deadline_;
    bool stopped_ = false;
    /// A broken anchor must not flood the log: one warning a minute, with a count.
    util::ReportThrottle undecodable_reports_{std::chrono::minutes(1)};
};

}  // namespace ks::tether
