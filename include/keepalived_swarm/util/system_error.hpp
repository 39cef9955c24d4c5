#pragma once
// POSIX error numbers as error codes, for the thin adapters around system calls.

#include <boost/system/error_code.hpp>
#include <cerrno>

namespace ks::util {

inline boost::system::error_code system_error(int number) {
    return {number, boost::system::system_category()};
}

/// The error of the system call that just failed.
inline boost::system::error_code last_system_error() {
    return system_error(errno);
}

}  // namespace ks::util
