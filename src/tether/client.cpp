#include "keepalived_swarm/tether/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/backoff.hpp"

namespace ks::tether {

namespace asio = boost::asio;

Client::Client(const asio::any_io_executor& executor, std::string socket_path, Handlers handlers)
    : executor_(executor),
      socket_path_(std::move(socket_path)),
      handlers_(std::move(handlers)),
      socket_(executor),
      retry_timer_(executor) {}

void Client::start() {
    asio::co_spawn(executor_, run(), asio::detached);
}

void Client::stop() {
    stopped_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    retry_timer_.cancel();
}

void Client::set_connected(bool connected) {
    if (connected_ == connected) return;
    connected_ = connected;
    if (handlers_.on_connection) handlers_.on_connection(connected);
}

asio::awaitable<void> Client::run() {
    util::Backoff retries(kFirstRetry, kMaxRetry);
    bool logged_failure = false;
    while (!stopped_) {
        boost::system::error_code ignored;
        socket_.close(ignored);
        auto [connect_error] =
            co_await socket_.async_connect(asio::local::stream_protocol::endpoint(socket_path_),
                                           asio::as_tuple(asio::use_awaitable));
        if (stopped_) break;
        if (connect_error) {
            if (!logged_failure) {
                log::warn("cannot reach the anchor's tether socket; retrying",
                          {{"path", socket_path_}, {"error", connect_error.message()}});
                logged_failure = true;
            }
            retry_timer_.expires_after(retries.next_delay());
            co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        log::info("tether to the anchor connected", {{"path", socket_path_}});
        logged_failure = false;
        auto connected_at = std::chrono::steady_clock::now();
        set_connected(true);
        while (co_await read_until_lost() && !stopped_) {
            // The swarm may start a task's replacement before the old task stops: the new anchor
            // already listens at the path. Move to it without resigning. After a handover
            // message (the anchor stops for a rolling update) wait for the successor up to the
            // time it named. A dead anchor leaves no listener (refused, or no file), and the
            // float resigns at once. A connection that did not hold is not handed over, so a
            // broken anchor cannot make this loop spin.
            if (std::chrono::steady_clock::now() - connected_at < kMaxRetry) break;
            const auto deadline = handover_deadline_.value_or(std::chrono::steady_clock::now());
            if (handover_deadline_) {
                log::info("waiting for the next anchor, as the last one asked",
                          {{"path", socket_path_}});
            }
            handover_deadline_.reset();
            if (!co_await connect_until(deadline)) break;
            log::info("tether handed over to another anchor", {{"path", socket_path_}});
            connected_at = std::chrono::steady_clock::now();
            if (handlers_.on_handover) handlers_.on_handover();
        }
        handover_deadline_.reset();
        if (stopped_) break;
        set_connected(false);
        // A connection that held is a new start; one the anchor closes at once (a broken or
        // overloaded anchor) must not make the float reconnect, resign and notify in a busy loop.
        if (std::chrono::steady_clock::now() - connected_at >= kMaxRetry) {
            retries.reset();
            continue;
        }
        retry_timer_.expires_after(retries.next_delay());
        co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    connected_ = false;
}

asio::awaitable<bool> Client::connect_until(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        boost::system::error_code ignored;
        socket_.close(ignored);
        auto [error] =
            co_await socket_.async_connect(asio::local::stream_protocol::endpoint(socket_path_),
                                           asio::as_tuple(asio::use_awaitable));
        if (stopped_) co_return false;
        if (!error) co_return true;
        if (std::chrono::steady_clock::now() >= deadline) co_return false;
        retry_timer_.expires_after(kHandoverRetry);
        co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopped_) co_return false;
    }
}

asio::awaitable<bool> Client::read_until_lost() {
    std::string buffer;
    for (;;) {
        auto [read_error, length] =
            co_await asio::async_read_until(socket_, asio::dynamic_buffer(buffer, kMaxLineBytes),
                                            '\n', asio::as_tuple(asio::use_awaitable));
        if (read_error) {
            if (stopped_) co_return false;
            // The dynamic buffer's limit ends the read with "element not found".
            const bool too_long = read_error == asio::error::not_found;
            log::warn("tether to the anchor lost",
                      {{"path", socket_path_},
                       {"reason", too_long ? "the anchor sent a line longer than " +
                                                 std::to_string(kMaxLineBytes / 1024) +
                                                 " KiB; is the anchor the same version?"
                                           : read_error.message()}});
            co_return !too_long;
        }
        const std::string line = buffer.substr(0, length - 1);
        buffer.erase(0, length);
        auto decoded = decode(line);
        if (auto* message = std::get_if<Message>(&decoded)) {
            if (const auto* handover = std::get_if<HandoverMessage>(message)) {
                handover_deadline_ = std::chrono::steady_clock::now() + handover->within;
            }
            if (handlers_.on_message) handlers_.on_message(*message);
        } else {
            report_undecodable(std::get<Undecodable>(decoded), line);
        }
    }
}

void Client::report_undecodable(const Undecodable& problem, std::string_view line) {
    if (!undecodable_reports_.due(std::chrono::steady_clock::now())) return;
    log::warn(
        "ignored a tether line from the anchor; check that anchor and float run the same "
        "image",
        {{"why", problem.why},
         {"line", std::string(line.substr(0, 200))},
         {"ignored_lines", std::to_string(undecodable_reports_.unreported)}});
    undecodable_reports_.unreported = 0;
}

}  // namespace ks::tether
