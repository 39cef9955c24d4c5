// Pure: linked into the fuzzers without the rest of the daemon, so only the standard library, Boost
// headers and the kernel's uapi headers here.

#include <net/if.h>

#include "keepalived_swarm/net/route_events.hpp"

// <linux/if.h> after glibc's <net/if.h> (which Asio includes too), so that it leaves out the flags
// and structures the two both define.
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace ks::net {
namespace {

using Bytes = std::span<const std::uint8_t>;

/// Calls `visit(type, payload)` for each attribute of an rtattr list, and stops at the first whose
/// length is impossible: what follows it cannot be located.
template <typename Visitor>
void for_each_attribute(Bytes attributes, Visitor visit) {
    std::size_t offset = 0;
    // offset never exceeds size() + 3 (alignment padding after the last attribute), so the sum
    // cannot wrap.
    while (offset + sizeof(rtattr) <= attributes.size()) {
        rtattr attr;
        std::memcpy(&attr, attributes.data() + offset, sizeof attr);
        if (attr.rta_len < sizeof(rtattr) || attr.rta_len > attributes.size() - offset) return;
        // The kernel may flag nested attributes in the type's upper bits.
        visit(static_cast<unsigned>(attr.rta_type & NLA_TYPE_MASK),
              attributes.subspan(offset + RTA_LENGTH(0), attr.rta_len - RTA_LENGTH(0)));
        offset += RTA_ALIGN(attr.rta_len);
    }
}

/// The attributes after a message's fixed-size payload header `Fixed`, or nullopt when the message
/// is too short to hold that header.
template <typename Fixed>
std::optional<Bytes> attributes_after(Bytes message, Fixed& fixed) {
    if (message.size() < NLMSG_LENGTH(sizeof(Fixed))) return std::nullopt;
    std::memcpy(&fixed, message.data() + NLMSG_HDRLEN, sizeof fixed);
    const std::size_t start = std::min<std::size_t>(NLMSG_SPACE(sizeof(Fixed)), message.size());
    return message.subspan(start);
}

std::optional<IpAddress> address_from(unsigned family, Bytes data) {
    if (family == AF_INET && data.size() == 4) {
        boost::asio::ip::address_v4::bytes_type bytes;
        std::copy_n(data.begin(), bytes.size(), bytes.begin());
        return IpAddress(boost::asio::ip::address_v4(bytes));
    }
    if (family == AF_INET6 && data.size() == 16) {
        boost::asio::ip::address_v6::bytes_type bytes;
        std::copy_n(data.begin(), bytes.size(), bytes.begin());
        return IpAddress(boost::asio::ip::address_v6(bytes));
    }
    return std::nullopt;
}

std::optional<Link> parse_link(Bytes message) {
    ifinfomsg info;
    const auto attributes = attributes_after(message, info);
    if (!attributes) return std::nullopt;
    Link link;
    link.index = info.ifi_index;
    link.up = (info.ifi_flags & IFF_UP) != 0;
    link.lower_up = (info.ifi_flags & IFF_LOWER_UP) != 0;
    link.multicast = (info.ifi_flags & IFF_MULTICAST) != 0;
    for_each_attribute(*attributes, [&](unsigned type, Bytes data) {
        if (type == IFLA_IFNAME) {
            // NUL-terminated by the kernel; a name without the NUL ends with its attribute.
            const auto end = std::find(data.begin(), data.end(), std::uint8_t{0});
            link.name.assign(data.begin(), end);
        } else if (type == IFLA_ADDRESS && data.size() == link.mac.size()) {
            std::copy_n(data.begin(), link.mac.size(), link.mac.begin());
        } else if (type == IFLA_MTU && data.size() == sizeof link.mtu) {
            std::memcpy(&link.mtu, data.data(), sizeof link.mtu);
        }
    });
    return link;
}

std::optional<InterfaceAddress> parse_address(Bytes message) {
    ifaddrmsg info;
    const auto attributes = attributes_after(message, info);
    if (!attributes) return std::nullopt;
    std::optional<IpAddress> local;
    std::optional<IpAddress> address;
    std::uint32_t flags = info.ifa_flags;
    std::uint8_t protocol = 0;
    for_each_attribute(*attributes, [&](unsigned type, Bytes data) {
        if (type == IFA_LOCAL) {
            local = address_from(info.ifa_family, data);
        } else if (type == IFA_ADDRESS) {
            address = address_from(info.ifa_family, data);
        } else if (type == kIfaProtocol && data.size() == sizeof protocol) {
            protocol = data[0];
        } else if (type == IFA_FLAGS && data.size() == sizeof flags) {
            // The full 32 bits; ifa_flags only has room for the first eight.
            std::memcpy(&flags, data.data(), sizeof flags);
        }
    });
    // IPv4 names the local end in IFA_LOCAL (IFA_ADDRESS is the peer on point-to-point links).
    const auto own = local ? local : address;
    if (!own) return std::nullopt;
    IpPrefix prefix{*own, info.ifa_prefixlen};
    // Code downstream indexes address bytes by prefix length: a longer one must not get through.
    if (prefix.prefix_length > prefix.max_prefix_length()) return std::nullopt;
    return InterfaceAddress{static_cast<int>(info.ifa_index), prefix, flags, protocol};
}

}  // namespace

std::vector<RouteEvent> parse_route_events(std::span<const std::uint8_t> datagram) {
    std::vector<RouteEvent> events;
    std::size_t offset = 0;
    // As in for_each_attribute, offset stays within size() + 3.
    while (offset + sizeof(nlmsghdr) <= datagram.size()) {
        nlmsghdr header;
        std::memcpy(&header, datagram.data() + offset, sizeof header);
        if (header.nlmsg_len < sizeof header || header.nlmsg_len > datagram.size() - offset) break;
        const Bytes message = datagram.subspan(offset, header.nlmsg_len);
        switch (header.nlmsg_type) {
            case RTM_NEWLINK:
                if (auto link = parse_link(message))
                    events.emplace_back(LinkChanged{std::move(*link)});
                break;
            case RTM_DELLINK:
                if (auto link = parse_link(message))
                    events.emplace_back(LinkRemoved{std::move(*link)});
                break;
            case RTM_NEWADDR:
                if (auto address = parse_address(message)) {
                    events.emplace_back(AddressAdded{*address});
                }
                break;
            case RTM_DELADDR:
                if (auto address = parse_address(message)) {
                    events.emplace_back(AddressRemoved{*address});
                }
                break;
            default:  // control messages and whatever else carry no link or address
                break;
        }
        offset += NLMSG_ALIGN(header.nlmsg_len);
    }
    return events;
}

std::optional<Link> find_link(const std::vector<Link>& links, std::string_view name) {
    for (const auto& link : links) {
        if (link.name == name) return link;
    }
    return std::nullopt;
}

std::optional<int> find_interface_holding(const std::vector<InterfaceAddress>& addresses,
                                          const IpAddress& address) {
    for (const auto& entry : addresses) {
        if (entry.prefix.address == address) return entry.interface_index;
    }
    return std::nullopt;
}

}  // namespace ks::net
