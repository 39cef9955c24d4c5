#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "roles/anchor/anchor.hpp"
#include "roles/anchor/anchor_config.hpp"
#include "roles/roles.hpp"

namespace ks::roles {

int run_anchor(const std::vector<std::string>& args) {
    auto loaded = config::load_role_config<anchor::AnchorConfig>(
        anchor::anchor_role_description(), args, config::process_environment(),
        anchor::parse_anchor_config);
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code;
    auto& config = std::get<anchor::AnchorConfig>(loaded);
    log::configure(config.common.log_level, config.common.log_format, "anchor");

    boost::asio::io_context io;
    anchor::Anchor anchor(io, std::move(config));
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    int exit_code = 1;
    bool finished = false;
    // A second SIGINT (Ctrl-C again at a terminal) ends the anchor at once, leaving the float
    // stopped but not removed. A second SIGTERM does not: `docker stack rm` can deliver two a
    // second apart, and leaving the float behind on every node is worse than waiting; Docker
    // kills the anchor after its stop grace period if the float never stops.
    std::function<void(const boost::system::error_code&, int)> on_again = [&](const boost::system::
                                                                                  error_code& again,
                                                                              int number) {
        if (again || finished) return;
        if (number != SIGINT) {
            log::info("signal again while stopping the float; still stopping it",
                      {{"signal", number}});
            signals.async_wait(on_again);
            return;
        }
        log::warn("second interrupt: exiting without waiting for the float", {{"signal", number}});
        io.stop();
    };
    auto on_signal = [&](const boost::system::error_code& ec, int) {
        if (ec || finished) return;
        anchor.stop();
        signals.async_wait(on_again);
    };
    signals.async_wait(on_signal);
    boost::asio::co_spawn(io, anchor.run(), [&](std::exception_ptr error, int code) {
        finished = true;
        exit_code = code;
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                log::error("the anchor failed", {{"error", e.what()}});
            }
            exit_code = 1;
        }
        boost::system::error_code ignored;
        signals.cancel(ignored);
        io.stop();
    });
    io.run();
    return exit_code;
}

}  // namespace ks::roles
