#include "keepalived_swarm/net/address_claim_watcher.hpp"

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>

#include "keepalived_swarm/util/system_error.hpp"

namespace ks::net {
namespace {

using boost::system::error_code;
using boost::system::result;

constexpr std::uint16_t kProtocolAll = ETH_P_ALL;
constexpr std::uint8_t kIcmpv6 = 58;
constexpr std::uint8_t kNeighbourAdvertisement = 136;
constexpr std::uint32_t kIpv6NextHeaderOffset = 14 + 6;
constexpr std::uint32_t kIcmpv6TypeOffset = 14 + 40;
constexpr std::uint32_t kVlanIdMask = 0x0FFF;
// Offsets past SKF_AD_OFF (negative) read what the kernel knows of the frame, not its bytes.
constexpr auto kVlanTagPresent = static_cast<std::uint32_t>(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT);
constexpr auto kVlanTag = static_cast<std::uint32_t>(SKF_AD_OFF + SKF_AD_VLAN_TAG);
/// Frames read between two waits on the socket: see receive().
constexpr int kFramesPerTurn = 64;

// Which frames wake the float. One socket bound to ETH_P_ALL, with this classic BPF program run
// by the kernel on every frame before anything is queued: it passes ARP and ICMPv6 neighbour
// advertisements only, so the float sleeps through all other traffic. Two sockets bound to
// ETH_P_ARP and ETH_P_IPV6 would need such a filter on the IPv6 one anyway, and two waits.
// Frames that belonged to a VLAN (a non-zero VLAN ID in the tag the kernel took off) are dropped:
// on a parent interface they come from another broadcast domain, and on the VLAN interface itself
// the kernel has cleared the tag. Priority-tagged frames (VLAN ID 0) are the interface's own. The
// tag is read only when present: kernels before 6.2 leave a cleared tag's value in place.
// Loads past the end of a short frame drop it. Sizes of the ancillary loads are libpcap's.
constexpr std::array<sock_filter, 14> kClaimFilter = {{
    /* 0 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kVlanTagPresent),
    /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0),  // untagged: to 5
    /* 2 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, kVlanTag),
    /* 3 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, kVlanIdMask),
    /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 8),  // another VLAN: drop
    /* 5 */ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),        // EtherType
    /* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 5, 0),
    /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),
    /* 8 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kIpv6NextHeaderOffset),
    /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kIcmpv6, 0, 3),
    /* 10 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kIcmpv6TypeOffset),
    /* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNeighbourAdvertisement, 0, 1),
    /* 12 */ BPF_STMT(BPF_RET | BPF_K, 0xFFFF),  // pass, whole frame
    /* 13 */ BPF_STMT(BPF_RET | BPF_K, 0),       // drop
}};

error_code attach_filter(int fd) {
    sock_fprog program{};
    program.len = static_cast<unsigned short>(kClaimFilter.size());
    program.filter = const_cast<sock_filter*>(kClaimFilter.data());
    if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) < 0) {
        return util::last_system_error();
    }
    return {};
}

error_code bind_to(int fd, int interface_index) {
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = static_cast<unsigned short>(__builtin_bswap16(kProtocolAll));
    address.sll_ifindex = interface_index;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0) {
        return util::last_system_error();
    }
    return {};
}

bool would_block(const error_code& error) {
    return error == boost::system::errc::resource_unavailable_try_again ||
           error == boost::system::errc::operation_would_block ||
           error == boost::system::errc::interrupted;
}

}  // namespace

result<AddressClaimWatcher> AddressClaimWatcher::open(const boost::asio::any_io_executor& executor,
                                                      int interface_index,
                                                      const MacAddress& own_mac) {
    // Index 0 would bind to every interface: claims on other links are not conflicts.
    if (interface_index <= 0) return util::system_error(EINVAL);
    // Protocol 0 until bind(): the socket queues no frame before its filter is in place.
    const int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return util::last_system_error();
    error_code error = attach_filter(fd);
    if (!error) {
        // An ETH_P_ALL socket also gets a copy of every frame sent on the interface, taken before
        // the filter runs; this option (Linux 4.20) spares that copy. Older kernels refuse it, and
        // read_one() drops outgoing frames anyway.
        const int one = 1;
        ::setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
        error = bind_to(fd, interface_index);
    }
    boost::asio::posix::stream_descriptor descriptor(executor);
    if (!error) descriptor.assign(fd, error);
    if (error) {
        ::close(fd);
        return error;
    }
    return AddressClaimWatcher(std::move(descriptor), own_mac);
}

result<std::optional<AddressClaim>> AddressClaimWatcher::read_one() {
    sockaddr_ll from{};
    socklen_t from_length = sizeof from;
    const ssize_t received =
        ::recvfrom(descriptor_.native_handle(), buffer_.data(), buffer_.size(), MSG_DONTWAIT,
                   reinterpret_cast<sockaddr*>(&from), &from_length);
    if (received < 0) return util::last_system_error();
    if (from.sll_pkttype == PACKET_OUTGOING) return std::nullopt;
    const std::span<const std::uint8_t> frame(buffer_.data(), static_cast<std::size_t>(received));
    // From our MAC: our own frames looped back by a bridge or switch.
    if (frame.size() >= 12 && std::equal(own_mac_.begin(), own_mac_.end(), frame.begin() + 6)) {
        return std::nullopt;
    }
    auto claim = parse_address_claim(frame);
    // A claim naming our MAC (relayed by a proxy, say) says what we say: no conflict.
    if (claim && claim->mac == own_mac_) return std::nullopt;
    return claim;
}

boost::asio::awaitable<result<AddressClaim>> AddressClaimWatcher::receive() {
    for (;;) {
        // At most a few frames per turn: an ARP storm on the link must not keep the float's single
        // thread from its timers and its VRRP socket. A wait on a descriptor that is still
        // readable completes only after the handlers already queued.
        for (int frames = 0; frames < kFramesPerTurn; ++frames) {
            auto claim = read_one();
            if (!claim) {
                if (would_block(claim.error())) break;
                co_return claim.error();
            }
            if (*claim) co_return **claim;
        }
        auto [error] =
            co_await descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
        if (error) co_return error;
    }
}

void AddressClaimWatcher::close() {
    boost::system::error_code ignored;
    descriptor_.close(ignored);
}

}  // namespace ks::net
