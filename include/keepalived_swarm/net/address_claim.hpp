#pragma once
// Who says they hold an address on the link: the binding an ARP packet or a neighbour
// advertisement announces, read from a whole Ethernet frame as an AF_PACKET SOCK_RAW socket
// delivers it. Whether a claim conflicts with ours (a VIP we hold as master, another MAC) is the
// VRRP engine's call, not the parser's.
//
// What counts as a claim:
// - ARP (Ethernet/IPv4: hardware type 1, protocol 0x0800, lengths 6 and 4), request or reply,
//   with a non-zero sender IP: address = sender IP, mac = sender MAC. Every such packet makes its
//   receivers update (RFC 826's merge, Linux's arp_process) the entry they hold for the sender, so
//   a host with our VIP configured claims it in the requests it sends for its gateway as much as
//   in replies and gratuitous ARP. A request *for* a VIP claims the asker's own address, not the
//   VIP. ARP probes (sender IP 0.0.0.0, RFC 5227) claim nothing yet.
// - ICMPv6 neighbour advertisement passing RFC 4861 7.1.2 (hop limit 255, code 0, at least 24
//   bytes, target not multicast, Solicited clear when sent to multicast, no zero-length option),
//   right behind the IPv6 header: address = target, mac = the first target link-layer address
//   option, else the Ethernet source. Any flags: with Override clear a host still learns the
//   binding where it had none. The ICMPv6 checksum is not verified: Ethernet's FCS already
//   guards against corruption, and ARP, which carries no checksum at all, claims as much.
// - Never a group (multicast or broadcast) MAC: no host owns one.
// - Never a frame with an 802.1Q / 802.1ad tag in its bytes: the kernel takes the outer tag off
//   before packet sockets see a received frame (the watcher drops tagged ones by that tag), so a
//   tag still in the bytes is an inner one, of another broadcast domain than the interface's.
// Trailing bytes beyond the ARP packet or the IPv6 payload length are Ethernet padding.
//
// The parser needs Boost and standard headers only, no compiled part of the project, so the
// fuzzer builds it from its source alone.

#include <cstdint>
#include <optional>
#include <span>

#include "keepalived_swarm/net/ip_prefix.hpp"
#include "keepalived_swarm/net/netlink.hpp"

namespace ks::net {

/// A host on the link saying `address` is at `mac`.
struct AddressClaim {
    IpAddress address;
    MacAddress mac{};
    friend bool operator==(const AddressClaim&, const AddressClaim&) = default;
};

/// The claim `frame` makes, or nullopt for any other frame, malformed or truncated ones included.
std::optional<AddressClaim> parse_address_claim(std::span<const std::uint8_t> frame);

}  // namespace ks::net
