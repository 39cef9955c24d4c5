#include "keepalived_swarm/util/signal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::util {

void Signal::notify() {
    pending_ = true;
    timer_.cancel();
}

boost::asio::awaitable<void> Signal::wait(std::chrono::milliseconds timeout) {
    if (!pending_) {
        timer_.expires_after(timeout);
        co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    pending_ = false;
}

}  // namespace ks::util
