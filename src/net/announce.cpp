#include "keepalived_swarm/net/announce.hpp"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "keepalived_swarm/util/system_error.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"

namespace ks::net {
namespace {

constexpr MacAddress kBroadcastMac = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
/// ff02::1 maps to 33:33:00:00:00:01 (RFC 2464 7).
constexpr MacAddress kAllNodesMac = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
constexpr std::uint8_t kIcmpv6 = 58;
constexpr std::uint8_t kNeighbourAdvertisement = 136;

template <typename Range>
void append(std::vector<std::uint8_t>& out, const Range& bytes) {
    out.insert(out.end(), std::begin(bytes), std::end(bytes));
}

void append16(std::vector<std::uint8_t>& out, unsigned value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

void ethernet_header(std::vector<std::uint8_t>& out, const MacAddress& destination,
                     const MacAddress& source, unsigned ether_type) {
    append(out, destination);
    append(out, source);
    append16(out, ether_type);
}

}  // namespace

std::vector<std::uint8_t> gratuitous_arp_frame(const MacAddress& mac,
                                               const boost::asio::ip::address_v4& address) {
    std::vector<std::uint8_t> frame;
    frame.reserve(42);
    ethernet_header(frame, kBroadcastMac, mac, ETH_P_ARP);
    append16(frame, ARPHRD_ETHER);
    append16(frame, ETH_P_IP);
    frame.push_back(6);  // hardware address length
    frame.push_back(4);  // protocol address length
    append16(frame, ARPOP_REQUEST);
    const auto ip = address.to_bytes();
    append(frame, mac);
    append(frame, ip);
    append(frame, kBroadcastMac);  // target hardware address, as keepalived sends it
    append(frame, ip);
    return frame;
}

std::vector<std::uint8_t> unsolicited_na_frame(const MacAddress& mac,
                                               const boost::asio::ip::address_v6& address) {
    const auto target = address.to_bytes();
    const auto all_nodes = boost::asio::ip::make_address_v6("ff02::1").to_bytes();

    std::vector<std::uint8_t> icmp;
    icmp.push_back(kNeighbourAdvertisement);
    icmp.push_back(0);                                         // code
    append16(icmp, 0);                                         // checksum, filled below
    append(icmp, std::array<std::uint8_t, 4>{0x20, 0, 0, 0});  // R=0 S=0 O=1
    append(icmp, target);
    icmp.push_back(2);  // option: target link-layer address
    icmp.push_back(1);  // length in units of 8 bytes
    append(icmp, mac);

    // RFC 4443 2.3: the checksum covers the IPv6 pseudo-header.
    std::vector<std::uint8_t> pseudo;
    append(pseudo, target);
    append(pseudo, all_nodes);
    append(pseudo, std::array<std::uint8_t, 4>{0, 0, 0, static_cast<std::uint8_t>(icmp.size())});
    append(pseudo, std::array<std::uint8_t, 4>{0, 0, 0, kIcmpv6});
    append(pseudo, icmp);
    const auto checksum = vrrp::internet_checksum(pseudo);
    icmp[2] = static_cast<std::uint8_t>(checksum >> 8);
    icmp[3] = static_cast<std::uint8_t>(checksum & 0xFF);

    std::vector<std::uint8_t> frame;
    frame.reserve(14 + 40 + icmp.size());
    ethernet_header(frame, kAllNodesMac, mac, ETH_P_IPV6);
    append(frame, std::array<std::uint8_t, 4>{0x60, 0, 0, 0});  // version 6, class 0, flow 0
    append16(frame, static_cast<unsigned>(icmp.size()));
    frame.push_back(kIcmpv6);
    frame.push_back(255);  // hop limit: RFC 4861 7.1.2 requires 255
    append(frame, target);
    append(frame, all_nodes);
    append(frame, icmp);
    return frame;
}

boost::system::result<Announcer> Announcer::open(int interface_index, const MacAddress& mac) {
    // Protocol 0: this socket only sends, so the kernel never queues received frames on it.
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return util::last_system_error();
    return Announcer(fd, interface_index, mac);
}

Announcer::Announcer(Announcer&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      interface_index_(other.interface_index_),
      mac_(other.mac_) {}

Announcer& Announcer::operator=(Announcer&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        interface_index_ = other.interface_index_;
        mac_ = other.mac_;
    }
    return *this;
}

Announcer::~Announcer() {
    if (fd_ >= 0) ::close(fd_);
}

boost::system::error_code Announcer::announce(const IpAddress& address) {
    const auto frame = address.is_v4() ? gratuitous_arp_frame(mac_, address.to_v4())
                                       : unsolicited_na_frame(mac_, address.to_v6());
    sockaddr_ll destination{};
    destination.sll_family = AF_PACKET;
    destination.sll_ifindex = interface_index_;
    destination.sll_halen = 6;
    std::copy_n(frame.begin(), 6, destination.sll_addr);
    destination.sll_protocol = static_cast<unsigned short>(
        __builtin_bswap16(static_cast<std::uint16_t>(address.is_v4() ? ETH_P_ARP : ETH_P_IPV6)));
    if (::sendto(fd_, frame.data(), frame.size(), MSG_DONTWAIT,
                 reinterpret_cast<const sockaddr*>(&destination), sizeof destination) < 0) {
        return util::last_system_error();
    }
    return {};
}

}  // namespace ks::net
