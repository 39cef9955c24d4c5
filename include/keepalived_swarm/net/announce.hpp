#pragma once
// Telling the link that the VIPs moved: gratuitous ARP (IPv4) and unsolicited neighbour
// advertisements (IPv6, RFC 4861 7.2.6), as whole Ethernet frames sent on a packet socket.

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <vector>

#include "keepalived_swarm/net/ip_prefix.hpp"
#include "keepalived_swarm/net/netlink.hpp"

namespace ks::net {

/// A broadcast ARP request whose sender and target are both `address` (RFC 5227 3).
std::vector<std::uint8_t> gratuitous_arp_frame(const MacAddress& mac,
                                               const boost::asio::ip::address_v4& address);
/// A neighbour advertisement for `address` to all nodes, Override set, Solicited clear,
/// with the target link-layer address option.
std::vector<std::uint8_t> unsolicited_na_frame(const MacAddress& mac,
                                               const boost::asio::ip::address_v6& address);

/// A packet socket on one interface that sends announcement frames (needs CAP_NET_RAW).
class Announcer {
public:
    static boost::system::result<Announcer> open(int interface_index, const MacAddress& mac);
    Announcer(Announcer&& other) noexcept;
    Announcer& operator=(Announcer&& other) noexcept;
    Announcer(const Announcer&) = delete;
    Announcer& operator=(const Announcer&) = delete;
    ~Announcer();

    /// Sends the frame announcing `address`: gratuitous ARP or unsolicited NA by family.
    boost::system::error_code announce(const IpAddress& address);

private:
    Announcer(int fd, int interface_index, const MacAddress& mac)
        : fd_(fd), interface_index_(interface_index), mac_(mac) {}

    int fd_ = -1;
    int interface_index_ = 0;
    MacAddress mac_{};
};

}  // namespace ks::net
