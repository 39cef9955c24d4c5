#pragma once
// A small HTTP/1.1 client over a unix socket or TCP, for the Docker Engine API, the buoy's status
// fetch and the probe: one connection per Client, reused while the server keeps it alive, a
// deadline on every call, chunked bodies, and streamed bodies handed over as they arrive.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "keepalived_swarm/http/endpoint.hpp"

namespace ks::http {

/// One request. The body, when not empty, is sent as `content_type`.
struct Request {
    Request() = default;
    Request(std::string request_method, std::string request_target, std::string request_body = {})
        : method(std::move(request_method)),
          target(std::move(request_target)),
          body(std::move(request_body)) {}

    std::string method = "GET";
    std::string target = "/";
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
};

/// One answer. For a stream() the body is filled only when the status is not 2xx.
struct Response {
    unsigned status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// The first header named `name` (case-insensitive), nullopt when absent.
    std::optional<std::string_view> header(std::string_view name) const;
    bool ok() const { return status >= 200 && status < 300; }
};

/// Receives the pieces of a streamed body as they arrive; return false to stop reading.
using DataHandler = std::function<bool(std::string_view data)>;

/// Limits of a Client.
struct ClientLimits {
    std::size_t max_body = 8 * 1024 * 1024;  ///< request(): larger bodies fail
    std::size_t max_error_body = 64 * 1024;  ///< stream(): body kept of a non-2xx answer
    std::size_t max_header = 64 * 1024;      ///< status line and headers together
};

/// One connection to one server, opened on first use and kept while the server allows it.
/// Calls on one Client may be made from several coroutines of its executor: they never overlap
/// on the wire but run one at a time, in turn, on its one connection. A call's timeout starts when
/// it gets the connection, not while it waits for an earlier call. A stream holds the client until
/// it ends, so a request that must not wait for it needs a Client of its own.
class Client {
public:
    Client(boost::asio::any_io_executor executor, Endpoint endpoint, ClientLimits limits = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Sends `request` and reads the whole answer, all within `timeout`.
    boost::asio::awaitable<boost::system::result<Response>> request(
        Request request, std::chrono::milliseconds timeout);

    /// Sends `request`; when the status is 2xx hands each piece of the body to `on_data` as it
    /// arrives, for as long as the server sends (no deadline once headers are in). The returned
    /// Response has status and headers (and the body of a non-2xx answer). Stopping early from
    /// `on_data` closes the connection. `on_head`, if set, sees status and headers as soon as
    /// they arrive (a subscription is live from then on).
    boost::asio::awaitable<boost::system::result<Response>> stream(
        Request request, DataHandler on_data, std::chrono::milliseconds headers_timeout,
        std::function<void(const Response&)> on_head = {});

    /// Ends the call in progress and the calls waiting for their turn (they return
    /// Errc::cancelled) and closes the connection. Safe to call from another coroutine on the
    /// same executor, and when no call runs; calls made after it run as usual.
    void cancel();
    /// Closes the connection; the next call opens a new one.
    void close();

    /// What went wrong in the last failed call, in words: the endpoint and the system's reason.
    const std::string& last_error() const;
    const Endpoint& endpoint() const;

private:
    struct Connection;
    std::unique_ptr<Connection> connection_;
};

/// Splits a streamed body into lines (without the "\n" or "\r\n"), as the Docker events and
/// pull streams send one JSON object per line.
class LineSplitter {
public:
    explicit LineSplitter(std::size_t max_line = 1024 * 1024) : max_line_(max_line) {}

    /// Adds `data`; calls `on_line(std::string_view)` for every complete line. A line longer
    /// than the limit is dropped whole and counted in overflows(). Returns false as soon as
    /// `on_line` returns false (when it returns bool).
    template <typename OnLine>
    bool feed(std::string_view data, OnLine&& on_line) {
        for (char c : data) {
            if (c != '\n') {
                if (pending_.size() < max_line_) {
                    pending_ += c;
                } else {
                    overflowing_ = true;
                }
                continue;
            }
            const bool dropped = overflowing_;
            overflowing_ = false;
            if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
            std::string line = std::move(pending_);
            pending_.clear();
            if (dropped) {
                ++overflows_;
                continue;
            }
            if constexpr (std::is_same_v<std::invoke_result_t<OnLine, std::string_view>, bool>) {
                if (!on_line(std::string_view(line))) return false;
            } else {
                on_line(std::string_view(line));
            }
        }
        return true;
    }
    /// The text received after the last newline (a stream may end without one).
    std::string_view rest() const { return pending_; }
    std::size_t overflows() const { return overflows_; }

private:
    std::size_t max_line_;
    std::string pending_;
    bool overflowing_ = false;
    std::size_t overflows_ = 0;
};

}  // namespace ks::http
