#pragma once
// One GET and its whole answer, for the commands that ask a server and exit with what it said
// (probe, status): no event loop of their own to write, and one way to report no answer.

#include <chrono>
#include <optional>
#include <string_view>

#include "keepalived_swarm/http/client.hpp"

namespace ks::roles::check {

/// GETs `endpoint.target` and returns the answer, or prints to standard error
/// "keepalived-swarm COMMAND: URL did not answer: REASON" (then `hint`, when given) and returns
/// nullopt when there is none within `timeout`.
std::optional<http::Response> ask_once(const http::Endpoint& endpoint,
                                       std::chrono::milliseconds timeout, std::string_view command,
                                       std::string_view url, std::string_view hint = {});

}  // namespace ks::roles::check
