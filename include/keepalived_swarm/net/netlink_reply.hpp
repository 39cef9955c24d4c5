#pragma once
// The kernel's answer to one rtnetlink request, one datagram at a time: which messages answer the
// request and whether the answer ends here (NLMSG_DONE, or NLMSG_ERROR carrying an error or the
// acknowledgement). Pure, like the route events parser, so it is fuzzed without a socket.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ks::net {

struct NetlinkReply {
    /// The messages of the datagram that answer the request, in order, up to its end.
    std::vector<std::span<const std::uint8_t>> messages;
    /// Set when the answer ends in this datagram: 0 for NLMSG_DONE or an acknowledgement, else
    /// the errno the kernel reports (EBADMSG for a datagram whose framing is broken).
    std::optional<int> end;
};

/// Splits one received datagram; messages of other sequence numbers (another request's late
/// answers) are skipped.
NetlinkReply parse_netlink_reply(std::span<const std::uint8_t> datagram, std::uint32_t sequence);

}  // namespace ks::net
