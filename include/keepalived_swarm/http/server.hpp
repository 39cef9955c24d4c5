#pragma once
// An HTTP/1.1 server on TCP and unix-socket listeners, for the buoy and the float's status socket.
// Everything (accepting, parsing, the router's handlers) runs on the one executor it is given, so
// handlers may read state the role changes on that executor without locks. Keep-alive; requests
// of a connection are answered one at a time in order, and bytes of further pipelined requests
// stay in a bounded buffer (then in the kernel), so a client cannot queue unbounded work.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "keepalived_swarm/http/router.hpp"

namespace ks::http {

/// What one connection and the whole server may use; beyond a limit the server answers 431/413
/// or closes the connection.
struct ServerLimits {
    std::size_t max_header_bytes = 8 * 1024;  ///< request line + header fields; else 431
    std::size_t max_body_bytes = 64 * 1024;   ///< else 413
    /// A keep-alive connection waiting for the first byte of its next request.
    std::chrono::milliseconds idle_timeout{60'000};
    /// From the first byte of a request to the end of its header (cuts slowloris clients).
    std::chrono::milliseconds header_timeout{10'000};
    /// From the end of the header to the end of the body.
    std::chrono::milliseconds body_timeout{10'000};
    /// Writing one response.
    std::chrono::milliseconds write_timeout{10'000};
    /// Open connections. At the cap a new connection is let in by closing the one that has gone
    /// longest without completing a request (idle keep-alive or stalled mid-request), so stalled
    /// clients cannot lock new ones out. Memory: each connection holds at most a read buffer of
    /// max_header_bytes + 4 KiB (freed while it is idle) and one response being written, so the
    /// cap times that bounds what connections cost.
    std::size_t max_connections = 4096;
    /// Open connections from one TCP client address (0: no limit); beyond it a new connection
    /// from that address is closed at once, so one host cannot fill the table. Unix-socket
    /// clients have no address and are exempt (the global cap and eviction still apply).
    std::size_t max_connections_per_client = 32;
    /// How long stop() lets requests in flight finish before closing their connections.
    std::chrono::milliseconds shutdown_timeout{5'000};
};

/// Event counts since the server started (for metrics and tests).
struct ServerCounters {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_refused = 0;  ///< their client was at its per-client limit
    std::uint64_t connections_evicted = 0;  ///< closed to make room at the global cap
    std::uint64_t requests = 0;             ///< answered by the router
    std::uint64_t bad_requests = 0;         ///< malformed or over a limit (400/413/431)
    std::uint64_t timeouts = 0;             ///< connections cut by a timeout
};

namespace detail {
struct ServerState;
}

/// Serves a Router. Not thread-safe: use it from its executor's thread (or pass a strand).
class Server {
public:
    Server(boost::asio::any_io_executor executor, Router router, ServerLimits limits = {});
    /// Closes listeners and connections at once (stop() is the graceful way).
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Listens on `endpoint` (port 0 picks a free port); returns the bound endpoint.
    boost::system::result<boost::asio::ip::tcp::endpoint> listen_tcp(
        const boost::asio::ip::tcp::endpoint& endpoint);

    /// Listens on a unix socket at `path`, replacing a stale socket file (one nobody answers on)
    /// and making it connectable by every user (peers may see it through a read-only mount).
    /// Errors: address_in_use when a live server answers there, file_exists when `path` is not
    /// a socket, filename_too_long, or what bind/listen report. stop() removes the file.
    boost::system::error_code listen_unix(const std::string& path);

    /// Stops accepting, closes idle connections, lets requests in flight finish (at most
    /// ServerLimits::shutdown_timeout), answering them with "Connection: close"; completes when
    /// every connection is closed. With a callback: co_spawn(executor, server.stop(), callback).
    boost::asio::awaitable<void> stop();

    /// Connections open now.
    std::size_t connection_count() const;
    ServerCounters counters() const;

private:
    std::shared_ptr<detail::ServerState> state_;
};

}  // namespace ks::http
