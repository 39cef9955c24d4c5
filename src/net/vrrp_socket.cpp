#include "keepalived_swarm/net/vrrp_socket.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <limits>

#include "keepalived_swarm/util/system_error.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"
#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::net {
namespace {

using boost::system::error_code;
using boost::system::result;

template <typename T>
error_code set_option(int fd, int level, int name, const T& value) {
    if (::setsockopt(fd, level, name, &value, sizeof value) < 0) return util::last_system_error();
    return {};
}

error_code configure_ipv4(int fd, const VrrpSocket::Options& options) {
    const int ttl = vrrp::kRequiredTtl;
    const unsigned char multicast_ttl = vrrp::kRequiredTtl;
    const unsigned char no_loop = 0;
    const int tos = 0xC0;  // network control, as keepalived and routers send VRRP
    ip_mreqn interface {};
    interface.imr_ifindex = options.interface_index;
    for (auto error : {set_option(fd, IPPROTO_IP, IP_TTL, ttl),
                       set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, multicast_ttl),
                       set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, no_loop),
                       set_option(fd, IPPROTO_IP, IP_TOS, tos),
                       set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, interface)}) {
        if (error) return error;
    }
    if (options.join_multicast) {
        ip_mreqn membership{};
        ::inet_pton(AF_INET, vrrp::kMulticastV4, &membership.imr_multiaddr);
        membership.imr_ifindex = options.interface_index;
        if (auto error = set_option(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, membership)) return error;
    }
    return {};
}

error_code configure_ipv6(int fd, const VrrpSocket::Options& options) {
    const int hops = vrrp::kRequiredTtl;
    const int no_loop = 0;
    const int one = 1;
    const int traffic_class = 0xC0;
    const auto index = static_cast<unsigned>(options.interface_index);
    for (auto error : {set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops),
                       set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops),
                       set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, no_loop),
                       set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, index),
                       set_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, one),
                       set_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, one),
                       set_option(fd, IPPROTO_IPV6, IPV6_TCLASS, traffic_class)}) {
        if (error) return error;
    }
    if (options.join_multicast) {
        ipv6_mreq membership{};
        ::inet_pton(AF_INET6, vrrp::kMulticastV6, &membership.ipv6mr_multiaddr);
        membership.ipv6mr_interface = index;
        if (auto error = set_option(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, membership)) {
            return error;
        }
    }
    return {};
}

IpAddress from_in6(const in6_addr& raw) {
    boost::asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &raw, bytes.size());
    return boost::asio::ip::address_v6(bytes);
}

/// Empties the receive queue: what arrived between socket() and the filter was not filtered.
/// Bounded, so a flood of adverts that pass cannot keep it here (the queue holds a few hundred).
void drain(int fd) {
    std::uint8_t byte;
    for (int i = 0; i < 4096; ++i) {
        if (::recv(fd, &byte, sizeof byte, MSG_DONTWAIT | MSG_TRUNC) < 0) return;
    }
}

}  // namespace

error_code attach_vrid_filter(int fd, bool with_ip_header, VridRange vrids) {
    // Every raw protocol-112 socket of a link receives every VRRP packet on it: adverts of other
    // virtual routers on the link would wake the float only to be dropped. The kernel drops them
    // here instead. A load beyond the packet ends the program with 0: the packet is dropped.
    constexpr std::uint32_t kAccept = std::numeric_limits<std::uint32_t>::max();
    constexpr std::uint32_t kReject = 0;
    const sock_filter after_ip_header[] = {
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),  // X = 4 * (IHL): the IPv4 header's length
        BPF_STMT(BPF_LD | BPF_B | BPF_IND, 1),   // A = the VRID, byte 1 of the VRRP message
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, vrids.first, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, vrids.last, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, kAccept),
        BPF_STMT(BPF_RET | BPF_K, kReject),
    };
    const sock_filter at_start[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 1),  // A = the VRID, byte 1 of the VRRP message
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, vrids.first, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, vrids.last, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, kAccept),
        BPF_STMT(BPF_RET | BPF_K, kReject),
    };
    sock_fprog program{};
    if (with_ip_header) {
        program.len = static_cast<unsigned short>(std::size(after_ip_header));
        program.filter = const_cast<sock_filter*>(after_ip_header);
    } else {
        program.len = static_cast<unsigned short>(std::size(at_start));
        program.filter = const_cast<sock_filter*>(at_start);
    }
    return set_option(fd, SOL_SOCKET, SO_ATTACH_FILTER, program);
}

result<VrrpSocket> VrrpSocket::open(const boost::asio::any_io_executor& executor,
                                    const Options& options) {
    const bool v4 = options.source.is_v4();
    const int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            vrrp::kIpProtocol);
    if (fd < 0) return util::last_system_error();
    // Not bind(): a raw socket bound to an address only receives packets sent to that address,
    // which would hide the multicast group. The source is pinned per packet with *_PKTINFO.
    error_code error;
    // The filter first: the socket receives from its creation, so only what came before the
    // filter (drained below) can be of another VRID. Raw IPv4 sockets deliver the IP header,
    // raw IPv6 sockets only the payload.
    if (options.vrids) error = attach_vrid_filter(fd, v4, *options.vrids);
    if (!error && ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options.interface_name.c_str(),
                               static_cast<socklen_t>(options.interface_name.size() + 1)) < 0) {
        error = util::last_system_error();
    }
    if (!error) error = v4 ? configure_ipv4(fd, options) : configure_ipv6(fd, options);
    if (error) {
        ::close(fd);
        return error;
    }
    if (options.vrids) drain(fd);
    return VrrpSocket(boost::asio::posix::stream_descriptor(executor, fd), options);
}

