#include "keepalived_swarm/http/client.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <functional>

#include "keepalived_swarm/http/response_reading.hpp"
#include "keepalived_swarm/version.hpp"

namespace ks::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using boost::system::result;

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

using UnixStream = beast::basic_stream<asio::local::stream_protocol>;
using TcpStream = beast::tcp_stream;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

bool is_disconnect(const error_code& ec) {
    return ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == bhttp::error::partial_message;
}

bhttp::request<bhttp::string_body> make_request(const Request& request, const Endpoint& endpoint) {
    bhttp::request<bhttp::string_body> message;
    message.method_string(request.method);
    message.target(request.target);
    message.version(11);
    message.set(bhttp::field::host, endpoint.host_header());
    message.set(bhttp::field::user_agent, std::string("keepalived-swarm/") + kVersion);
    for (const auto& [name, value] : request.headers) message.set(name, value);
    if (!request.body.empty()) {
        message.set(bhttp::field::content_type, request.content_type);
        message.body() = request.body;
    }
    message.prepare_payload();
    return message;
}

}  // namespace

std::optional<std::string_view> Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

// The connection and the two call flows, written once for both stream types.
struct Client::Connection {
    asio::any_io_executor executor;
    Endpoint endpoint;
    ClientLimits limits;
    std::optional<UnixStream> unix_stream;
    std::optional<TcpStream> tcp_stream;
    beast::flat_buffer buffer;
    bool cancelled = false;
    /// Counts cancel() calls: a call that was waiting for its turn when one came is cancelled
    /// too, instead of starting once the connection is free.
    unsigned cancel_count = 0;
    std::string last_error;
    /// One call at a time owns the connection; the others wait for their turn on this timer.
    bool busy = false;
    std::optional<asio::steady_timer> turn;  // made with the executor, in Client's constructor

    /// Waits until no other call uses the connection, then takes it; false (and the connection
    /// not taken) when cancel() was called meanwhile.
    asio::awaitable<bool> acquire() {
        const unsigned cancels_before = cancel_count;
        while (busy) {
            turn->expires_at(asio::steady_timer::time_point::max());
            co_await turn->async_wait(asio::as_tuple(asio::use_awaitable));
            if (cancel_count != cancels_before) break;
        }
        if (cancel_count != cancels_before) {
            last_error = "call to " + endpoint.to_string() + ": " +
                         make_error_code(Errc::cancelled).message() +
                         " (while waiting for an earlier call on the same connection)";
            co_return false;
        }
        busy = true;
        co_return true;
    }
    /// Gives the connection back and wakes the waiting calls (the first to run takes it).
    void release() {
        busy = false;
        turn->cancel();
    }

    bool is_open() const {
        return (unix_stream && unix_stream->socket().is_open()) ||
               (tcp_stream && tcp_stream->socket().is_open());
    }

    void close() {
        error_code ignored;
        if (unix_stream) unix_stream->socket().close(ignored);
        if (tcp_stream) tcp_stream->socket().close(ignored);
    }

    /// Turns a low-level failure into an Errc and remembers the reason in words.
    error_code fail(std::string_view doing, const error_code& ec) {
        close();
        Errc code = Errc::protocol;
        if (cancelled) {
            code = Errc::cancelled;
        } else if (ec == beast::error::timeout) {
            code = Errc::timeout;
        } else if (doing == "connect" || doing == "resolve") {
            code = Errc::unreachable;
        } else if (ec == bhttp::error::body_limit) {
            code = Errc::body_too_large;
        } else if (is_disconnect(ec)) {
            code = Errc::disconnected;
        } else if (ec.category() != make_error_code(bhttp::error::bad_version).category()) {
            code = Errc::disconnected;
        }
        last_error = std::string(doing) + " " + endpoint.to_string() + ": " +
                     make_error_code(code).message() + " (" + ec.message() + ")";
        return make_error_code(code);
    }

    asio::awaitable<error_code> connect(UnixStream& stream) {
        auto [ec] = co_await stream.async_connect(
            asio::local::stream_protocol::endpoint(endpoint.socket_path), kNoThrow);
        co_return ec;
    }

    asio::awaitable<error_code> connect(TcpStream& stream) {
        asio::ip::tcp::resolver resolver(executor);
        auto [resolve_ec, results] =
            co_await resolver.async_resolve(endpoint.host, endpoint.port, kNoThrow);
        if (resolve_ec) co_return resolve_ec;
        auto [ec, connected] = co_await stream.async_connect(results, kNoThrow);
        co_return ec;
    }

    /// The open stream, connecting first when there is none; `reused` says whether it was open.
    template <typename Stream>
    asio::awaitable<result<Stream*>> open(std::optional<Stream>& slot, bool& reused,
                                          std::chrono::steady_clock::time_point deadline) {
        reused = slot && slot->socket().is_open();
        if (reused) co_return &*slot;
        slot.emplace(executor);
        buffer.clear();
        slot->expires_at(deadline);
        const error_code ec = co_await connect(*slot);
        if (ec) co_return fail("connect", ec);
        co_return &*slot;
    }

