#include "roles/check/ask.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>

namespace ks::roles::check {

std::optional<http::Response> ask_once(const http::Endpoint& endpoint,
                                       std::chrono::milliseconds timeout, std::string_view command,
                                       std::string_view url, std::string_view hint) {
    boost::asio::io_context io(1);
    http::Client client(io.get_executor(), endpoint);
    http::Request request;
    request.target = endpoint.target;
    std::optional<http::Response> response;
    std::string failure;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto answer = co_await client.request(std::move(request), timeout);
            if (answer) {
                response = std::move(*answer);
            } else {
                failure = client.last_error();
            }
        },
        [&failure](std::exception_ptr error) {
            if (!error) return;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                failure = e.what();
            }
        });
    io.run();
    if (!response) {
        std::cerr << "keepalived-swarm " << command << ": " << url << " did not answer: " << failure
                  << (hint.empty() ? "" : "; ") << hint << "\n";
    }
    return response;
}

}  // namespace ks::roles::check
