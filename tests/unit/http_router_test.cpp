#include <catch2/catch.hpp>
#include <stdexcept>

#include "keepalived_swarm/http/router.hpp"

using namespace ks;
using http::Method;
using http::Status;

namespace {

http::ServerRequest request(Method method, std::string target, unsigned version = 11) {
    http::ServerRequest request{method, target, version};
    request.set(boost::beast::http::field::host, "buoy");
    return request;
}

http::Router sample_router() {
    http::Router router;
    router.add(Method::get, "/health",
               [](const http::ServerRequest&) { return http::text_response(Status::ok, "Ok"); });
    router.add(Method::post, "/health", [](const http::ServerRequest& r) {
        return http::text_response(Status::created, "got " + r.body());
    });
    router.add(Method::get, "/boom", [](const http::ServerRequest&) -> http::ServerResponse {
        throw std::runtime_error("handler bug");
    });
    return router;
}

}  // namespace

TEST_CASE("http router: a route answers with its handler's response, finished", "[http]") {
    const auto response = sample_router().handle(request(Method::get, "/health"));
    CHECK(response.result() == Status::ok);
    CHECK(response.body() == "Ok");
    CHECK(response[boost::beast::http::field::content_length] == "2");
    CHECK(response[boost::beast::http::field::content_type] == "text/plain; charset=utf-8");
    CHECK(response.keep_alive());
    CHECK(response.version() == 11);
}

TEST_CASE("http router: the method selects the handler of a path", "[http]") {
    auto post = request(Method::post, "/health");
    post.body() = "data";
    const auto response = sample_router().handle(post);
    CHECK(response.result() == Status::created);
    CHECK(response.body() == "got data");
}

TEST_CASE("http router: the query string does not take part in routing", "[http]") {
    CHECK(sample_router().handle(request(Method::get, "/health?verbose=1")).body() == "Ok");
    CHECK(sample_router().handle(request(Method::get, "/health#top")).body() == "Ok");
    CHECK(http::target_path("/a/b?c=d#e") == "/a/b");
    CHECK(http::target_path("") == "");
}

TEST_CASE("http router: HEAD gets the length of the GET body but no body", "[http]") {
    const auto response = sample_router().handle(request(Method::head, "/health"));
    CHECK(response.result() == Status::ok);
    CHECK(response.body().empty());
    CHECK(response[boost::beast::http::field::content_length] == "2");
}

TEST_CASE("http router: an unknown path is 404", "[http]") {
    for (const char* target : {"/nope", "/health/", "/HEALTH", "*", "http://x/health", ""}) {
        INFO(target);
        CHECK(sample_router().handle(request(Method::get, target)).result() == Status::not_found);
    }
}

TEST_CASE("http router: a known path with another method is 405 with Allow", "[http]") {
    const auto response = sample_router().handle(request(Method::delete_, "/health"));
    CHECK(response.result() == Status::method_not_allowed);
    CHECK(response[boost::beast::http::field::allow] == "GET, HEAD, POST");
    auto unknown_method = request(Method::unknown, "/health");
    unknown_method.method_string("BREW");
    CHECK(sample_router().handle(unknown_method).result() == Status::method_not_allowed);
}

TEST_CASE("http router: a handler that throws gives 500, not a crash", "[http]") {
    const auto response = sample_router().handle(request(Method::get, "/boom"));
    CHECK(response.result() == Status::internal_server_error);
    CHECK_FALSE(response.body().empty());
}

TEST_CASE("http router: keep-alive follows the request", "[http]") {
    CHECK_FALSE(sample_router().handle(request(Method::get, "/health", 10)).keep_alive());
    auto keep = request(Method::get, "/health", 10);
    keep.keep_alive(true);
    CHECK(sample_router().handle(keep).keep_alive());
    auto close = request(Method::get, "/health", 11);
    close.keep_alive(false);
    const auto response = sample_router().handle(close);
    CHECK_FALSE(response.keep_alive());
    CHECK(response.version() == 11);
}
