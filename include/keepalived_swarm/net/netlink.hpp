#pragma once
// Interfaces and addresses through rtnetlink (no `ip` command): list links and addresses, add and
// remove the VIPs. Requests are synchronous: the kernel answers within microseconds, so the
// float's single thread may wait for it.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "keepalived_swarm/net/ip_prefix.hpp"
#include "keepalived_swarm/net/route_events.hpp"

namespace ks::net {

/// A NETLINK_ROUTE socket for requests (events come through a NetlinkMonitor).
class RouteNetlink {
public:
    static boost::system::result<RouteNetlink> open();
    RouteNetlink(RouteNetlink&& other) noexcept;
    RouteNetlink& operator=(RouteNetlink&& other) noexcept;
    RouteNetlink(const RouteNetlink&) = delete;
    RouteNetlink& operator=(const RouteNetlink&) = delete;
    ~RouteNetlink();

    boost::system::result<std::vector<Link>> links();
    boost::system::result<std::vector<InterfaceAddress>> addresses();
    /// Adds `prefix` to the interface; IPv6 without duplicate address detection, so the address is
    /// usable (and announceable) at once. Present already: success.
    boost::system::error_code add_address(int interface_index, const IpPrefix& prefix);
    /// Removes `address` (whatever its prefix length). Absent already: success.
    boost::system::error_code remove_address(int interface_index, const IpPrefix& prefix);
    /// Drops the kernel's neighbour entry (ARP / NDP) for `address`, so the next packet to it
    /// resolves the link-layer address at once instead of at the next retransmission of a failed
    /// resolution (up to retrans_time_ms later). Absent already: success.
    boost::system::error_code forget_neighbour(int interface_index, const IpAddress& address);

private:
    explicit RouteNetlink(int fd);
    /// Asks for a dump of links (RTM_GETLINK) or addresses (RTM_GETADDR) and hands each answer to
    /// `on_message`.
    boost::system::error_code dump(
        std::uint16_t type, const std::function<void(std::span<const std::uint8_t>)>& on_message);
    boost::system::error_code request_with_ack(const std::vector<std::uint8_t>& message);
    /// Sends `request`, hands each reply message to `on_message`, and ends at NLMSG_DONE or at
    /// NLMSG_ERROR (an acknowledgement when its error is 0).
    boost::system::error_code exchange(
        const std::vector<std::uint8_t>& request,
        const std::function<void(std::span<const std::uint8_t>)>& on_message);

    int fd_ = -1;
    std::uint32_t sequence_ = 0;
    /// One buffer for every reply, allocated with the socket rather than for each request: a
    /// float adds or removes a VIP per instance, 64 of them at once on a failover.
    std::unique_ptr<std::uint8_t[]> reply_buffer_;
};

/// Whether a kernel of this release (uname -r, such as "6.1.0-18-amd64") keeps the IFA_PROTO
/// mark on addresses (Linux 5.18 and later); an unreadable release counts as no.
bool kernel_keeps_address_protocol(std::string_view release);
/// The same for the running kernel.
bool kernel_keeps_address_protocol();

}  // namespace ks::net
