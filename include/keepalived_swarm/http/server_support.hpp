#pragma once
// Pieces of the HTTP server that need no connection: what to answer a request the parser
// refused and how a response head is written.

#include <boost/system/error_code.hpp>
#include <optional>
#include <string>

#include "keepalived_swarm/http/router.hpp"
#include "keepalived_swarm/http/server.hpp"

namespace ks::http::detail {

/// The response to a request the parser refused, or nullopt when the connection just ends.
std::optional<ServerResponse> response_to_read_error(const boost::system::error_code& ec,
                                                     const ServerLimits& limits);

/// Writes the status line and header fields of `response`, as sent, into `out`.
void write_head(const ServerResponse& response, std::string& out);

}  // namespace ks::http::detail
