#include "roles/float/link_watch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "keepalived_swarm/log/log.hpp"

namespace ks::roles::float_role {
namespace {

/// A socket error other than lost events would otherwise spin the loop.
constexpr std::chrono::milliseconds kRetryAfterError{100};

bool ended(const boost::system::error_code& error) {
    return error == boost::asio::error::operation_aborted ||
           error == boost::asio::error::bad_descriptor;
}

boost::asio::awaitable<void> pause(const boost::asio::any_io_executor& executor) {
    boost::asio::steady_timer timer(executor, kRetryAfterError);
    boost::system::error_code ignored;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
}

}  // namespace

boost::system::result<std::shared_ptr<LinkWatch>> LinkWatch::open(
    const boost::asio::any_io_executor& executor, const net::Link& link, Handlers handlers) {
    auto monitor = net::NetlinkMonitor::open(executor);
    if (!monitor) return monitor.error();
    auto claims = net::AddressClaimWatcher::open(executor, link.index, link.mac);
    if (!claims) return claims.error();
    return std::make_shared<LinkWatch>(executor, link.index, std::move(*monitor),
                                       std::move(*claims), std::move(handlers));
}

LinkWatch::LinkWatch(const boost::asio::any_io_executor& executor, int interface_index,
                     net::NetlinkMonitor monitor, net::AddressClaimWatcher claims,
                     Handlers handlers)
    : executor_(executor),
      interface_index_(interface_index),
      monitor_(std::move(monitor)),
      claims_(std::move(claims)),
      handlers_(std::move(handlers)) {}

void LinkWatch::start() {
    boost::asio::co_spawn(executor_, watch_routes(shared_from_this()), boost::asio::detached);
    boost::asio::co_spawn(executor_, watch_claims(shared_from_this()), boost::asio::detached);
}

void LinkWatch::close() {
    if (closed_) return;
    closed_ = true;
    monitor_.close();
    claims_.close();
}

boost::asio::awaitable<void> LinkWatch::watch_routes(
    [[maybe_unused]] std::shared_ptr<LinkWatch> self) {
    while (!closed_) {
        auto events = co_await monitor_.receive();
        if (closed_) break;
        if (!events) {
            if (ended(events.error())) break;
            if (events.error() == net::kRouteEventsLost) {
                log::warn("missed interface notifications; reading the interface's state again");
                handlers_.on_events_lost();
                continue;
            }
            log::warn("cannot read interface notifications", {{"error", events.error().message()}});
            co_await pause(executor_);
            continue;
        }
        for (const auto& event : *events) handlers_.on_route_event(event);
    }
}

boost::asio::awaitable<void> LinkWatch::watch_claims(
    [[maybe_unused]] std::shared_ptr<LinkWatch> self) {
    while (!closed_) {
        auto claim = co_await claims_.receive();
        if (closed_) break;
        if (!claim) {
            if (ended(claim.error())) break;
            // ENETDOWN while the link is down: the link tracker reports that; listen again.
            if (claim.error() != boost::asio::error::network_down) {
                log::debug("cannot read address claims", {{"error", claim.error().message()}});
            }
            co_await pause(executor_);
            continue;
        }
        handlers_.on_claim(*claim);
    }
}

}  // namespace ks::roles::float_role
