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

using Message = std::variant<PeersMessage, ResignMessage, ResumeMessage>;

/// One line of JSON, newline included.
std::string encode(const Message& message);
/// Parses one line (without the newline). nullopt for malformed or unknown messages.
std::optional<Message> decode(std::string_view line);

/// Default path of the anchor's tether socket on a node.
inline constexpr const char* kDefaultSocketPath = "/run/keepalived-swarm/anchor.sock";

}  // namespace ks::tether
