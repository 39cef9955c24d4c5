#include "keepalived_swarm/net/netlink_monitor.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

#include "keepalived_swarm/util/system_error.hpp"

namespace ks::net {
namespace {

using boost::system::error_code;
using boost::system::result;

// A link going down or a container stopping on a busy Docker host sends a burst of notifications
// while the float's single thread may be busy elsewhere; every one dropped costs a full re-read of
// the state. The kernel reserves nothing up front: this is only a limit.
constexpr int kReceiveBufferBytes = 4 * 1024 * 1024;

// One notification is one message of a few KiB at most; a larger buffer costs nothing while idle.
constexpr std::size_t kDatagramBytes = 64 * 1024;

void enlarge_receive_buffer(int fd) {
    // SO_RCVBUFFORCE passes net.core.rmem_max but needs CAP_NET_ADMIN, which a float holding VIPs
    // has. Without it, SO_RCVBUF gets as much as rmem_max allows. Neither is fatal: a small buffer
    // only makes kRouteEventsLost likelier, and that is handled.
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBufferBytes,
                     sizeof kReceiveBufferBytes) == 0) {
        return;
    }
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes, sizeof kReceiveBufferBytes);
}

bool must_wait(const error_code& error) {
    return error == boost::system::errc::resource_unavailable_try_again ||
           error == boost::system::errc::operation_would_block ||
           error == boost::system::errc::interrupted;
}

}  // namespace

result<NetlinkMonitor> NetlinkMonitor::open(const boost::asio::any_io_executor& executor) {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return util::last_system_error();
    // Before bind(): the first notifications may arrive as soon as the groups are joined.
    enlarge_receive_buffer(fd);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
        const auto error = util::last_system_error();
        ::close(fd);
        return error;
    }
    boost::asio::posix::stream_descriptor descriptor(executor);
    error_code error;
    descriptor.assign(fd, error);
    if (error) {
        ::close(fd);
        return error;
    }
    NetlinkMonitor monitor(std::move(descriptor));
    monitor.buffer_.resize(kDatagramBytes);
    return monitor;
}

result<std::vector<RouteEvent>> NetlinkMonitor::read_one() {
    sockaddr_nl from{};
    iovec vector{buffer_.data(), buffer_.size()};
    msghdr header{};
    header.msg_name = &from;
    header.msg_namelen = sizeof from;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    const ssize_t received = ::recvmsg(descriptor_.native_handle(), &header, MSG_DONTWAIT);
    // ENOBUFS (the kernel's overflow report) comes out here as kRouteEventsLost.
    if (received < 0) return util::last_system_error();
    // The rest of the datagram is gone, and with it possibly an event.
    if ((header.msg_flags & MSG_TRUNC) != 0) return util::system_error(ENOBUFS);
    // Any local process may send to this socket's port: only the kernel (port 0) is believed, or
    // a forged "address removed" could make the float act.
    if (from.nl_pid != 0) return std::vector<RouteEvent>{};
    return parse_route_events(
        std::span<const std::uint8_t>(buffer_.data(), static_cast<std::size_t>(received)));
}

boost::asio::awaitable<result<std::vector<RouteEvent>>> NetlinkMonitor::receive() {
    for (;;) {
        auto events = read_one();
        if (events) {
            if (!events->empty()) co_return events;
            continue;  // nothing for the caller in that one; more may be queued behind it
        }
        if (!must_wait(events.error())) co_return events.error();
        auto [error] =
            co_await descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
        if (error) co_return error;
    }
}

void NetlinkMonitor::close() {
    error_code ignored;
    descriptor_.close(ignored);
}

}  // namespace ks::net
