// The framing of the kernel's answers to rtnetlink requests: which messages answer the request,
// where the answer ends, and what a datagram that lies about lengths or errors gives.

#include <linux/netlink.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "keepalived_swarm/net/netlink_reply.hpp"

using ks::net::parse_netlink_reply;

namespace {

using Bytes = std::vector<std::uint8_t>;

/// Appends one message of `type` and `sequence` with `payload`, padded to 4 bytes.
void append_message(Bytes& datagram, std::uint16_t type, std::uint32_t sequence,
                    const Bytes& payload = {}) {
    nlmsghdr header{};
    header.nlmsg_len = static_cast<std::uint32_t>(NLMSG_LENGTH(payload.size()));
    header.nlmsg_type = type;
    header.nlmsg_seq = sequence;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&header);
    datagram.insert(datagram.end(), bytes, bytes + sizeof header);
    datagram.insert(datagram.end(), payload.begin(), payload.end());
    datagram.resize(NLMSG_ALIGN(datagram.size()), 0);
}

Bytes error_payload(int error) {
    nlmsgerr message{};
    message.error = error;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&message);
    return Bytes(bytes, bytes + sizeof message);
}

constexpr std::uint16_t kAnswerType = 20;  // RTM_NEWADDR; any non-control type will do

}  // namespace

TEST_CASE("netlink reply: the answers of the request, up to NLMSG_DONE", "[net][netlink]") {
    Bytes datagram;
    append_message(datagram, kAnswerType, 7, {1, 2, 3, 4});
    append_message(datagram, kAnswerType, 6, {9});  // a late answer to an earlier request
    append_message(datagram, kAnswerType, 7);
    append_message(datagram, NLMSG_DONE, 7);
    append_message(datagram, kAnswerType, 7);  // after the end: not read

    const auto reply = parse_netlink_reply(datagram, 7);
    REQUIRE(reply.messages.size() == 2);
    CHECK(reply.messages[0].size() == NLMSG_LENGTH(4));
    CHECK(reply.messages[1].size() == NLMSG_HDRLEN);
    CHECK(reply.end == 0);
}

TEST_CASE("netlink reply: a dump that goes on in the next datagram", "[net][netlink]") {
    Bytes datagram;
    append_message(datagram, kAnswerType, 3);
    const auto reply = parse_netlink_reply(datagram, 3);
    CHECK(reply.messages.size() == 1);
    CHECK_FALSE(reply.end);
}

TEST_CASE("netlink reply: acknowledgements and errors", "[net][netlink]") {
    Bytes ack;
    append_message(ack, NLMSG_ERROR, 1, error_payload(0));
    CHECK(parse_netlink_reply(ack, 1).end == 0);

    Bytes exists;
    append_message(exists, NLMSG_ERROR, 1, error_payload(-EEXIST));
    CHECK(parse_netlink_reply(exists, 1).end == EEXIST);

    // An error message cut short after its header reads as far as it goes (an acknowledgement).
    Bytes short_error;
    append_message(short_error, NLMSG_ERROR, 1);
    CHECK(parse_netlink_reply(short_error, 1).end == 0);
}

TEST_CASE("netlink reply: error numbers no kernel sends are a bad message", "[net][netlink]") {
    // Negating INT_MIN overflowed (undefined behaviour) before the parser checked it.
    Bytes lowest;
    append_message(lowest, NLMSG_ERROR, 1, error_payload(INT_MIN));
    CHECK(parse_netlink_reply(lowest, 1).end == EBADMSG);

    Bytes positive;
    append_message(positive, NLMSG_ERROR, 1, error_payload(5));
    CHECK(parse_netlink_reply(positive, 1).end == EBADMSG);
}

TEST_CASE("netlink reply: lengths that lie end the answer as a bad message", "[net][netlink]") {
    Bytes too_long;
    append_message(too_long, kAnswerType, 1);
    append_message(too_long, kAnswerType, 1);
    too_long[too_long.size() - NLMSG_HDRLEN] = 0xFF;  // the second claims 255 bytes
    const auto reply = parse_netlink_reply(too_long, 1);
    CHECK(reply.messages.size() == 1);
    CHECK(reply.end == EBADMSG);

    Bytes too_short;
    append_message(too_short, kAnswerType, 1);
    too_short[0] = 4;  // shorter than its own header
    CHECK(parse_netlink_reply(too_short, 1).end == EBADMSG);

    // A tail shorter than a header is padding, not a message.
    Bytes tail(8, 0xAA);
    const auto padding = parse_netlink_reply(tail, 1);
    CHECK(padding.messages.empty());
    CHECK_FALSE(padding.end);
}
