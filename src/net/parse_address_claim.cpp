// The address claim parser; the rules are in address_claim.hpp. Every read is preceded by a
// length check on the span it reads from: the input is whatever the link carries.

#include <algorithm>
#include <array>
#include <cstddef>

#include "keepalived_swarm/net/address_claim.hpp"

namespace ks::net {
namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::size_t kEthernetHeaderLength = 14;
constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;

constexpr std::size_t kArpLength = 28;  // RFC 826 for 6-byte hardware, 4-byte protocol addresses
constexpr std::uint16_t kArpHardwareEthernet = 1;
constexpr std::uint16_t kArpProtocolIpv4 = 0x0800;
constexpr std::uint16_t kArpRequest = 1;
constexpr std::uint16_t kArpReply = 2;

constexpr std::size_t kIpv6HeaderLength = 40;
constexpr std::uint8_t kIcmpv6 = 58;
constexpr std::uint8_t kNdpHopLimit = 255;
constexpr std::uint8_t kNeighbourAdvertisement = 136;
constexpr std::size_t kNeighbourAdvertLength = 24;  // type .. target, before the options
constexpr std::uint8_t kSolicitedFlag = 0x40;
constexpr std::uint8_t kTargetLinkLayerOption = 2;
constexpr std::size_t kOptionUnit = 8;  // option lengths count 8-byte units (RFC 4861 4.6)

/// Big-endian 16 bits at `offset`; the caller has checked that they are there.
std::uint16_t read16(Bytes bytes, std::size_t offset) {
    return static_cast<std::uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

/// N bytes at `offset`; the caller has checked that they are there.
template <std::size_t N>
std::array<std::uint8_t, N> read_array(Bytes bytes, std::size_t offset) {
    std::array<std::uint8_t, N> out;
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), N, out.begin());
    return out;
}

/// The I/G bit: multicast and broadcast MACs name groups, never the owner of an address.
bool is_group(const MacAddress& mac) {
    return (mac[0] & 0x01) != 0;
}

std::optional<AddressClaim> parse_arp(Bytes arp) {
    if (arp.size() < kArpLength) return std::nullopt;
    if (read16(arp, 0) != kArpHardwareEthernet || read16(arp, 2) != kArpProtocolIpv4 ||
        arp[4] != 6 || arp[5] != 4) {
        return std::nullopt;
    }
    const auto operation = read16(arp, 6);
    if (operation != kArpRequest && operation != kArpReply) return std::nullopt;
    const auto sender_mac = read_array<6>(arp, 8);
    const auto sender_ip = read_array<4>(arp, 14);
    // An all-zero sender IP is an RFC 5227 probe: the sender asks whether the address is free.
    if (sender_ip == std::array<std::uint8_t, 4>{} || is_group(sender_mac)) return std::nullopt;
    return AddressClaim{boost::asio::ip::address_v4(sender_ip), sender_mac};
}

/// The MAC of the first target link-layer address option, `fallback` without one, nullopt when
/// the options are malformed (RFC 4861 7.1.2: a zero length; RFC 2464 8: 8 bytes on Ethernet).
std::optional<MacAddress> target_link_layer_address(Bytes options, const MacAddress& fallback) {
    std::optional<MacAddress> found;
    while (!options.empty()) {
        if (options.size() < 2) return std::nullopt;
        const std::size_t length = options[1] * kOptionUnit;
        if (length == 0 || length > options.size()) return std::nullopt;
        if (options[0] == kTargetLinkLayerOption && !found) {
            if (length != kOptionUnit) return std::nullopt;
            // Later copies are ignored, as Linux's ndisc does.
            found = read_array<6>(options, 2);
        }
        options = options.subspan(length);
    }
    return found ? found : fallback;
}

std::optional<AddressClaim> parse_neighbour_advert(Bytes packet,
                                                   const MacAddress& ethernet_source) {
    if (packet.size() < kIpv6HeaderLength || (packet[0] >> 4) != 6) return std::nullopt;
    // Next header straight to ICMPv6: neighbour discovery does not travel behind extension
    // headers in practice, and fragments of it are refused by RFC 6980.
    if (packet[6] != kIcmpv6 || packet[7] != kNdpHopLimit) return std::nullopt;
    const std::size_t payload_length = read16(packet, 4);
    if (payload_length > packet.size() - kIpv6HeaderLength) return std::nullopt;
    const auto icmp = packet.subspan(kIpv6HeaderLength, payload_length);
    if (icmp.size() < kNeighbourAdvertLength || icmp[0] != kNeighbourAdvertisement ||
        icmp[1] != 0) {
        return std::nullopt;
    }
    const bool to_multicast = packet[24] == 0xFF;  // first byte of the destination address
    if (to_multicast && (icmp[4] & kSolicitedFlag) != 0) return std::nullopt;
    const auto target = read_array<16>(icmp, 8);
    if (target[0] == 0xFF) return std::nullopt;  // a multicast target
    const auto mac =
        target_link_layer_address(icmp.subspan(kNeighbourAdvertLength), ethernet_source);
    if (!mac || is_group(*mac)) return std::nullopt;
    return AddressClaim{boost::asio::ip::address_v6(target), *mac};
}

}  // namespace

std::optional<AddressClaim> parse_address_claim(Bytes frame) {
    if (frame.size() < kEthernetHeaderLength) return std::nullopt;
    const auto payload = frame.subspan(kEthernetHeaderLength);
    // 802.1Q (0x8100) and 802.1ad (0x88A8) tags fall to the default: see the header.
    switch (read16(frame, 12)) {
        case kEtherTypeArp:
            return parse_arp(payload);
        case kEtherTypeIpv6:
            return parse_neighbour_advert(payload, read_array<6>(frame, 6));
        default:
            return std::nullopt;
    }
}

}  // namespace ks::net
