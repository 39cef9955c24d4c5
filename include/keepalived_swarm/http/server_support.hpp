#pragma once
// Pieces of the HTTP server that need no connection: what to answer a request the parser
// refused, how a response head is written, and how often abuse is reported.

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
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

/// Says "report now" at most once per interval, and how many events went unreported, so an
/// attack costs one log line per interval instead of one per connection.
struct ReportThrottle {
    using Clock = std::chrono::steady_clock;
    Clock::duration interval;
    Clock::time_point last_report{};
    std::uint64_t unreported = 0;

    /// Counts one event; true when it is time to report it with the `unreported` before it.
    bool due(Clock::time_point now) {
        ++unreported;
        if (last_report != Clock::time_point{} && now - last_report < interval) return false;
        last_report = now;
        return true;
    }
};

}  // namespace ks::http::detail
