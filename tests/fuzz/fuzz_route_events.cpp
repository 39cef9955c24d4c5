// Feeds arbitrary bytes to the rtnetlink parser as one datagram: nothing may crash, hang or trip a
// sanitizer, no message may be read past its own length, and what comes out must be plausible.
// Seeds: kernel notifications and dump answers captured in a private network namespace (veth
// links going up and down and away, IPv4, point-to-point and IPv6 addresses added and removed).

#include <linux/netlink.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "keepalived_swarm/net/route_events.hpp"

using namespace ks::net;

namespace {

void check_plausible(const RouteEvent& event) {
    const auto check_address = [](const InterfaceAddress& address) {
        if (address.prefix.prefix_length > address.prefix.max_prefix_length()) std::abort();
    };
    const auto check_link = [](const Link& link) {
        if (link.name.find('\0') != std::string::npos) std::abort();
    };
    if (const auto* e = std::get_if<LinkChanged>(&event)) check_link(e->link);
    if (const auto* e = std::get_if<LinkRemoved>(&event)) check_link(e->link);
    if (const auto* e = std::get_if<AddressAdded>(&event)) check_address(e->address);
    if (const auto* e = std::get_if<AddressRemoved>(&event)) check_address(e->address);
}

/// The datagram's messages parsed one by one, each from a buffer of exactly its length, so that
/// AddressSanitizer stops any read past a message's end; together they must say what the whole
/// datagram says.
std::vector<RouteEvent> parse_message_by_message(std::span<const std::uint8_t> datagram) {
    std::vector<RouteEvent> events;
    std::size_t offset = 0;
    while (offset + sizeof(nlmsghdr) <= datagram.size()) {
        std::uint32_t length = 0;
        std::memcpy(&length, datagram.data() + offset, sizeof length);
        if (length < sizeof(nlmsghdr) || length > datagram.size() - offset) break;
        const std::vector<std::uint8_t> message(
            datagram.begin() + static_cast<long>(offset),
            datagram.begin() + static_cast<long>(offset) + static_cast<long>(length));
        for (auto& event : parse_route_events(message)) events.push_back(std::move(event));
        offset += NLMSG_ALIGN(length);
    }
    return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> datagram(data, size);
    const auto events = parse_route_events(datagram);
    // Every event needs a message header of its own.
    if (events.size() > size / sizeof(nlmsghdr)) std::abort();
    for (const auto& event : events) check_plausible(event);
    if (parse_message_by_message(datagram) != events) std::abort();
    return 0;
}
