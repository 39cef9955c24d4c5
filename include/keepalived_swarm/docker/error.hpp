#pragma once
// What can go wrong when talking to the Docker Engine, as one value that says what and why.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace ks::docker {

/// The kinds of failure a caller reacts to differently.
enum class ErrorKind {
    unreachable,  ///< no daemon at the address (socket missing, refused): retry later
    timeout,      ///< the daemon did not answer in time
    status,       ///< the daemon answered with an HTTP error status (see `status`, `message`)
    stream,       ///< an {"error": ...} object inside a 200 stream (a pull that failed)
    protocol,     ///< the answer is not what the Engine API sends
    cancelled,    ///< the caller cancelled the call
    unsupported,  ///< no API version both sides speak
};

/// One failure: its kind, the HTTP status for ErrorKind::status, and the reason in words.
struct Error {
    ErrorKind kind = ErrorKind::protocol;
    unsigned status = 0;
    std::string message;  ///< the daemon's message, or what the client saw

    /// True for a status error with this HTTP status.
    bool is_status(unsigned code) const { return kind == ErrorKind::status && status == code; }
    /// "Docker Engine error 404: No such image: x" and the like, for logs.
    std::string describe() const;
};

/// std::string_view name of a kind: "unreachable", "timeout", ...
std::string_view to_string(ErrorKind kind);

/// The result of a Docker call.
template <typename T>
using Result = boost::system::result<T, Error>;

/// Lets Result<T>::value() throw for a failed call (found by argument-dependent lookup).
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

}  // namespace ks::docker
