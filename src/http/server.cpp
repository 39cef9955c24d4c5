#include "keepalived_swarm/http/server.hpp"

#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cerrno>
#include <exception>
#include <list>
#include <optional>
#include <vector>

#include "keepalived_swarm/http/connection_table.hpp"
#include "keepalived_swarm/http/server_support.hpp"
#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/report_throttle.hpp"
#include "keepalived_swarm/util/system_error.hpp"

namespace ks::http {
namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using UnixProtocol = asio::local::stream_protocol;
using namespace std::chrono_literals;

namespace {

/// Bytes asked of the kernel per read: a typical request fits, an idle connection stays small.
constexpr std::size_t kReadChunk = 4096;
/// What a rejected request may still send before its connection is closed (lingering close).
constexpr std::size_t kLingerBytes = 64 * 1024;
constexpr auto kLingerTimeout = 1s;
constexpr auto kAcceptRetryDelay = 100ms;
/// Refused and evicted connections are logged at most this often (an attack is one message
/// per interval, with a count, not one per connection).
constexpr auto kAbuseReportInterval = 10s;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

void log_session_failure(std::exception_ptr error) {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        log::error("HTTP connection ended by an exception", {{"error", e.what()}});
    } catch (...) {
        log::error("HTTP connection ended by an unknown exception");
    }
}

}  // namespace

namespace detail {

enum class Phase {
    idle,     ///< waiting for the first byte of a request: stop() may close it at once
    reading,  ///< a request has begun
    writing,
    closing,
};

class Connection;

struct ServerState {
    ServerState(asio::any_io_executor executor_in, Router router_in, ServerLimits limits_in)
        : executor(std::move(executor_in)),
          router(std::move(router_in)),
          limits(limits_in),
          table(limits.max_connections, limits.max_connections_per_client),
          sweep_timer(executor),
          drained_timer(executor) {
        const auto shortest = std::min({limits.idle_timeout, limits.header_timeout,
                                        limits.body_timeout, limits.write_timeout});
        sweep_interval = std::clamp<Clock::duration>(shortest / 4, 10ms, 1s);
    }

    asio::any_io_executor executor;
    Router router;
    ServerLimits limits;
    ServerCounters counters;
    std::list<tcp::acceptor> tcp_acceptors;
    std::list<UnixProtocol::acceptor> unix_acceptors;
    struct UnixFile {
        std::string path;
        dev_t device;
        ino_t inode;
    };
    std::vector<UnixFile> unix_files;
    /// Connections not closed yet, least recently active first.
    ConnectionTable<Connection*> table;
    /// Sessions still running, closed or not: stop() completes when none is left.
    std::size_t live_sessions = 0;
    std::size_t accept_loops = 0;
    util::ReportThrottle refusal_reports{kAbuseReportInterval};
    util::ReportThrottle eviction_reports{kAbuseReportInterval};
    bool stopping = false;
    Clock::time_point stop_deadline = Clock::time_point::max();
    asio::steady_timer sweep_timer;
    Clock::duration sweep_interval;
    bool sweeping = false;
    asio::steady_timer drained_timer;

