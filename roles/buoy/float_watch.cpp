#include "roles/buoy/float_watch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "keepalived_swarm/log/log.hpp"

namespace ks::roles::buoy {

FloatWatch::FloatWatch(boost::asio::any_io_executor executor, std::string socket_path,
                       FloatView& view)
    : socket_path_(std::move(socket_path)),
      view_(view),
      client_(executor, http::unix_endpoint(socket_path_)),
      timer_(executor) {}

boost::asio::awaitable<void> FloatWatch::run() {
    bool was_reachable = false;
    bool logged_once = false;
    while (!stopped_) {
        http::Request request;
        request.target = "/status";
        auto answer = co_await client_.request(std::move(request), kFetchTimeout);
        if (stopped_) break;
        const auto now = std::chrono::system_clock::now();
        if (answer) {
            record_float_answer(view_, answer->status, answer->body, now);
        } else {
            record_float_failure(view_,
                                 client_.last_error() +
                                     "; is the float running on this node, and is its status "
                                     "socket mounted into the buoy at --float-socket?",
                                 now);
        }
        if (view_.reachable() != was_reachable || !logged_once) {
            if (view_.reachable()) {
                log::info("the float's status socket answers", {{"socket", socket_path_}});
            } else {
                log::warn("the float's status is unavailable; /status reports it unreachable",
                          {{"socket", socket_path_}, {"error", view_.error}});
            }
            was_reachable = view_.reachable();
            logged_once = true;
        }
        timer_.expires_after(kRefreshInterval);
        co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

void FloatWatch::stop() {
    stopped_ = true;
    client_.cancel();
    timer_.cancel();
}

}  // namespace ks::roles::buoy
