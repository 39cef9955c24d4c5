#pragma once
// Keeps the buoy's view of the float fresh: fetches GET /status from the float's unix socket
// every refresh interval, so requests read a recent copy instead of each asking the float.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

#include "keepalived_swarm/http/client.hpp"
#include "roles/buoy/buoy_state.hpp"

namespace ks::roles::buoy {

/// Refreshes a FloatView from the float's status socket until stopped.
class FloatWatch {
public:
    /// How often the float is asked: /status is at most this old, and the float sees 4
    /// requests a second however many clients the buoy has.
    static constexpr std::chrono::milliseconds kRefreshInterval{250};
    /// Time allowed for one fetch.
    static constexpr std::chrono::milliseconds kFetchTimeout{1000};

    FloatWatch(boost::asio::any_io_executor executor, std::string socket_path, FloatView& view);

    /// Fetches until stop(); run it with co_spawn on the executor the handlers run on.
    boost::asio::awaitable<void> run();
    /// Ends run() at its next step.
    void stop();

private:
    std::string socket_path_;
    FloatView& view_;
    http::Client client_;
    boost::asio::steady_timer timer_;
    bool stopped_ = false;
};

}  // namespace ks::roles::buoy
