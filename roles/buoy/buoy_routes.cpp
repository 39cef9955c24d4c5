#include "roles/buoy/buoy_routes.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/status/prometheus.hpp"
#include "keepalived_swarm/util/json_text.hpp"
#include "keepalived_swarm/util/time_text.hpp"
#include "roles/buoy/ui_page.hpp"

namespace ks::roles::buoy {
namespace json = boost::json;

std::string identity_json(const BuoyState& state) {
    // Written by hand: this is the hot route, and the original's key order is kept.
    std::string out = "{\"hostname\":";
    util::append_json_string(out, state.node_hostname);
    out += ",\"containerId\":";
    util::append_json_string(out, state.container_id);
    out += ",\"containerUptime\":";
    util::append_json_string(out, util::hours_minutes_seconds(state.uptime()));
    out += '}';
    return out;
}

std::string status_json(const BuoyState& state) {
    const auto& view = state.float_view;
    json::object document{
        {"buoy", json::object{{"hostname", state.node_hostname},
                              {"containerId", state.container_id},
                              {"containerUptime", util::hours_minutes_seconds(state.uptime())},
                              {"uptimeSeconds", state.uptime().count()},
                              {"version", state.version},
                              {"floatSocket", state.float_socket}}},
    };
    if (view.status) {
        document["float"] = status::to_json(*view.status);
    } else {
        document["float"] = "unreachable";
        document["floatError"] = view.error;
    }
    if (view.checked_at != std::chrono::system_clock::time_point{}) {
        document["floatCheckedAt"] = util::iso8601_utc(view.checked_at);
    }
    return json::serialize(document);
}

std::string cluster_json(const BuoyState& state) {
    return json::serialize(status::to_json(state.cluster_view(std::chrono::system_clock::now())));
}

const std::string& float_metrics_text(const BuoyState& state) {
    const auto& view = state.float_view;
    auto& cache = state.float_metrics;
    if (cache.generation == view.generation) return cache.text;
    status::PrometheusCuts cuts;
    cache.text.clear();
    if (view.status) {
        cache.text = status::to_prometheus(*view.status, {{"node", state.node_hostname}}, &cuts);
    }
    // Once per change of what is cut, not per render: a status that stays oversized is one line.
    if (cuts.any() && cuts != cache.cuts) {
        log::warn(
            "the float's status is too large to relay whole on /metrics; long label values "
            "were shortened and series beyond the limits dropped; check the float's instance "
            "names and what it reports",
            {{"label_values_shortened", cuts.label_values_shortened},
             {"series_dropped", cuts.series_dropped}});
    }
    cache.cuts = cuts;
    cache.generation = view.generation;
    return cache.text;
}

std::string metrics_text(const BuoyState& state) {
    const auto& view = state.float_view;
    const status::Labels node{{"node", state.node_hostname}};
    std::string text = float_metrics_text(state);
    text += status::cluster_prometheus(state.cluster_view(std::chrono::system_clock::now()), node);

    status::PrometheusWriter out(node);
    out.family("keepalived_swarm_buoy_info", "gauge", "Version and container of the buoy.");
    out.sample({{"version", state.version}, {"container", state.container_id}}, 1);
    out.family("keepalived_swarm_buoy_uptime_seconds", "gauge", "Seconds since the buoy started.");
    out.sample({}, static_cast<double>(state.uptime().count()));
    out.family("keepalived_swarm_buoy_float_metrics_cut", "gauge",
               "What the size limits cut from the float's metrics as relayed now.");
    out.sample({{"what", "label_values_shortened"}},
               static_cast<double>(state.float_metrics.cuts.label_values_shortened));
    out.sample({{"what", "series_dropped"}},
               static_cast<double>(state.float_metrics.cuts.series_dropped));
    out.family("keepalived_swarm_buoy_float_reachable", "gauge",
               "1 when the float's status socket answered the last fetch with a valid status.");
    out.sample({}, view.reachable() ? 1 : 0);
    out.family("keepalived_swarm_buoy_float_fetch_failures_total", "counter",
               "Fetches of the float's status that failed.");
    out.sample({}, static_cast<double>(view.failures));
    if (state.server != nullptr) {
        const auto counters = state.server->counters();
        out.family("keepalived_swarm_buoy_http_connections", "gauge", "Open HTTP connections.");
        out.sample({}, static_cast<double>(state.server->connection_count()));
        out.family("keepalived_swarm_buoy_http_requests_total", "counter", "Requests answered.");
        out.sample({}, static_cast<double>(counters.requests));
        out.family("keepalived_swarm_buoy_http_rejected_total", "counter",
                   "Requests or connections refused, by reason.");
        out.sample({{"reason", "malformed_or_too_large"}},
                   static_cast<double>(counters.bad_requests));
        out.sample({{"reason", "timeout"}}, static_cast<double>(counters.timeouts));
        out.sample({{"reason", "connection_limit"}},
                   static_cast<double>(counters.connections_refused));
        out.sample({{"reason", "evicted_at_capacity"}},
                   static_cast<double>(counters.connections_evicted));
    }
    return text + out.str();
}

http::Router make_router(const BuoyState& state) {
    using http::Method;
    using http::Status;
    http::Router router;
    router.add(Method::get, "/", [&state](const http::ServerRequest&) {
        return http::json_response(Status::ok, identity_json(state));
    });
    router.add(Method::get, "/health",
               [](const http::ServerRequest&) { return http::text_response(Status::ok, "Ok"); });
    router.add(Method::get, "/status", [&state](const http::ServerRequest&) {
        auto response = http::json_response(Status::ok, status_json(state));
        response.set(boost::beast::http::field::cache_control, "no-store");
        return response;
    });
    router.add(Method::get, "/cluster", [&state](const http::ServerRequest&) {
        auto response = http::json_response(Status::ok, cluster_json(state));
        response.set(boost::beast::http::field::cache_control, "no-store");
        return response;
    });
    router.add(Method::get, "/metrics", [&state](const http::ServerRequest&) {
        return http::make_response(Status::ok, metrics_text(state),
                                   "text/plain; version=0.0.4; charset=utf-8");
    });
    router.add(Method::get, "/ui", [](const http::ServerRequest&) {
        return http::make_response(Status::ok, std::string(ui_page()), "text/html; charset=utf-8");
    });
    return router;
}

http::ServerLimits server_limits(const BuoyConfig& config) {
    http::ServerLimits limits;
    limits.max_header_bytes = 8 * 1024;
    limits.max_body_bytes = 16 * 1024;
    limits.idle_timeout = config.idle_timeout;
    limits.header_timeout = config.request_timeout;
    limits.body_timeout = config.request_timeout;
    limits.write_timeout = config.request_timeout;
    limits.max_connections = config.max_connections;
    limits.max_connections_per_client = config.max_connections_per_client;
    return limits;
}

}  // namespace ks::roles::buoy
