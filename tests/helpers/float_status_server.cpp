// A stand-in for the float's status socket in buoy tests: serves GET /status and GET /metrics
// for a status document read from a file, with the project's own HTTP server, until SIGTERM.
//
//   ks_float_status_server SOCKET_PATH STATUS_JSON_FILE

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "keepalived_swarm/http/server.hpp"
#include "keepalived_swarm/status/float_status.hpp"

int main(int argc, char** argv) {
    using namespace ks;
    if (argc != 3) {
        std::cerr << "usage: ks_float_status_server SOCKET_PATH STATUS_JSON_FILE\n";
        return 2;
    }
    std::ifstream file(argv[2]);
    std::stringstream text;
    text << file.rdbuf();
    const auto status = status::parse_float_status(text.str());
    if (!file || !status) {
        std::cerr << "ks_float_status_server: " << argv[2]
                  << " is not a readable float status document\n";
        return 2;
    }
    http::Router router;
    router.add(http::Method::get, "/status", [&status](const http::ServerRequest&) {
        return http::json_response(http::Status::ok,
                                   boost::json::serialize(status::to_json(*status)));
    });
    router.add(http::Method::get, "/metrics", [&status](const http::ServerRequest&) {
        return http::make_response(http::Status::ok, status::to_prometheus(*status),
                                   "text/plain; version=0.0.4; charset=utf-8");
    });
    boost::asio::io_context io(1);
    http::Server server(io.get_executor(), std::move(router));
    if (const auto error = server.listen_unix(argv[1])) {
        std::cerr << "ks_float_status_server: cannot listen on " << argv[1] << ": "
                  << error.message() << "\n";
        return 1;
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int) {
        if (!error) boost::asio::co_spawn(io, server.stop(), boost::asio::detached);
    });
    std::cout << "listening on " << argv[1] << std::endl;
    io.run();
    return 0;
}
