#pragma once
// A real http::Server with the buoy's routes on a loopback port, run on its own thread, and a
// blocking raw-socket client that can send anything (half requests, garbage, one byte at a time).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "keepalived_swarm/http/server.hpp"
#include "roles/buoy/buoy_routes.hpp"

namespace ks::test {

/// The buoy's server on 127.0.0.1:<free port>, serving from a background thread.
class LiveServer {
public:
    explicit LiveServer(http::ServerLimits limits) {
        state_.node_hostname = "node1";
        state_.container_id = "container1";
        state_.started = std::chrono::steady_clock::now();
        server_.emplace(io_.get_executor(), roles::buoy::make_router(state_), limits);
        state_.server = &*server_;
        const auto bound =
            server_->listen_tcp({boost::asio::ip::address_v4::loopback(), 0}).value();
        port_ = bound.port();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~LiveServer() {
        begin_stop();
        wait_stopped();
    }
    LiveServer(const LiveServer&) = delete;
    LiveServer& operator=(const LiveServer&) = delete;

    unsigned short port() const { return port_; }

    /// Starts the graceful stop and returns at once.
    void begin_stop() {
        if (stopping_) return;
        stopping_ = true;
        boost::asio::post(
            io_, [this] { boost::asio::co_spawn(io_, server_->stop(), boost::asio::detached); });
    }
    /// Waits until stop() completed and the server's thread has nothing left to do.
    void wait_stopped() {
        if (thread_.joinable()) thread_.join();
    }

    /// Runs `read` on the server's thread and returns its result.
    template <typename Read>
    auto on_server(Read read) {
        using Result = decltype(read(*server_));
        std::promise<Result> result;
        boost::asio::post(io_, [&] { result.set_value(read(*server_)); });
        return result.get_future().get();
    }
    http::ServerCounters counters() {
        return on_server([](http::Server& server) { return server.counters(); });
    }
    std::size_t connection_count() {
        return on_server([](http::Server& server) { return server.connection_count(); });
    }

private:
    boost::asio::io_context io_{1};
    roles::buoy::BuoyState state_;
    std::optional<http::Server> server_;
    unsigned short port_ = 0;
    std::thread thread_;
    bool stopping_ = false;
};

/// A blocking TCP client to 127.0.0.1 with a receive timeout, sending raw bytes; it connects
/// from `source` (any 127/8 address: loopback answers them all), so tests can be two clients.
class RawClient {
public:
    explicit RawClient(unsigned short port, int receive_timeout_ms = 5000,
                       const char* source = "127.0.0.1") {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval timeout{receive_timeout_ms / 1000, (receive_timeout_ms % 1000) * 1000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source, &local.sin_addr);
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) return;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ =
            ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    }
    ~RawClient() { ::close(fd_); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return connected_; }

    /// Sends all of `data`; false when the connection is closed.
    bool send(std::string_view data) {
        while (!data.empty()) {
            const auto sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (sent <= 0) return false;
            data.remove_prefix(static_cast<std::size_t>(sent));
        }
        return true;
    }

    /// Reads one response (head, then Content-Length bytes); empty when the connection closed
    /// (or the timeout passed) before a whole head arrived.
    std::string read_response() {
        for (;;) {
            const auto head_end = pending_.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                const auto body_length = content_length(pending_.substr(0, head_end));
                const auto total = head_end + 4 + body_length;
                while (pending_.size() < total) {
                    if (!receive_some()) return {};
                }
                std::string response = pending_.substr(0, total);
                pending_.erase(0, total);
                return response;
            }
            if (!receive_some()) return {};
        }
    }

    /// True when the server closed the connection (end of file or reset) within the timeout;
    /// data still arriving is read and dropped.
    bool closed_by_server() {
        char buffer[4096];
        for (;;) {
            const auto received = ::recv(fd_, buffer, sizeof buffer, 0);
            if (received == 0) return true;
            if (received < 0) return errno == ECONNRESET;
        }
    }

    /// True when the server has closed the connection already (no waiting).
    bool closed_now() {
        pollfd poll_fd{fd_, POLLIN, 0};
        if (::poll(&poll_fd, 1, 0) <= 0) return false;
        char byte;
        const auto received = ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return received == 0 || (received < 0 && errno == ECONNRESET);
    }

private:
    static std::size_t content_length(const std::string& head) {
        const auto at = head.find("Content-Length: ");
        if (at == std::string::npos) return 0;
        return std::stoul(head.substr(at + 16));
    }
    bool receive_some() {
        char buffer[4096];
        const auto received = ::recv(fd_, buffer, sizeof buffer, 0);
        if (received <= 0) return false;
        pending_.append(buffer, static_cast<std::size_t>(received));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    std::string pending_;
};

inline constexpr std::string_view kHealthRequest = "GET /health HTTP/1.1\r\nHost: buoy\r\n\r\n";

/// True when GET /health from `source` is answered 200 within `timeout_ms`.
inline bool answers_health(unsigned short port, const char* source = "127.0.0.1",
                           int timeout_ms = 5000) {
    RawClient client(port, timeout_ms, source);
    return client.connected() && client.send(kHealthRequest) &&
           client.read_response().starts_with("HTTP/1.1 200 OK");
}

}  // namespace ks::test
