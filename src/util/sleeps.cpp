#include "keepalived_swarm/util/sleeps.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::util {

boost::asio::awaitable<void> Sleeps::sleep(std::chrono::milliseconds duration) {
    if (cancelled_) co_return;
    boost::asio::steady_timer timer(executor_, duration);
    timers_.insert(&timer);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    timers_.erase(&timer);
}

void Sleeps::cancel_all() {
    cancelled_ = true;
    for (auto* timer : timers_) timer->cancel();
}

}  // namespace ks::util
