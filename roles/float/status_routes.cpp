#include "roles/float/status_routes.hpp"

#include <boost/json/serialize.hpp>

namespace ks::roles {

http::Router make_status_router(std::function<status::FloatStatus()> current_status,
                                std::string node_hostname) {
    http::Router router;
    router.add(http::Method::get, "/status", [current_status](const http::ServerRequest&) {
        return http::json_response(http::Status::ok,
                                   boost::json::serialize(to_json(current_status())));
    });
    router.add(http::Method::get, "/metrics",
               [current_status, node = std::move(node_hostname)](const http::ServerRequest&) {
                   return http::make_response(
                       http::Status::ok, status::to_prometheus(current_status(), {{"node", node}}),
                       "text/plain; version=0.0.4; charset=utf-8");
               });
    return router;
}

http::ServerLimits status_server_limits() {
    http::ServerLimits limits;
    // Unix-socket clients have no address, so the per-client limit does not apply to them; at
    // this cap the connection that went longest without a request makes room for a new one.
    limits.max_connections = 64;
    limits.shutdown_timeout = std::chrono::milliseconds(300);
    return limits;
}

}  // namespace ks::roles
