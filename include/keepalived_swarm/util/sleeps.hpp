#pragma once
// Sleeps that a stop ends at once: several coroutines of one owner back off at the same time, and
// its stop must not wait for the longest of their timers.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <set>

namespace ks::util {

class Sleeps {
public:
    explicit Sleeps(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

    /// Returns after `duration`, or at once when cancel_all() is called meanwhile or was before.
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration);
    /// Ends every sleep in progress, and makes later ones return at once.
    void cancel_all();

private:
    boost::asio::any_io_executor executor_;
    std::set<boost::asio::steady_timer*> timers_;  ///< one per sleeper
    bool cancelled_ = false;
};

}  // namespace ks::util