    bool drained() const { return live_sessions == 0 && accept_loops == 0; }
    void notify_if_drained() {
        if (stopping && drained()) drained_timer.cancel();
    }
    void close_listeners();
    void begin_stop(Clock::duration grace);
    /// Decides on a connection just accepted from `client`, evicting the stalest one when the
    /// table is full; false when the connection is to be closed.
    bool admit(const ClientAddress& client);
};

/// A connection as the server tracks it, whatever its socket type.
class Connection {
public:
    Connection(std::shared_ptr<ServerState> state, ClientAddress client)
        : state_(std::move(state)) {
        position_ = state_->table.insert(this, std::move(client));
        ++state_->live_sessions;
    }
    virtual ~Connection() {
        if (!closed_) state_->table.erase(position_);
        if (--state_->live_sessions == 0) state_->sweep_timer.cancel();
        state_->notify_if_drained();
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Closes the socket; the session notices at its next step and ends.
    void close() {
        if (closed_) return;
        closed_ = true;
        state_->table.erase(position_);
        close_socket();
    }
    bool closed() const { return closed_; }
    Phase phase() const { return phase_; }
    Clock::time_point deadline() const { return deadline_; }
    /// During stop(), requests in flight get at most the shutdown grace.
    void limit_deadline(Clock::time_point limit) { deadline_ = std::min(deadline_, limit); }

protected:
    void enter(Phase phase, Clock::duration timeout) {
        phase_ = phase;
        deadline_ = std::min(Clock::now() + timeout, state_->stop_deadline);
    }
    /// A request was answered: this connection becomes the last to be evicted.
    void mark_active() {
        if (!closed_) state_->table.mark_active(position_);
    }
    virtual void close_socket() = 0;

    std::shared_ptr<ServerState> state_;

private:
    ConnectionTable<Connection*>::Handle position_;
    Phase phase_ = Phase::idle;
    Clock::time_point deadline_ = Clock::time_point::max();
    bool closed_ = false;
};

void ServerState::close_listeners() {
    error_code ignored;
    for (auto& acceptor : tcp_acceptors) acceptor.close(ignored);
    for (auto& acceptor : unix_acceptors) acceptor.close(ignored);
    for (const auto& file : unix_files) {
        // Only our own socket file: a newer server may have replaced it already.
        struct stat info {};
        if (::lstat(file.path.c_str(), &info) == 0 && info.st_dev == file.device &&
            info.st_ino == file.inode) {
            ::unlink(file.path.c_str());
        }
    }
    unix_files.clear();
}

void ServerState::begin_stop(Clock::duration grace) {
    if (stopping) return;
    stopping = true;
    stop_deadline = Clock::now() + grace;
    close_listeners();
    table.for_each([this](Connection* connection) {
        if (connection->phase() == Phase::idle) {
            connection->close();
        } else {
            connection->limit_deadline(stop_deadline);
        }
    });
    notify_if_drained();
}

bool ServerState::admit(const ClientAddress& client) {
    switch (table.admission(client)) {
        case Admission::admit:
            return true;
        case Admission::refuse_client_limit:
            ++counters.connections_refused;
            if (refusal_reports.due(Clock::now())) {
                log::warn(
                    "closing new HTTP connections of a client that holds too many; if it is "
                    "legitimate, raise the per-client connection limit",
                    {{"client", to_string(client)},
                     {"limit", limits.max_connections_per_client},
                     {"refused_since_last_report", refusal_reports.unreported}});
                refusal_reports.unreported = 0;
            }
            return false;
        case Admission::admit_after_evicting:
            table.stalest()->close();
            ++counters.connections_evicted;
            if (eviction_reports.due(Clock::now())) {
                log::warn(
                    "HTTP connection limit reached; closing the connections that went longest "
                    "without a request to let new ones in; raise the connection limit if "
                    "clients are legitimate",
                    {{"limit", limits.max_connections},
                     {"evicted_since_last_report", eviction_reports.unreported}});
                eviction_reports.unreported = 0;
            }
            return true;
    }
    return false;
}

/// Closes connections whose deadline passed; runs while there are connections.
asio::awaitable<void> sweep(std::shared_ptr<ServerState> state) {
    while (state->live_sessions > 0) {
        state->sweep_timer.expires_after(state->sweep_interval);
        co_await state->sweep_timer.async_wait(use_tuple);
        const auto now = Clock::now();
        state->table.for_each([&](Connection* connection) {
            if (connection->deadline() <= now) {
                ++state->counters.timeouts;
                connection->close();
            }
        });
    }
    state->sweeping = false;
}

/// One connection: reads requests, asks the router, writes responses, until either side ends.
template <typename Protocol>
class Session final : public Connection {
public:
    using Socket = typename Protocol::socket;

    Session(std::shared_ptr<ServerState> state, Socket socket, ClientAddress client)
        : Connection(std::move(state), std::move(client)),
          socket_(std::move(socket)),
          buffer_(state_->limits.max_header_bytes + kReadChunk) {}

