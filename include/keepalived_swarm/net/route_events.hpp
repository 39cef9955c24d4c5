#pragma once
// What rtnetlink says about links and addresses, read from the kernel's bytes: the answers to a
// dump and the notifications of a monitor go through the same parser. It is pure (no I/O, no
// state) and takes untrusted bytes: whatever it is given, it reads nothing out of bounds and
// skips what it cannot make sense of. The link and address types, and the look-ups in lists of
// them, live here on the pure side: the float's channel plan uses them without the socket.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::net {

using MacAddress = std::array<std::uint8_t, 6>;

/// A network interface (a link).
struct Link {
    int index = 0;
    std::string name;
    MacAddress mac{};
    bool up = false;        ///< administratively up (IFF_UP)
    bool lower_up = false;  ///< carrier present (IFF_LOWER_UP)
    bool multicast = false;
    std::uint32_t mtu = 0;  ///< IFLA_MTU; 0 when the kernel did not say
    friend bool operator==(const Link&, const Link&) = default;
};

/// The IFA_PROTO attribute's number (Linux 5.18), for headers older than the kernel.
inline constexpr unsigned short kIfaProtocol = 11;
/// The IFA_PROTO value a float gives the VIPs it adds: the kernel keeps it with the address, so a
/// float can tell a VIP left by a killed predecessor (remove it) from an address of the node that
/// happens to equal a VIP (a typo: refuse to start, never delete it). 0-3 are the kernel's own.
inline constexpr std::uint8_t kVipAddressProtocol = 0x6b;

/// An address on an interface.
struct InterfaceAddress {
    int interface_index = 0;
    IpPrefix prefix;
    std::uint32_t flags = 0;  ///< IFA_F_* (secondary, tentative, nodad...)
    /// IFA_PROTO: who added the address (0 when unset, or on kernels before 5.18). A float marks
    /// its VIPs with kVipAddressProtocol, so it can tell them from the node's own addresses.
    std::uint8_t protocol = 0;
    bool link_local() const {
        return prefix.address.is_v6() && prefix.address.to_v6().is_link_local();
    }
    friend bool operator==(const InterfaceAddress&, const InterfaceAddress&) = default;
};

/// RTM_NEWLINK: the whole state of a link. The kernel sends one for a new link and for any change
/// to one (flags, carrier, name, MTU, even some statistics), so the receiver compares with what
/// it knew rather than assuming that something it cares about changed.
struct LinkChanged {
    Link link;
    friend bool operator==(const LinkChanged&, const LinkChanged&) = default;
};

/// RTM_DELLINK: the link is gone, and with it its addresses.
struct LinkRemoved {
    Link link;
    friend bool operator==(const LinkRemoved&, const LinkRemoved&) = default;
};

/// RTM_NEWADDR: an address was added, or an existing one changed (IPv6 flags such as tentative,
/// lifetimes); also every answer of an address dump.
struct AddressAdded {
    InterfaceAddress address;
    friend bool operator==(const AddressAdded&, const AddressAdded&) = default;
};

/// RTM_DELADDR: the address left the interface.
struct AddressRemoved {
    InterfaceAddress address;
    friend bool operator==(const AddressRemoved&, const AddressRemoved&) = default;
};

using RouteEvent = std::variant<LinkChanged, LinkRemoved, AddressAdded, AddressRemoved>;

/// The link and address messages in one netlink datagram (one or several messages), in order.
/// Skipped: control messages (NLMSG_NOOP, NLMSG_DONE, NLMSG_ERROR, NLMSG_OVERRUN), other message
/// types, messages too short for their fixed header, addresses without a usable address attribute
/// or with a prefix longer than their family allows. A message header whose length is impossible
/// ends the datagram, since the next message cannot be found after it.
std::vector<RouteEvent> parse_route_events(std::span<const std::uint8_t> datagram);

/// The link named `name`, or nullopt.
std::optional<Link> find_link(const std::vector<Link>& links, std::string_view name);
/// The link whose addresses include `address`, or nullopt.
std::optional<int> find_interface_holding(const std::vector<InterfaceAddress>& addresses,
                                          const IpAddress& address);

}  // namespace ks::net
