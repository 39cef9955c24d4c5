// Pure: linked into the fuzzers without the rest of the daemon.

#include <linux/netlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "keepalived_swarm/net/netlink_reply.hpp"

namespace ks::net {

namespace {

/// The errno of an NLMSG_ERROR message: the kernel sends it negated, 0 for an acknowledgement.
/// Anything else (a positive number, or one whose negation overflows) is no error number.
int error_number(std::span<const std::uint8_t> message) {
    nlmsgerr error{};
    std::memcpy(&error, message.data() + NLMSG_HDRLEN,
                std::min<std::size_t>(sizeof error, message.size() - NLMSG_HDRLEN));
    if (error.error > 0 || error.error == std::numeric_limits<int>::min()) return EBADMSG;
    return -error.error;
}

}  // namespace

NetlinkReply parse_netlink_reply(std::span<const std::uint8_t> datagram, std::uint32_t sequence) {
    NetlinkReply reply;
    std::size_t offset = 0;
    while (offset + sizeof(nlmsghdr) <= datagram.size()) {
        nlmsghdr header;
        std::memcpy(&header, datagram.data() + offset, sizeof header);
        if (header.nlmsg_len < sizeof header || header.nlmsg_len > datagram.size() - offset) {
            reply.end = EBADMSG;
            return reply;
        }
        const auto message = datagram.subspan(offset, header.nlmsg_len);
        if (header.nlmsg_seq == sequence) {
            if (header.nlmsg_type == NLMSG_DONE) {
                reply.end = 0;
                return reply;
            }
            if (header.nlmsg_type == NLMSG_ERROR) {
                reply.end = error_number(message);
                return reply;
            }
            reply.messages.push_back(message);
        }
        offset += NLMSG_ALIGN(header.nlmsg_len);
    }
    return reply;
}

}  // namespace ks::net
