#include <catch2/catch.hpp>

#include "roles/float/status_routes.hpp"

using namespace ks;
using http::Method;
using http::Status;

namespace {

http::ServerResponse ask(Method method, const std::string& target) {
    const auto router = roles::make_status_router(
        [] {
            status::FloatStatus status;
            status.node = "node1";
            status.tether = "standalone";
            return status;
        },
        "node1");
    http::ServerRequest request{method, target, 11};
    request.set(boost::beast::http::field::host, "float");
    return router.handle(request);
}

}  // namespace

TEST_CASE("the float's status socket answers GET and HEAD", "[float][status]") {
    CHECK(ask(Method::get, "/status").result() == Status::ok);
    CHECK(ask(Method::get, "/metrics").result() == Status::ok);
    const auto head = ask(Method::head, "/status");
    CHECK(head.result() == Status::ok);
    CHECK(head.body().empty());
}

TEST_CASE("the float's status socket is read-only: other methods get 405 with Allow",
          "[float][status]") {
    for (const auto method : {Method::post, Method::put, Method::delete_, Method::patch}) {
        for (const std::string target : {"/status", "/metrics"}) {
            const auto response = ask(method, target);
            CHECK(response.result() == Status::method_not_allowed);
            CHECK(response[boost::beast::http::field::allow] == "GET, HEAD");
        }
    }
}
