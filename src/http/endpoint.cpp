#include "keepalived_swarm/http/endpoint.hpp"

namespace ks::http {
namespace {

using boost::system::error_code;
using boost::system::result;

class HttpCategory : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ks.http"; }
    std::string message(int value) const override {
        switch (static_cast<Errc>(value)) {
            case Errc::invalid_endpoint:
                return "invalid address: expected unix:///PATH, tcp://HOST:PORT or "
                       "http://HOST[:PORT][/PATH]";
            case Errc::unreachable:
                return "cannot connect: check that the server runs and that the address (or the "
                       "mounted socket) is right";
            case Errc::timeout:
                return "no complete answer before the deadline";
            case Errc::disconnected:
                return "the server closed the connection mid-answer";
            case Errc::protocol:
                return "the answer is not valid HTTP/1.1";
            case Errc::body_too_large:
                return "the answer's body is larger than the limit";
            case Errc::cancelled:
                return "the call was cancelled";
        }
        return "unknown HTTP client error";
    }
};

bool valid_port(std::string_view port) {
    if (port.empty() || port.size() > 5) return false;
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value >= 1 && value <= 65535;
}

/// Splits "host:port", "[v6]:port", "host" (default port) into host and port.
result<Endpoint> parse_host_port(std::string_view text, std::string_view default_port) {
    Endpoint endpoint;
    endpoint.transport = Endpoint::Transport::tcp;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return make_error_code(Errc::invalid_endpoint);
        endpoint.host = std::string(text.substr(1, close - 1));
        const auto after = text.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return make_error_code(Errc::invalid_endpoint);
            port = after.substr(1);
        }
    } else {
        const auto colon = text.rfind(':');
        if (colon != std::string_view::npos) {
            if (text.find(':') != colon) return make_error_code(Errc::invalid_endpoint);
            endpoint.host = std::string(text.substr(0, colon));
            port = text.substr(colon + 1);
        } else {
            endpoint.host = std::string(text);
        }
    }
    if (port.empty() && text.find(':') == std::string_view::npos) port = default_port;
    if (endpoint.host.empty() || !valid_port(port) ||
        endpoint.host.find_first_of("/ \t@?#") != std::string::npos) {
        return make_error_code(Errc::invalid_endpoint);
    }
    endpoint.port = std::string(port);
    return endpoint;
}

}  // namespace

const boost::system::error_category& error_category() {
    static const HttpCategory category;
    return category;
}

error_code make_error_code(Errc code) {
    return {static_cast<int>(code), error_category()};
}

std::string Endpoint::host_header() const {
    if (transport == Transport::unix_socket) return "localhost";
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + port;
}

std::string Endpoint::to_string() const {
    if (transport == Transport::unix_socket) return "unix://" + socket_path;
    return "tcp://" + host_header();
}

Endpoint unix_endpoint(std::string path) {
    Endpoint endpoint;
    endpoint.transport = Endpoint::Transport::unix_socket;
    endpoint.socket_path = std::move(path);
    return endpoint;
}

result<Endpoint> parse_endpoint(std::string_view text) {
    constexpr std::string_view unix_scheme = "unix://";
    constexpr std::string_view tcp_scheme = "tcp://";
    constexpr std::string_view http_scheme = "http://";
    if (text.starts_with(unix_scheme) || text.starts_with("/")) {
        const auto path = text.starts_with("/") ? text : text.substr(unix_scheme.size());
        if (path.size() < 2 || path.front() != '/' || path.size() > 107) {
            return make_error_code(Errc::invalid_endpoint);
        }
        return unix_endpoint(std::string(path));
    }
    if (text.starts_with(tcp_scheme)) {
        auto rest = text.substr(tcp_scheme.size());
        if (rest.ends_with("/")) rest.remove_suffix(1);
        if (rest.find('/') != std::string_view::npos)
            return make_error_code(Errc::invalid_endpoint);
        return parse_host_port(rest, "");
    }
    if (text.starts_with(http_scheme)) {
        const auto rest = text.substr(http_scheme.size());
        const auto slash = rest.find('/');
        auto endpoint = parse_host_port(rest.substr(0, slash), "80");
        if (!endpoint) return endpoint;
        if (slash != std::string_view::npos) endpoint->target = std::string(rest.substr(slash));
        if (endpoint->target.find_first_of(" \t\r\n") != std::string::npos) {
            return make_error_code(Errc::invalid_endpoint);
        }
        return endpoint;
    }
    return make_error_code(Errc::invalid_endpoint);
}

}  // namespace ks::http
