#pragma once
// Where the HTTP client connects, as users write it, and the errors of its calls. Apart from the
// client so that the configuration parses addresses without the client's I/O.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <type_traits>

namespace ks::http {

/// Why a call failed; each has a message that says what to check.
enum class Errc {
    invalid_endpoint = 1,  ///< the address is not unix:///PATH, tcp://HOST:PORT or http://...
    unreachable,           ///< connecting failed (no socket file, refused, unknown host)
    timeout,               ///< the deadline passed before the answer was complete
    disconnected,          ///< the server closed the connection before the answer was complete
    protocol,              ///< the answer is not valid HTTP/1.1
    body_too_large,        ///< the body is larger than the client's limit
    cancelled,             ///< Client::cancel() was called during the call
};

/// The error category of Errc.
const boost::system::error_category& error_category();
/// Makes Errc usable as a boost::system::error_code.
boost::system::error_code make_error_code(Errc code);

/// Where a server listens. Parsed from "unix:///run/x.sock", "/run/x.sock", "tcp://host:port"
/// or "http://host[:port][/path]" (the path, if any, becomes `target`).
struct Endpoint {
    enum class Transport { unix_socket, tcp };
    Transport transport = Transport::unix_socket;
    std::string socket_path;   ///< unix_socket only
    std::string host;          ///< tcp only; IPv6 without brackets
    std::string port;          ///< tcp only
    std::string target = "/";  ///< the path of an http:// URL, "/" otherwise

    /// The value of the Host header: "localhost" on a unix socket, host[:port] on TCP.
    std::string host_header() const;
    /// The address as the user would write it: "unix:///run/x.sock", "tcp://10.0.0.1:2375".
    std::string to_string() const;
};

/// The endpoint of a unix socket at `path`, as parse_endpoint("unix://" + path) gives it.
Endpoint unix_endpoint(std::string path);

/// Parses an endpoint; Errc::invalid_endpoint when the text is none of the accepted forms.
boost::system::result<Endpoint> parse_endpoint(std::string_view text);

}  // namespace ks::http

template <>
struct boost::system::is_error_code_enum<ks::http::Errc> : std::true_type {};