    asio::awaitable<void> run() {
        const ServerLimits& limits = state_->limits;
        while (!closed()) {
            beast_http::request_parser<beast_http::string_body> parser;
            parser.header_limit(static_cast<std::uint32_t>(
                std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
            parser.body_limit(limits.max_body_bytes);
            parser.eager(true);
            const error_code read_error = co_await read_request(parser);
            if (read_error) {
                co_await answer_read_error(read_error);
                break;
            }
            ServerResponse response = state_->router.handle(parser.get());
            ++state_->counters.requests;
            if (state_->stopping) response.keep_alive(false);
            const auto write_error = co_await write_response(response);
            if (write_error || !response.keep_alive()) break;
            mark_active();
        }
        if (!closed()) {
            error_code ignored;
            socket_.shutdown(asio::socket_base::shutdown_send, ignored);
        }
        close();
    }

private:
    void close_socket() override {
        error_code ignored;
        socket_.close(ignored);
    }

    /// Writes head and body with one system call when the socket takes them.
    asio::awaitable<error_code> write_response(const ServerResponse& response) {
        enter(Phase::writing, state_->limits.write_timeout);
        write_head(response, head_);
        const std::array<asio::const_buffer, 2> pieces{asio::buffer(head_),
                                                       asio::buffer(response.body())};
        const auto [ec, written] = co_await asio::async_write(socket_, pieces, use_tuple);
        co_return ec;
    }

    /// Reads one whole request into `parser`; an error code when there is none (closed by the
    /// peer or by a timeout, malformed, over a limit).
    asio::awaitable<error_code> read_request(
        beast_http::request_parser<beast_http::string_body>& parser) {
        const ServerLimits& limits = state_->limits;
        bool started = false;
        bool header_done = false;
        enter(Phase::idle, limits.idle_timeout);
        // An idle connection keeps no read buffer: thousands of them must stay cheap.
        if (buffer_.size() == 0) buffer_.shrink_to_fit();
        for (;;) {
            while (buffer_.size() > 0) {
                if (!started) {
                    started = true;
                    enter(Phase::reading, limits.header_timeout);
                }
                error_code ec;
                const std::size_t used = parser.put(buffer_.data(), ec);
                buffer_.consume(used);
                if (ec == beast_http::error::need_more) break;
                if (ec) co_return ec;
                if (!header_done && parser.is_header_done()) {
                    header_done = true;
                    enter(Phase::reading, limits.body_timeout);
                }
                if (parser.is_done()) co_return error_code{};
                if (used == 0) break;
            }
            if (closed() || (!started && state_->stopping))
                co_return asio::error::operation_aborted;
            const std::size_t room = buffer_.max_size() - buffer_.size();
            if (room == 0) co_return beast_http::error::header_limit;
            auto [ec, received] = co_await socket_.async_read_some(
                buffer_.prepare(std::min(room, kReadChunk)), use_tuple);
            if (closed()) co_return asio::error::operation_aborted;
            if (ec == asio::error::eof && started) {
                error_code eof_error;
                parser.put_eof(eof_error);
                if (!eof_error && parser.is_done()) co_return error_code{};
                co_return eof_error ? eof_error : beast_http::error::partial_message;
            }
            if (ec) co_return ec;
            buffer_.commit(received);
        }
    }

    /// Tells the client what was wrong with its request, then closes without resetting the
    /// connection under the response (reads and drops what it still sends, briefly).
    asio::awaitable<void> answer_read_error(const error_code& ec) {
        if (closed()) co_return;
        auto response = response_to_read_error(ec, state_->limits);
        if (!response) co_return;
        ++state_->counters.bad_requests;
        response->keep_alive(false);
        response->prepare_payload();
        const auto write_error = co_await write_response(*response);
        if (write_error || closed()) co_return;
        error_code ignored;
        socket_.shutdown(asio::socket_base::shutdown_send, ignored);
        enter(Phase::closing,
              std::min<Clock::duration>(kLingerTimeout, state_->limits.write_timeout));
        std::size_t dropped = 0;
        buffer_.clear();
        while (!closed() && dropped < kLingerBytes) {
            auto [read_error, received] =
                co_await socket_.async_read_some(buffer_.prepare(kReadChunk), use_tuple);
            if (read_error) break;
            dropped += received;
        }
    }

    Socket socket_;
    boost::beast::flat_buffer buffer_;
    std::string head_;  ///< the response head being written, reused
};

template <typename Protocol>
asio::awaitable<void> serve_connection(std::shared_ptr<ServerState> state,
                                       std::unique_ptr<Session<Protocol>> session) {
    if (!state->sweeping) {
        state->sweeping = true;
        asio::co_spawn(state->executor, sweep(state), log_session_failure);
    }
    co_await session->run();
}

template <typename Protocol>
asio::awaitable<void> accept_connections(std::shared_ptr<ServerState> state,
                                         typename Protocol::acceptor& acceptor) {
    ++state->accept_loops;
    struct Finished {
        ServerState& state;
        ~Finished() {
            --state.accept_loops;
            state.notify_if_drained();
        }
    } finished{*state};
    asio::steady_timer retry_timer(state->executor);
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (state->stopping || !acceptor.is_open() || ec == asio::error::operation_aborted) break;
        if (ec) {
            // Out of descriptors and the like: wait instead of spinning, then try again.
            log::warn("cannot accept an HTTP connection; retrying", {{"error", ec.message()}});
            retry_timer.expires_after(kAcceptRetryDelay);
            co_await retry_timer.async_wait(use_tuple);
            continue;
        }
        ClientAddress client;
        if constexpr (std::is_same_v<Protocol, tcp>) {
            error_code peer_error;
            const auto peer = socket.remote_endpoint(peer_error);
            if (peer_error) continue;  // already gone; the socket closes here
            client = client_address_of(peer.address());
        }
        if (!state->admit(client)) {
            error_code ignored;
            socket.close(ignored);
            continue;
        }
        ++state->counters.connections_accepted;
        if constexpr (std::is_same_v<Protocol, tcp>) {
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
        }
        // Made here, not in the coroutine, so the table counts it before the next accept.
        auto session =
            std::make_unique<Session<Protocol>>(state, std::move(socket), std::move(client));
        asio::co_spawn(state->executor, serve_connection<Protocol>(state, std::move(session)),
                       log_session_failure);
    }
}

}  // namespace detail

namespace {

/// True when a server answers on the unix socket at `path` (so it is not stale).
bool unix_socket_answers(const asio::any_io_executor& executor, const std::string& path) {
    UnixProtocol::socket probe(executor);
    error_code ec;
    probe.open(UnixProtocol(), ec);
    if (ec) return false;
    probe.non_blocking(true, ec);
    probe.connect(UnixProtocol::endpoint(path), ec);
    // A full backlog (would_block) means a live but busy server.
    return !ec || ec == asio::error::would_block || ec == asio::error::try_again;
}

}  // namespace

Server::Server(asio::any_io_executor executor, Router router, ServerLimits limits)
    : state_(
          std::make_shared<detail::ServerState>(std::move(executor), std::move(router), limits)) {}

Server::~Server() {
    state_->stopping = true;
    state_->close_listeners();
    state_->table.for_each([](detail::Connection* connection) { connection->close(); });
    state_->sweep_timer.cancel();
    state_->drained_timer.cancel();
}

boost::system::result<tcp::endpoint> Server::listen_tcp(const tcp::endpoint& endpoint) {
    if (state_->stopping) return asio::error::operation_aborted;
    tcp::acceptor acceptor(state_->executor);
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    auto bound = acceptor.local_endpoint(ec);
    if (ec) return ec;
    auto& listening = state_->tcp_acceptors.emplace_back(std::move(acceptor));
    asio::co_spawn(state_->executor, detail::accept_connections<tcp>(state_, listening),
                   log_session_failure);
    return bound;
}

error_code Server::listen_unix(const std::string& path) {
    if (state_->stopping) return asio::error::operation_aborted;
    if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path)) {
        return make_error_code(boost::system::errc::filename_too_long);
    }
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0) {
        if (!S_ISSOCK(info.st_mode)) return make_error_code(boost::system::errc::file_exists);
        if (unix_socket_answers(state_->executor, path)) {
            return make_error_code(boost::system::errc::address_in_use);
        }
        if (::unlink(path.c_str()) != 0) return util::last_system_error();
    }
    UnixProtocol::acceptor acceptor(state_->executor);
    error_code ec;
    acceptor.open(UnixProtocol(), ec);
    if (!ec) acceptor.bind(UnixProtocol::endpoint(path), ec);
    if (ec) return ec;
    // Peers run as other users and may see the socket through a read-only bind mount; what
    // guards it is who can reach the folder.
    if (::chmod(path.c_str(), 0666) != 0 || ::lstat(path.c_str(), &info) != 0) {
        ec = util::last_system_error();
        ::unlink(path.c_str());
        return ec;
    }
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        ::unlink(path.c_str());
        return ec;
    }
    state_->unix_files.push_back({path, info.st_dev, info.st_ino});
    auto& listening = state_->unix_acceptors.emplace_back(std::move(acceptor));
    asio::co_spawn(state_->executor, detail::accept_connections<UnixProtocol>(state_, listening),
                   log_session_failure);
    return {};
}

asio::awaitable<void> Server::stop() {
    const auto state = state_;
    state->begin_stop(state->limits.shutdown_timeout);
    while (!state->drained()) {
        state->drained_timer.expires_at(Clock::time_point::max());
        co_await state->drained_timer.async_wait(use_tuple);
    }
}

std::size_t Server::connection_count() const {
    return state_->table.size();
}

ServerCounters Server::counters() const {
    return state_->counters;
}

}  // namespace ks::http
