#include "keepalived_swarm/vrrp/actions.hpp"

namespace ks::vrrp {

std::string_view to_string(State state) {
    switch (state) {
        case State::initialize:
            return "INIT";
        case State::backup:
            return "BACKUP";
        case State::master:
            return "MASTER";
        case State::fault:
            return "FAULT";
    }
    return "INIT";
}

std::string_view to_string(Reason reason) {
    switch (reason) {
        case Reason::startup:
            return "startup";
        case Reason::shutdown:
            return "shutdown";
        case Reason::master_down:
            return "master down timer expired";
        case Reason::higher_priority:
            return "higher priority master advertised";
        case Reason::tracker_down:
            return "tracker down";
        case Reason::tracker_up:
            return "trackers up";
    }
    return "unknown";
}

std::string_view to_string(DropReason reason) {
    switch (reason) {
        case DropReason::ttl:
            return "ttl";
        case DropReason::version_mismatch:
            return "version_mismatch";
        case DropReason::other_vrid:
            return "other_vrid";
        case DropReason::own_advert:
            return "own_advert";
        case DropReason::unknown_source:
            return "unknown_source";
        case DropReason::interval_mismatch:
            return "interval_mismatch";
        case DropReason::address_mismatch:
            return "address_mismatch";
        case DropReason::owner_ignores:
            return "owner_ignores";
    }
    return "unknown";
}

std::string describe_reason(const StateChanged& change) {
    std::string text(to_string(change.reason));
    if (!change.detail.empty()) text += ": " + change.detail;
    return text;
}

}  // namespace ks::vrrp
