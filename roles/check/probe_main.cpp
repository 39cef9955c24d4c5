// keepalived-swarm probe URL: exits 0 when URL answers 2xx in time (container healthchecks).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <iostream>

#include "keepalived_swarm/config/probe_config.hpp"
#include "roles/roles.hpp"

namespace ks::roles {

int run_probe(const std::vector<std::string>& args) {
    auto loaded = config::load_role_config<config::ProbeConfig>(config::probe_role_description(),
                                                                args, config::process_environment(),
                                                                config::parse_probe_config);
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code;
    const auto& config = std::get<config::ProbeConfig>(loaded);

    boost::asio::io_context io(1);
    http::Client client(io.get_executor(), config.endpoint);
    http::Request request;
    request.target = config.endpoint.target;
    int exit_code = 1;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto answer = co_await client.request(std::move(request), config.timeout);
            if (!answer) {
                std::cerr << "keepalived-swarm probe: " << config.url
                          << " did not answer: " << client.last_error() << "\n";
            } else if (!answer->ok()) {
                std::cerr << "keepalived-swarm probe: " << config.url << " answered HTTP "
                          << answer->status << ", not 2xx\n";
            } else {
                exit_code = 0;
            }
        },
        [&config](std::exception_ptr error) {
            if (!error) return;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "keepalived-swarm probe: " << config.url << ": " << e.what() << "\n";
            }
        });
    io.run();
    return exit_code;
}

}  // namespace ks::roles
