#pragma once
// VRRP advertisement codec: VRRPv3 (RFC 5798 5.2, IPv4 and IPv6) and VRRPv2 (RFC 3768 5.3).
// Checks only the packet itself; whether it belongs to an instance is the state machine's call.
// Never throws on bad bytes: decode returns a result with a specific DecodeError.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <span>
#include <vector>

#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::vrrp {

/// An advertisement as carried on the wire.
struct Advertisement {
    Version version = Version::v3;
    std::uint8_t vrid = 0;
    std::uint8_t priority = 0;
    /// v3: Max Adver Int; v2: Adver Int (whole seconds on the wire, kept here in centiseconds).
    Centiseconds interval{100};
    std::vector<IpAddress> addresses;

    friend bool operator==(const Advertisement&, const Advertisement&) = default;
};

/// Source and destination of the IP packet: the checksum's pseudo-header covers them (v3).
struct PacketAddresses {
    IpAddress source;
    IpAddress destination;
};

enum class DecodeError {
    truncated = 1,               ///< shorter than the 8-byte fixed header
    bad_version,                 ///< version not 2 or 3, or VRRPv2 over IPv6
    bad_type,                    ///< type other than 1 (ADVERTISEMENT)
    bad_checksum,                ///< RFC 5798 5.2.8 / RFC 3768 5.3.8
    address_count_mismatch,      ///< length disagrees with Count IPvX Addr, or no address at all
    zero_interval,               ///< an interval of 0 would make Master_Down_Interval 0
    unsupported_authentication,  ///< VRRPv2 auth types 1 and 2 were removed by RFC 3768
    bad_ip_header,  ///< IPv4 header malformed, fragmented, not protocol 112, or mixed families
};

const boost::system::error_category& decode_category();
boost::system::error_code make_error_code(DecodeError error);

/// Which checksum forms an IPv4 VRRPv3 advert may carry (RFC 9568 5.2.8): the RFC form with the
/// pseudo-header, which keepalived sends, and the message-only form some vendors send.
enum class ChecksumForm { pseudo_header, message_only };

/// Decodes the VRRP message (the IP payload) of a packet sent from `ip.source` to
/// `ip.destination`. The family of `ip.source` decides between IPv4 and IPv6 addresses.
boost::system::result<Advertisement> decode(std::span<const std::uint8_t> message,
                                            const PacketAddresses& ip);

/// Encodes `advert` for a packet from `ip.source` to `ip.destination`. v3 IPv4 uses the
/// pseudo-header checksum unless `form` asks otherwise. Preconditions (validated config):
/// addresses of the family of ip.source, 1..255 of them, a non-zero interval that fits.
std::vector<std::uint8_t> encode(const Advertisement& advert, const PacketAddresses& ip,
                                 ChecksumForm form = ChecksumForm::pseudo_header);

/// The size of an advert naming `addresses` addresses as an IP packet on the wire (IP header
/// without options included): what must fit the link's MTU, since an advert is never fragmented
/// on purpose.
std::size_t advert_packet_size(Version version, Family family, std::size_t addresses);

/// The RFC 1071 Internet checksum of `data` (folded and complemented).
std::uint16_t internet_checksum(std::span<const std::uint8_t> data);

/// An IPv4 datagram as a raw IPPROTO_VRRP socket delivers it: header fields and the payload.
struct Ipv4Datagram {
    IpAddress source;
    IpAddress destination;
    std::uint8_t ttl = 0;
    std::span<const std::uint8_t> payload;
};

/// Parses the IPv4 header in front of a VRRP message (what raw IPv4 sockets deliver).
boost::system::result<Ipv4Datagram> parse_ipv4_datagram(std::span<const std::uint8_t> datagram);

}  // namespace ks::vrrp

namespace boost::system {
template <>
struct is_error_code_enum<ks::vrrp::DecodeError> : std::true_type {};
}  // namespace boost::system
