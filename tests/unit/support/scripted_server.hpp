#pragma once
// A tiny HTTP server on a unix socket in a temporary folder, for client tests: each request is
// answered by a handler returning raw bytes (so tests can send broken, chunked, slow or partial
// answers that a real server would not).

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ks::test {

/// What the server does with one request.
struct Reply {
    std::vector<std::string> pieces;   ///< raw bytes, written one after the other
    std::chrono::milliseconds gap{0};  ///< pause before each piece
    bool close_after = false;          ///< close the connection after the last piece
    bool hang = false;                 ///< after the pieces, keep the connection open, silent
};

/// One received request: the head as text, and the body.
struct ReceivedRequest {
    std::string head;
    std::string body;
    /// "GET /_ping" from "GET /_ping HTTP/1.1".
    std::string line() const { return head.substr(0, head.find(" HTTP/")); }
};

/// Builds a complete response with a Content-Length body.
inline std::string response_bytes(unsigned status, const std::string& body,
                                  const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
           extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// The head of a chunked 200 response; follow with chunk_bytes() pieces and "0\r\n\r\n".
inline std::string chunked_head(const std::string& extra_headers = "") {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra_headers +
           "Transfer-Encoding: chunked\r\n\r\n";
}

/// One chunk of a chunked body.
inline std::string chunk_bytes(const std::string& data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
}

class ScriptedServer {
public:
    using Handler = std::function<Reply(const ReceivedRequest&)>;

    ScriptedServer(boost::asio::io_context& io, Handler handler)
        : acceptor_(io), handler_(std::move(handler)) {
        char folder[] = "/tmp/ks-test-XXXXXX";
        folder_ = ::mkdtemp(folder);
        path_ = folder_ + "/server.sock";
        acceptor_.open();
        acceptor_.bind(boost::asio::local::stream_protocol::endpoint(path_));
        acceptor_.listen();
        boost::asio::co_spawn(io, accept_loop(), boost::asio::detached);
    }
    ~ScriptedServer() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        std::filesystem::remove_all(folder_, ignored);
    }

    const std::string& path() const { return path_; }
    int connections() const { return *connections_; }
    const std::vector<ReceivedRequest>& requests() const { return *requests_; }
    /// Stops accepting and closes the open connections (their readers end).
    void stop() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto& socket : *open_) socket->close(ignored);
    }

private:
    using Socket = boost::asio::local::stream_protocol::socket;

    boost::asio::awaitable<void> accept_loop() {
        const auto open = open_;
        while (true) {
            auto [ec, socket] =
                co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) co_return;
            ++*connections_;
            auto shared = std::make_shared<Socket>(std::move(socket));
            open->push_back(shared);
            boost::asio::co_spawn(acceptor_.get_executor(), serve(shared, handler_, requests_),
                                  boost::asio::detached);
        }
    }

    static boost::asio::awaitable<void> serve(std::shared_ptr<Socket> socket, Handler handler,
                                              std::shared_ptr<std::vector<ReceivedRequest>> log) {
        constexpr auto no_throw = boost::asio::as_tuple(boost::asio::use_awaitable);
        std::string buffer;
        while (true) {
            auto [ec, n] = co_await boost::asio::async_read_until(
                *socket, boost::asio::dynamic_buffer(buffer), "\r\n\r\n", no_throw);
            if (ec) co_return;
            ReceivedRequest request;
            request.head = buffer.substr(0, n);
            buffer.erase(0, n);
            std::size_t length = 0;
            if (auto at = request.head.find("Content-Length: "); at != std::string::npos) {
                length = std::stoul(request.head.substr(at + 16));
            }
            if (buffer.size() < length) {
                auto [body_ec, got] = co_await boost::asio::async_read(
                    *socket, boost::asio::dynamic_buffer(buffer),
                    boost::asio::transfer_exactly(length - buffer.size()), no_throw);
                if (body_ec) co_return;
            }
            request.body = buffer.substr(0, length);
            buffer.erase(0, length);
            log->push_back(request);
            const Reply reply = handler(request);
            boost::asio::steady_timer timer(socket->get_executor());
            for (const auto& piece : reply.pieces) {
                if (reply.gap.count() > 0) {
                    timer.expires_after(reply.gap);
                    co_await timer.async_wait(no_throw);
                }
                auto [write_ec, written] = co_await boost::asio::async_write(
                    *socket, boost::asio::buffer(piece), no_throw);
                if (write_ec) co_return;
            }
            if (reply.close_after) {
                boost::system::error_code ignored;
                socket->close(ignored);
                co_return;
            }
            if (reply.hang) {
                // Silent until the client gives up: wait for the client to close.
                char byte;
                co_await socket->async_read_some(boost::asio::buffer(&byte, 1), no_throw);
                co_return;
            }
        }
    }

    boost::asio::local::stream_protocol::acceptor acceptor_;
    Handler handler_;
    std::string folder_;
    std::string path_;
    std::shared_ptr<int> connections_ = std::make_shared<int>(0);
    std::shared_ptr<std::vector<ReceivedRequest>> requests_ =
        std::make_shared<std::vector<ReceivedRequest>>();
    std::shared_ptr<std::vector<std::shared_ptr<Socket>>> open_ =
        std::make_shared<std::vector<std::shared_ptr<Socket>>>();
};

/// Runs `body` as a coroutine on `io` until it finishes, rethrowing its exception.
template <typename Body>
void run_coroutine(boost::asio::io_context& io, Body body) {
    std::exception_ptr failure;
    bool finished = false;
    boost::asio::co_spawn(io, std::move(body), [&](std::exception_ptr error) {
        failure = error;
        finished = true;
        io.stop();
    });
    io.run();
    io.restart();
    if (failure) std::rethrow_exception(failure);
    if (!finished) throw std::runtime_error("the test coroutine did not finish");
}

}  // namespace ks::test
