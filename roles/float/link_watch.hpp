#pragma once
// What happens on the float's interface, as it happens: the link going down or losing its
// carrier, addresses leaving (a VIP deleted behind the float's back, the node's own address), and
// other hosts claiming addresses over ARP / NDP. It reports; the VRRP engine decides.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "keepalived_swarm/net/address_claim_watcher.hpp"
#include "keepalived_swarm/net/netlink_monitor.hpp"

namespace ks::roles::float_role {

/// Held by shared_ptr: each receive loop keeps it alive until close() has ended it.
class LinkWatch : public std::enable_shared_from_this<LinkWatch> {
public:
    struct Handlers {
        std::function<void(const net::RouteEvent&)> on_route_event;
        /// Notifications were lost (the kernel's buffer overflowed): read the state afresh.
        std::function<void()> on_events_lost;
        std::function<void(const net::AddressClaim&)> on_claim;
    };

    /// Subscribes to rtnetlink and listens for claims on `link` (needs CAP_NET_RAW); the error
    /// says which failed.
    static boost::system::result<std::shared_ptr<LinkWatch>> open(
        const boost::asio::any_io_executor& executor, const net::Link& link, Handlers handlers);

    void start();
    void close();
    int interface_index() const { return interface_index_; }

    LinkWatch(const boost::asio::any_io_executor& executor, int interface_index,
              net::NetlinkMonitor monitor, net::AddressClaimWatcher claims, Handlers handlers);

private:
    boost::asio::awaitable<void> watch_routes(std::shared_ptr<LinkWatch> self);
    boost::asio::awaitable<void> watch_claims(std::shared_ptr<LinkWatch> self);

    boost::asio::any_io_executor executor_;
    int interface_index_;
    net::NetlinkMonitor monitor_;
    net::AddressClaimWatcher claims_;
    Handlers handlers_;
    bool closed_ = false;
};

}  // namespace ks::roles::float_role
