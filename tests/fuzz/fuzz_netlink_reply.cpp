// Feeds arbitrary bytes to the framing of rtnetlink answers (what RouteNetlink's link and address
// dumps and its requests' acknowledgements read), then each answering message to the route events
// parser as the dumps do. Nothing may crash, hang or trip a sanitizer; every message handed on
// must lie inside the datagram, answer the request, and be no control message.
// Seeds: dump answers, acknowledgements and errors captured in a private network namespace.

#include <linux/netlink.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "keepalived_swarm/net/netlink_reply.hpp"
#include "keepalived_swarm/net/route_events.hpp"

using namespace ks::net;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_message(std::span<const std::uint8_t> datagram, std::span<const std::uint8_t> message,
                   std::uint32_t sequence) {
    check(message.data() >= datagram.data());
    check(message.data() + message.size() <= datagram.data() + datagram.size());
    check(message.size() >= NLMSG_HDRLEN);
    nlmsghdr header;
    std::memcpy(&header, message.data(), sizeof header);
    check(header.nlmsg_len == message.size());
    check(header.nlmsg_seq == sequence);
    check(header.nlmsg_type != NLMSG_DONE && header.nlmsg_type != NLMSG_ERROR);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> datagram(data, size);
    // The request being answered: the first message's, so that seeds answer theirs.
    std::uint32_t sequence = 0;
    if (size >= sizeof(nlmsghdr)) {
        std::memcpy(&sequence, data + offsetof(nlmsghdr, nlmsg_seq), sizeof sequence);
    }
    const auto reply = parse_netlink_reply(datagram, sequence);
    check(!reply.end || *reply.end >= 0);
    for (const auto message : reply.messages) {
        check_message(datagram, message, sequence);
        parse_route_events(message);
    }
    return 0;
}