    template <typename Stream>
    asio::awaitable<result<Response>> do_request(std::optional<Stream>& slot,
                                                 const Request& request,
                                                 std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        const auto message = make_request(request, endpoint);
        for (int attempt = 0;; ++attempt) {
            bool reused = false;
            auto stream = co_await open(slot, reused, deadline);
            if (!stream) co_return stream.error();
            (*stream)->expires_at(deadline);
            auto [write_ec, written] = co_await bhttp::async_write(**stream, message, kNoThrow);
            // A kept-alive connection the server has closed meanwhile fails at once: reconnect.
            if (write_ec && reused && attempt == 0 && is_disconnect(write_ec)) {
                close();
                continue;
            }
            if (write_ec) co_return fail("send to", write_ec);
            WholeResponseParser parser;
            apply_limits(parser, limits, request.method == "HEAD");
            auto [read_ec, read] = co_await bhttp::async_read(**stream, buffer, parser, kNoThrow);
            if (read_ec && reused && attempt == 0 && !parser.got_some() && is_disconnect(read_ec)) {
                close();
                continue;
            }
            if (read_ec) co_return fail("read from", read_ec);
            (*stream)->expires_never();
            Response response;
            copy_head(parser.get().base(), response);
            response.body = std::move(parser.get().body());
            if (!parser.keep_alive()) close();
            co_return response;
        }
    }

    template <typename Stream>
    asio::awaitable<result<Response>> do_stream(
        std::optional<Stream>& slot, const Request& request, const DataHandler& on_data,
        std::chrono::milliseconds headers_timeout,
        const std::function<void(const Response&)>& on_head) {
        const auto deadline = std::chrono::steady_clock::now() + headers_timeout;
        const auto message = make_request(request, endpoint);
        for (int attempt = 0;; ++attempt) {
            bool reused = false;
            auto stream = co_await open(slot, reused, deadline);
            if (!stream) co_return stream.error();
            Stream& s = **stream;
            s.expires_at(deadline);
            auto [write_ec, written] = co_await bhttp::async_write(s, message, kNoThrow);
            if (write_ec && reused && attempt == 0 && is_disconnect(write_ec)) {
                close();
                continue;
            }
            if (write_ec) co_return fail("send to", write_ec);
            StreamedResponseParser parser;
            apply_limits(parser, limits);
            auto [head_ec, head_read] =
                co_await bhttp::async_read_header(s, buffer, parser, kNoThrow);
            if (head_ec && reused && attempt == 0 && !parser.got_some() && is_disconnect(head_ec)) {
                close();
                continue;
            }
            if (head_ec) co_return fail("read from", head_ec);
            Response response;
            copy_head(parser.get().base(), response);
            bool stopped = false;
            error_code body_ec;
            if (response.ok()) {
                s.expires_never();
                if (on_head) on_head(response);
                body_ec = co_await read_streamed_body(s, buffer, parser, on_data, stopped);
            } else {
                const std::size_t limit = limits.max_error_body;
                body_ec = co_await read_streamed_body(
                    s, buffer, parser,
                    [&response, limit](std::string_view data) {
                        response.body.append(data.substr(0, limit - response.body.size()));
                        return response.body.size() < limit;
                    },
                    stopped);
            }
            if (body_ec) co_return fail("read from", body_ec);
            if (stopped || !parser.keep_alive()) close();
            s.expires_never();
            co_return response;
        }
    }
};

Client::Client(asio::any_io_executor executor, Endpoint endpoint, ClientLimits limits)
    : connection_(std::make_unique<Connection>()) {
    connection_->turn.emplace(executor);
    connection_->executor = std::move(executor);
    connection_->endpoint = std::move(endpoint);
    connection_->limits = limits;
}

Client::~Client() = default;

namespace {
/// Releases the connection when a call ends, however it ends.
struct TurnGuard {
    std::function<void()> release;
    ~TurnGuard() { release(); }
};
}  // namespace

asio::awaitable<result<Response>> Client::request(Request request,
                                                  std::chrono::milliseconds timeout) {
    auto& c = *connection_;
    if (!co_await c.acquire()) co_return make_error_code(Errc::cancelled);
    const TurnGuard guard{[&c] { c.release(); }};
    c.cancelled = false;
    if (c.endpoint.transport == Endpoint::Transport::unix_socket) {
        co_return co_await c.do_request(c.unix_stream, request, timeout);
    }
    co_return co_await c.do_request(c.tcp_stream, request, timeout);
}

asio::awaitable<result<Response>> Client::stream(Request request, DataHandler on_data,
                                                 std::chrono::milliseconds headers_timeout,
                                                 std::function<void(const Response&)> on_head) {
    auto& c = *connection_;
    if (!co_await c.acquire()) co_return make_error_code(Errc::cancelled);
    const TurnGuard guard{[&c] { c.release(); }};
    c.cancelled = false;
    if (c.endpoint.transport == Endpoint::Transport::unix_socket) {
        co_return co_await c.do_stream(c.unix_stream, request, on_data, headers_timeout, on_head);
    }
    co_return co_await c.do_stream(c.tcp_stream, request, on_data, headers_timeout, on_head);
}

void Client::cancel() {
    connection_->cancelled = true;
    ++connection_->cancel_count;
    connection_->close();
    connection_->turn->cancel();
}

void Client::close() {
    connection_->close();
}

const std::string& Client::last_error() const {
    return connection_->last_error;
}

const Endpoint& Client::endpoint() const {
    return connection_->endpoint;
}

}  // namespace ks::http
