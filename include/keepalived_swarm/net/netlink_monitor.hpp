#pragma once
// The kernel's link and address notifications as they happen: a VIP deleted behind the float's
// back, an interface going down or losing its carrier, the node's own address leaving. Needs no
// privilege: any process may listen to these groups.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <vector>

#include "keepalived_swarm/net/route_events.hpp"

namespace ks::net {

/// What receive() returns when notifications were lost: the kernel dropped some because they
/// came faster than they were read (ENOBUFS), or one did not fit the buffer. The events that
/// follow are reliable again, but those lost are not coming back, so the state must be read
/// afresh with RouteNetlink::links() and addresses() and compared with what was known.
/// Test with `error == kRouteEventsLost` (ENOBUFS, whatever the category).
inline constexpr boost::system::errc::errc_t kRouteEventsLost =
    boost::system::errc::no_buffer_space;

/// A NETLINK_ROUTE socket subscribed to link, IPv4 address and IPv6 address notifications.
class NetlinkMonitor {
public:
    static boost::system::result<NetlinkMonitor> open(const boost::asio::any_io_executor& executor);

    /// Waits for the next notification that carries events and returns them in the kernel's
    /// order. Errors: kRouteEventsLost (see above; the monitor stays usable), operation_aborted
    /// after close(), or the socket's error.
    boost::asio::awaitable<boost::system::result<std::vector<RouteEvent>>> receive();
    /// Cancels a pending receive and closes the socket.
    void close();

private:
    explicit NetlinkMonitor(boost::asio::posix::stream_descriptor descriptor)
        : descriptor_(std::move(descriptor)) {}
    /// One datagram's events, or the error of reading it (would_block when there is none).
    boost::system::result<std::vector<RouteEvent>> read_one();

    boost::asio::posix::stream_descriptor descriptor_;
    std::vector<std::uint8_t> buffer_;
};

}  // namespace ks::net
