#pragma once
// What the anchor tells its float over the tether (a unix stream socket): one JSON object per
// line. The connection being open is the main message (the anchor is alive); these lines add
// what the anchor learns from the swarm. Unknown types are ignored, so either side can be newer.
//
//   {"type":"peers","peers":["10.0.0.2","10.0.0.3"]}   all the other managers (possibly none:
//                                                        a one-manager swarm); sent only when
//                                                        the anchor could read them all, so a
//                                                        float keeps its last list meanwhile
//   {"type":"resign","reason":"node is drained"}        give up the VIPs and stay out
//   {"type":"resume"}                                    compete again
//   {"type":"tracker","name":"service:traefik_traefik","up":true,"reason":"task 3f2a1b2c3d4e
//     running, healthy"}                                 the state of one thing the anchor
//                                                        watches for the float (--track-service:
//                                                        "service:NAME"); sent when it changes
//                                                        and to every new connection. A float
//                                                        older than this message ignores it (an
//                                                        unknown type), as it ignores the
//                                                        option it comes from.
//   {"type":"handover","within_s":30}                   the anchor stops for a rolling update
//                                                        and leaves the float running: keep
//                                                        holding while its successor starts, and
//                                                        resign only if none connects in time

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::tether {

struct PeersMessage {
    std::vector<net::IpAddress> peers;
    friend bool operator==(const PeersMessage&, const PeersMessage&) = default;
};
struct ResignMessage {
    std::string reason;
    friend bool operator==(const ResignMessage&, const ResignMessage&) = default;
};
struct ResumeMessage {
    friend bool operator==(const ResumeMessage&, const ResumeMessage&) = default;
};

struct TrackerMessage {
    std::string name;  ///< "service:NAME"
    bool up = false;
    std::string reason;  ///< why it is up or down, for logs and the status page
    friend bool operator==(const TrackerMessage&, const TrackerMessage&) = default;
};

struct HandoverMessage {
    std::chrono::seconds within{0};  ///< how long the float waits for the next anchor
    friend bool operator==(const HandoverMessage&, const HandoverMessage&) = default;
};
/// The longest wait a handover may ask for: a successor slower than this is not coming.
inline constexpr std::chrono::seconds kMaxHandoverWait{300};

using Message =
    std::variant<PeersMessage, ResignMessage, ResumeMessage, TrackerMessage, HandoverMessage>;

/// One line of JSON, newline included.
std::string encode(const Message& message);
/// A line the float does not act on, and why (for the log: a newer anchor, or a broken one).
struct Undecodable {
    std::string why;
    friend bool operator==(const Undecodable&, const Undecodable&) = default;
};
using Decoded = std::variant<Message, Undecodable>;

/// Parses one line (without the newline). Extra fields are ignored (a newer anchor); a field of
/// the wrong type makes the whole line undecodable rather than half applied.
Decoded decode(std::string_view line);

}  // namespace ks::tether
