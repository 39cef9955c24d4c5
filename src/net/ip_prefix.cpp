#include "keepalived_swarm/net/ip_prefix.hpp"

#include <algorithm>
#include <charconv>

namespace ks::net {
namespace {

template <typename Bytes>
bool same_network(const Bytes& a, const Bytes& b, unsigned prefix_length) {
    const unsigned full_bytes = prefix_length / 8;
    if (!std::equal(a.begin(), a.begin() + full_bytes, b.begin())) return false;
    const unsigned remaining_bits = prefix_length % 8;
    if (remaining_bits == 0) return true;
    const auto mask = static_cast<unsigned char>(0xFFU << (8 - remaining_bits));
    return (a[full_bytes] & mask) == (b[full_bytes] & mask);
}

}  // namespace

bool IpPrefix::contains(const IpAddress& other) const {
    if (address.is_v4() != other.is_v4()) return false;
    if (address.is_v4()) {
        return same_network(address.to_v4().to_bytes(), other.to_v4().to_bytes(), prefix_length);
    }
    return same_network(address.to_v6().to_bytes(), other.to_v6().to_bytes(), prefix_length);
}

std::string IpPrefix::to_string() const {
    return address.to_string() + "/" + std::to_string(prefix_length);
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
    // make_address reads a C string: it would stop at a NUL and accept "10.0.0.1\0junk".
    if (text.find('\0') != std::string_view::npos) return std::nullopt;
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    // Scoped IPv6 addresses ("fe80::1%eth0") name an interface, which a VIP or peer must not.
    if (address.is_v6() && address.to_v6().scope_id() != 0) return std::nullopt;
    return address;
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text) {
    const auto slash = text.find('/');
    auto address = parse_ip_address(text.substr(0, slash));
    if (!address) return std::nullopt;
    IpPrefix prefix{*address, address->is_v4() ? 32U : 128U};
    if (slash == std::string_view::npos) return prefix;
    const auto length_text = text.substr(slash + 1);
    unsigned length = 0;
    const auto* end = length_text.data() + length_text.size();
    const auto [ptr, ec] = std::from_chars(length_text.data(), end, length);
    if (length_text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
    if (length > prefix.max_prefix_length()) return std::nullopt;
    prefix.prefix_length = length;
    return prefix;
}

}  // namespace ks::net
