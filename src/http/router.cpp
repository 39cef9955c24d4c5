#include "keepalived_swarm/http/router.hpp"

#include <exception>

#include "keepalived_swarm/log/log.hpp"

namespace ks::http {
namespace beast_http = boost::beast::http;

ServerResponse make_response(Status status, std::string body, std::string_view content_type) {
    ServerResponse response{status, 11};
    response.set(beast_http::field::content_type, content_type);
    response.body() = std::move(body);
    return response;
}

ServerResponse text_response(Status status, std::string body) {
    return make_response(status, std::move(body), "text/plain; charset=utf-8");
}

ServerResponse json_response(Status status, std::string body) {
    return make_response(status, std::move(body), "application/json; charset=utf-8");
}

std::string_view target_path(std::string_view target) {
    return target.substr(0, target.find_first_of("?#"));
}

void Router::add(Method method, std::string path, Handler handler) {
    routes_.push_back(Route{method, std::move(path), std::move(handler)});
}

namespace {

ServerResponse finish(ServerResponse response, const ServerRequest& request) {
    response.version(request.version() == 10 ? 10 : 11);
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    if (request.method() == Method::head) {
        // A HEAD answer announces the length of the GET body without sending it.
        const auto length = response.body().size();
        response.body().clear();
        response.content_length(length);
    }
    return response;
}

ServerResponse call_handler(const Router::Handler& handler, const ServerRequest& request) {
    try {
        return handler(request);
    } catch (const std::exception& e) {
        log::error("request handler failed",
                   {{"target", std::string_view(request.target())}, {"error", e.what()}});
    } catch (...) {
        log::error("request handler failed", {{"target", std::string_view(request.target())}});
    }
    return text_response(Status::internal_server_error,
                         "Internal error while answering this request; the server log says why.\n");
}

}  // namespace

ServerResponse Router::handle(const ServerRequest& request) const {
    const std::string_view path = target_path(request.target());
    const Method method = request.method() == Method::head ? Method::get : request.method();
    std::string allowed;
    for (const auto& route : routes_) {
        if (route.path != path) continue;
        if (route.method == method) return finish(call_handler(route.handler, request), request);
        if (!allowed.empty()) allowed += ", ";
        allowed += std::string_view(beast_http::to_string(route.method));
        if (route.method == Method::get) allowed += ", HEAD";
    }
    if (allowed.empty()) {
        return finish(text_response(Status::not_found, "Not found: no resource at this path.\n"),
                      request);
    }
    auto response = text_response(Status::method_not_allowed,
                                  "Method not allowed here; the Allow header lists the methods.\n");
    response.set(beast_http::field::allow, allowed);
    return finish(std::move(response), request);
}

}  // namespace ks::http
