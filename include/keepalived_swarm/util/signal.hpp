#pragma once
// A wake-up call between coroutines of one executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace ks::util {

/// notify() ends a wait at once or, if none runs, the next one: a wake-up is never lost, and
/// several before a wait count as one.
class Signal {
public:
    explicit Signal(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}
    void notify();
    /// Forgets a wake-up not yet waited for: the work about to start covers it.
    void clear() { pending_ = false; }
    /// Returns on notify() or after `timeout`.
    boost::asio::awaitable<void> wait(std::chrono::milliseconds timeout);

private:
    boost::asio::steady_timer timer_;
    bool pending_ = false;
};

}  // namespace ks::util
