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
    std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::
                                                                                   error_code& ec,
                                                                               int number) {
        if (ec || finished) return;
        anchor.stop();
        // A second signal while the float is being stopped ends the anchor at once.
        signals.async_wait([&](const boost::system::error_code& again, int) {
            if (again || finished) return;
            log::warn("second signal: exiting without waiting for the float", {{"signal", number}});
            io.stop();
        });
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
