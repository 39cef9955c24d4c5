#include "keepalived_swarm/util/host_name.hpp"

#include <unistd.h>

namespace ks::util {

std::optional<std::string> host_name() {
    // One byte more than gethostname may fill: the name is terminated even when truncated.
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return std::nullopt;
    return std::string(name);
}

}  // namespace ks::util
