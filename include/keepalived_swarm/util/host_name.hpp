#pragma once
// This machine's host name; in a container, the container's (Docker sets it to the short id).

#include <optional>
#include <string>

namespace ks::util {

/// The host name, or nullopt when the system does not tell it.
std::optional<std::string> host_name();

}  // namespace ks::util
