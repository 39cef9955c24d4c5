#pragma once
// An IP address with a prefix length, as users write VIPs: "10.99.0.100/24", "fd00::10".

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ks::net {

using IpAddress = boost::asio::ip::address;

struct IpPrefix {
    IpAddress address;
    unsigned prefix_length = 32;

    /// 32 for IPv4, 128 for IPv6.
    unsigned max_prefix_length() const { return address.is_v4() ? 32U : 128U; }
    /// True when `other` lies in the subnet address/prefix_length.
    bool contains(const IpAddress& other) const;
    std::string to_string() const;
    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

/// Parses "ADDR" (full-length prefix) or "ADDR/LEN"; nullopt on any malformed part.
std::optional<IpPrefix> parse_ip_prefix(std::string_view text);
/// Parses a bare address; nullopt when malformed.
std::optional<IpAddress> parse_ip_address(std::string_view text);

}  // namespace ks::net
