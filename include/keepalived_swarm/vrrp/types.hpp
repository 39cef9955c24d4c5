#pragma once
// Vocabulary of the VRRP engine: versions, time, addresses, RFC constants.

#include <array>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace ks::vrrp {

using IpAddress = boost::asio::ip::address;
/// An Ethernet address (the same type as net::MacAddress).
using MacAddress = std::array<std::uint8_t, 6>;

/// The engine never reads a clock: every entry point is given `now` on this timeline.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::microseconds;
/// VRRPv3 carries intervals in centiseconds (RFC 5798 5.2.7).
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

enum class Version : std::uint8_t { v2 = 2, v3 = 3 };
enum class Family : std::uint8_t { ipv4, ipv6 };

inline Family family_of(const IpAddress& address) {
    return address.is_v4() ? Family::ipv4 : Family::ipv6;
}

/// IP protocol number of VRRP (RFC 5798 5.1.1.3).
inline constexpr std::uint8_t kIpProtocol = 112;
/// Adverts are sent and must arrive with TTL / hop limit 255 (RFC 5798 5.1.1.3, 7.1).
inline constexpr std::uint8_t kRequiredTtl = 255;
/// Priority of the router that owns the addresses (RFC 5798 5.2.4).
inline constexpr std::uint8_t kOwnerPriority = 255;
/// Priority a master sends when it stops being master (RFC 5798 5.2.4).
inline constexpr std::uint8_t kResignPriority = 0;
/// 224.0.0.18 and ff02::12 (RFC 5798 5.1.1.2, 5.1.2.2).
inline constexpr const char* kMulticastV4 = "224.0.0.18";
inline constexpr const char* kMulticastV6 = "ff02::12";
/// VRRPv3 Max Adver Int is 12 bits of centiseconds (RFC 5798 5.2.7).
inline constexpr Centiseconds kMaxV3Interval{4095};
inline constexpr Centiseconds kMinV3Interval{1};
/// VRRPv2 Adver Int is 8 bits of seconds (RFC 3768 5.3.7).
inline constexpr std::chrono::seconds kMaxV2Interval{255};
/// Count IPvX Addr is one byte (RFC 5798 5.2.5): one advert names at most this many addresses.
inline constexpr std::size_t kMaxAddresses = 255;

}  // namespace ks::vrrp
