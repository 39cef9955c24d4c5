#pragma once
// The float's status socket: read-only. GET (and HEAD) /status and /metrics; any other method
// on them is answered 405 with an Allow header by the router.

#include <functional>
#include <string>

#include "keepalived_swarm/http/router.hpp"
#include "keepalived_swarm/http/server.hpp"
#include "keepalived_swarm/status/float_status.hpp"

namespace ks::roles {

/// Routes of the status socket; `current_status` is called at each request.
http::Router make_status_router(std::function<status::FloatStatus()> current_status,
                                std::string node_hostname);

/// Limits of the status socket's server: its clients are the node's buoy and command-line tools.
http::ServerLimits status_server_limits();

}  // namespace ks::roles
