#pragma once
// The buoy's routes, pure functions of BuoyState:
//   GET /         {"hostname", "containerId", "containerUptime"} as the original buoy
//   GET /health   200 "Ok"
//   GET /status   the float's status document plus the buoy's own fields
//   GET /cluster  every manager (this node and the float's peers) and the split-brain verdict
//   GET /metrics  Prometheus: the float's metrics with a node label, the cluster's, the buoy's
//   GET /ui       a self-contained web page that refreshes itself from /status

#include <string>

#include "keepalived_swarm/http/router.hpp"
#include "keepalived_swarm/http/server.hpp"
#include "roles/buoy/buoy_config.hpp"
#include "roles/buoy/buoy_state.hpp"

namespace ks::roles::buoy {

/// The body of GET /.
std::string identity_json(const BuoyState& state);
/// The body of GET /status; "float" is "unreachable" (and "floatError" says why) without one.
std::string status_json(const BuoyState& state);
/// The body of GET /cluster: this node and its peers as last fetched, judged together.
std::string cluster_json(const BuoyState& state);
/// The float's part of GET /metrics, rendered (within PrometheusBounds) once per change of the
/// float's status and kept in `state.float_metrics`.
const std::string& float_metrics_text(const BuoyState& state);
/// The body of GET /metrics.
std::string metrics_text(const BuoyState& state);

/// A router serving the routes above; it reads `state` at each request, so `state` must outlive it.
http::Router make_router(const BuoyState& state);

/// Limits of the buoy's server: small requests only, as no route takes a body.
http::ServerLimits server_limits(const BuoyConfig& config);

}  // namespace ks::roles::buoy
