#pragma once
// The raw IP protocol 112 socket of one VRRP instance: bound to its interface, TTL / hop limit
// 255, the multicast group joined (or unicast peers), source address pinned per packet.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::net {

/// A VRRP packet as received: IP-layer facts and the VRRP message bytes.
struct ReceivedPacket {
    IpAddress source;
    IpAddress destination;
    std::uint8_t ttl = 0;  ///< TTL (IPv4) or hop limit (IPv6)
    std::vector<std::uint8_t> message;
};

/// The virtual routers a socket hears: VRIDs first..last.
struct VridRange {
    std::uint8_t first = 1;
    std::uint8_t last = 255;
};

/// Attaches to `fd` a classic BPF filter that passes only VRRP messages whose VRID is in `vrids`.
/// `with_ip_header`: the packets start with an IPv4 header (as raw IPv4 sockets deliver them);
/// otherwise with the VRRP message (raw IPv6 sockets). Shorter packets are dropped.
boost::system::error_code attach_vrid_filter(int fd, bool with_ip_header, VridRange vrids);

class VrrpSocket {
public:
    struct Options {
        int interface_index = 0;
        std::string interface_name;
        IpAddress source;            ///< IPv4 node address or IPv6 link-local address
        bool join_multicast = true;  ///< false in unicast mode
        /// Only adverts of these virtual routers reach the socket (a kernel filter); none: all.
        std::optional<VridRange> vrids;
    };

    /// Opens the socket (needs CAP_NET_RAW). The family is that of `options.source`.
    static boost::system::result<VrrpSocket> open(const boost::asio::any_io_executor& executor,
                                                  const Options& options);

    /// Sends one VRRP message to `destination` (the group or a peer) from the pinned source.
    boost::system::error_code send(std::span<const std::uint8_t> message,
                                   const IpAddress& destination);
    /// Waits for the next packet. A malformed IPv4 header yields a vrrp::DecodeError.
    boost::asio::awaitable<boost::system::result<ReceivedPacket>> receive();
    /// Cancels a pending receive and closes the socket.
    void close();

    const IpAddress& source() const { return options_.source; }

private:
    VrrpSocket(boost::asio::posix::stream_descriptor descriptor, Options options)
        : descriptor_(std::move(descriptor)), options_(std::move(options)) {}
    boost::system::result<ReceivedPacket> read_one();

    boost::asio::posix::stream_descriptor descriptor_;
    Options options_;
    static constexpr std::size_t kBufferBytes = 65536;
    /// Any IP datagram fits, so no advert is ever cut (the largest valid one, 255 IPv6
    /// addresses, is 4,128 bytes); a longer one is dropped as truncated, never parsed cut.
    /// Left uninitialised on purpose: only the pages packets are written to become resident, a
    /// page or two instead of 64 KiB for each of a spread float's many sockets.
    std::unique_ptr<std::uint8_t[]> buffer_{new std::uint8_t[kBufferBytes]};
};

}  // namespace ks::net
