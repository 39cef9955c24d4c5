#include "keepalived_swarm/docker/error.hpp"

#include <boost/throw_exception.hpp>
#include <stdexcept>

namespace ks::docker {

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::unreachable:
            return "unreachable";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::status:
            return "status";
        case ErrorKind::stream:
            return "stream";
        case ErrorKind::protocol:
            return "protocol";
        case ErrorKind::cancelled:
            return "cancelled";
        case ErrorKind::unsupported:
            return "unsupported";
    }
    return "unknown";
}

std::string Error::describe() const {
    switch (kind) {
        case ErrorKind::status:
            return "Docker Engine error " + std::to_string(status) + ": " + message;
        case ErrorKind::stream:
            return "Docker Engine reported: " + message;
        default:
            return message;
    }
}

void throw_exception_from_error(const Error& error, const boost::source_location& loc) {
    boost::throw_exception(std::runtime_error(error.describe()), loc);
}

}  // namespace ks::docker
