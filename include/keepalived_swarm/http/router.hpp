#pragma once
// A pure HTTP router: method + path -> handler -> response. It does no I/O, so the server reads
// requests and writes what the router returns, and tests call handle() directly.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::http {

/// A complete request as the server read it.
using ServerRequest = boost::beast::http::request<boost::beast::http::string_body>;
/// A complete response; handle() finishes it (version, keep-alive, Content-Length).
using ServerResponse = boost::beast::http::response<boost::beast::http::string_body>;
/// HTTP status codes.
using Status = boost::beast::http::status;
/// HTTP request methods.
using Method = boost::beast::http::verb;

/// A response with `body` and its Content-Type.
ServerResponse make_response(Status status, std::string body, std::string_view content_type);
/// A text/plain response (UTF-8).
ServerResponse text_response(Status status, std::string body);
/// An application/json response.
ServerResponse json_response(Status status, std::string body);

/// The path of a request target: what precedes '?' or '#'.
std::string_view target_path(std::string_view target);

/// Maps (method, exact path) to handlers. Handlers run on the server's executor, one at a time;
/// they must not block or do I/O (read prepared state instead).
class Router {
public:
    /// Turns a request into a response; may throw (the router answers 500 then).
    using Handler = std::function<ServerResponse(const ServerRequest&)>;

    /// Registers `handler` for `method` on `path` (no query string); a GET route answers HEAD.
    void add(Method method, std::string path, Handler handler);

    /// The handler's response, or 404 for an unknown path, 405 (with Allow) for a known path with
    /// another method, 500 when the handler threw. Sets version and keep-alive from the request
    /// and Content-Length from the body; a HEAD response keeps the length and drops the body.
    ServerResponse handle(const ServerRequest& request) const;

private:
    struct Route {
        Method method;
        std::string path;
        Handler handler;
    };
    std::vector<Route> routes_;
};

}  // namespace ks::http