error_code VrrpSocket::send(std::span<const std::uint8_t> message, const IpAddress& destination) {
    iovec vector{const_cast<std::uint8_t*>(message.data()), message.size()};
    msghdr header{};
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
    sockaddr_in to4{};
    sockaddr_in6 to6{};
    if (destination.is_v4()) {
        to4.sin_family = AF_INET;
        const auto bytes = destination.to_v4().to_bytes();
        std::memcpy(&to4.sin_addr, bytes.data(), bytes.size());
        header.msg_name = &to4;
        header.msg_namelen = sizeof to4;
        header.msg_control = control;
        header.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
        auto* cmsg = CMSG_FIRSTHDR(&header);
        cmsg->cmsg_level = IPPROTO_IP;
        cmsg->cmsg_type = IP_PKTINFO;
        cmsg->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        info.ipi_ifindex = options_.interface_index;
        const auto source = options_.source.to_v4().to_bytes();
        std::memcpy(&info.ipi_spec_dst, source.data(), source.size());
        std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
    } else {
        to6.sin6_family = AF_INET6;
        const auto bytes = destination.to_v6().to_bytes();
        std::memcpy(&to6.sin6_addr, bytes.data(), bytes.size());
        to6.sin6_scope_id = static_cast<std::uint32_t>(options_.interface_index);
        header.msg_name = &to6;
        header.msg_namelen = sizeof to6;
        header.msg_control = control;
        header.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
        auto* cmsg = CMSG_FIRSTHDR(&header);
        cmsg->cmsg_level = IPPROTO_IPV6;
        cmsg->cmsg_type = IPV6_PKTINFO;
        cmsg->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        in6_pktinfo info{};
        info.ipi6_ifindex = static_cast<unsigned>(options_.interface_index);
        const auto source = options_.source.to_v6().to_bytes();
        std::memcpy(&info.ipi6_addr, source.data(), source.size());
        std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
    }
    if (::sendmsg(descriptor_.native_handle(), &header, MSG_DONTWAIT) < 0)
        return util::last_system_error();
    return {};
}

result<ReceivedPacket> VrrpSocket::read_one() {
    iovec vector{buffer_.get(), kBufferBytes};
    sockaddr_in6 from{};
    alignas(cmsghdr) char control[256];
    msghdr header{};
    header.msg_name = &from;
    header.msg_namelen = sizeof from;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    const ssize_t received = ::recvmsg(descriptor_.native_handle(), &header, MSG_DONTWAIT);
    if (received < 0) return util::last_system_error();
    if ((header.msg_flags & MSG_TRUNC) != 0) {
        return boost::system::errc::make_error_code(boost::system::errc::message_size);
    }
    const std::span<const std::uint8_t> bytes(buffer_.get(), static_cast<std::size_t>(received));

    ReceivedPacket packet;
    if (options_.source.is_v4()) {
        // Raw IPv4 sockets deliver the IP header too: TTL and addresses come from it.
        auto datagram = vrrp::parse_ipv4_datagram(bytes);
        if (!datagram) return datagram.error();
        packet.source = datagram->source;
        packet.destination = datagram->destination;
        packet.ttl = datagram->ttl;
        packet.message.assign(datagram->payload.begin(), datagram->payload.end());
        return packet;
    }
    packet.source = from_in6(from.sin6_addr);
    for (auto* cmsg = CMSG_FIRSTHDR(&header); cmsg != nullptr; cmsg = CMSG_NXTHDR(&header, cmsg)) {
        if (cmsg->cmsg_level != IPPROTO_IPV6) continue;
        if (cmsg->cmsg_type == IPV6_HOPLIMIT) {
            int hops = 0;
            std::memcpy(&hops, CMSG_DATA(cmsg), sizeof hops);
            packet.ttl = static_cast<std::uint8_t>(hops);
        } else if (cmsg->cmsg_type == IPV6_PKTINFO) {
            in6_pktinfo info;
            std::memcpy(&info, CMSG_DATA(cmsg), sizeof info);
            packet.destination = from_in6(info.ipi6_addr);
        }
    }
    packet.message.assign(bytes.begin(), bytes.end());
    return packet;
}

boost::asio::awaitable<result<ReceivedPacket>> VrrpSocket::receive() {
    for (;;) {
        auto packet = read_one();
        if (packet || (packet.error() != boost::system::errc::resource_unavailable_try_again &&
                       packet.error() != boost::system::errc::operation_would_block &&
                       packet.error() != boost::system::errc::interrupted)) {
            co_return packet;
        }
        auto [error] =
            co_await descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                            boost::asio::as_tuple(boost::asio::use_awaitable));
        if (error) co_return error;
    }
}

void VrrpSocket::close() {
    boost::system::error_code ignored;
    descriptor_.close(ignored);
}

}  // namespace ks::net
