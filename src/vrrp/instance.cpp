#include "keepalived_swarm/vrrp/instance.hpp"

#include <algorithm>

namespace ks::vrrp {
namespace {

std::vector<IpAddress> sorted(std::vector<IpAddress> addresses) {
    std::sort(addresses.begin(), addresses.end());
    return addresses;
}

}  // namespace

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
        case Reason::tracked_down:
            return "tether to the anchor down";
        case Reason::tracked_up:
            return "tether to the anchor up";
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
        case DropReason::interval_mismatch:
            return "interval_mismatch";
        case DropReason::address_mismatch:
            return "address_mismatch";
        case DropReason::owner_ignores:
            return "owner_ignores";
    }
    return "unknown";
}

Instance::Instance(InstanceConfig config)
    : config_(std::move(config)), master_advert_interval_(config_.advert_interval) {
    config_.virtual_addresses = sorted(std::move(config_.virtual_addresses));
}

std::uint8_t Instance::effective_priority() const {
    return state_ == State::fault ? kResignPriority : config_.priority;
}

Duration Instance::skew_time() const {
    const auto weight = 256 - static_cast<Duration::rep>(config_.priority);
    // RFC 3768 6.1: VRRPv2 skews by (256 - Priority) / 256 seconds whatever the interval.
    const Duration base = config_.version == Version::v2 ? Duration(std::chrono::seconds(1))
                                                         : master_advert_interval_;
    return Duration(weight * base.count() / 256);
}

Duration Instance::master_down_interval() const {
    return 3 * master_advert_interval_ + skew_time();
}

Duration Instance::advertised_interval(const Advertisement& advert) const {
    // RFC 3768 has no Master_Adver_Interval: a v2 backup times the master with its own interval.
    if (config_.version == Version::v2) return config_.advert_interval;
    return std::chrono::duration_cast<Duration>(advert.interval);
}

Output Instance::finish(Output out) const {
    out.next_deadline = deadline_;
    return out;
}

void Instance::change_state(Output& out, State to, Reason reason) {
    if (state_ == to) return;
    out.actions.emplace_back(StateChanged{state_, to, reason});
    state_ = to;
}

void Instance::become_master(Output& out, TimePoint now, Reason reason) {
    out.actions.emplace_back(AddAddresses{});
    // Announce before advertising: a rival master reacts to our advert, so whatever it announces
    // in reply reaches the neighbours after our announcement, not before.
    out.actions.emplace_back(AnnounceAddresses{});
    out.actions.emplace_back(SendAdvertisement{config_.priority});
    deadline_ = now + config_.advert_interval;
    master_advert_interval_ = config_.advert_interval;
    master_address_ = config_.primary_address;
    lower_master_since_.reset();
    // The announcement above may be overtaken by a rival's: the first conflict announces again.
    conflict_announced_at_.reset();
    change_state(out, State::master, reason);
}

void Instance::become_backup(Output& out, TimePoint now, Reason reason, Duration master_interval) {
    if (state_ == State::master) out.actions.emplace_back(RemoveAddresses{});
    master_advert_interval_ = master_interval;
    deadline_ = now + master_down_interval();
    change_state(out, State::backup, reason);
}

Output Instance::enter_service(TimePoint now, Reason reason, State from) {
    Output out;
    state_ = from;
    // A lower master heard before a Fault is old news: the preempt delay starts over.
    lower_master_since_.reset();
    if (!tracked_up_) {
        deadline_.reset();
        change_state(out, State::fault, Reason::tracked_down);
        return finish(std::move(out));
    }
    if (config_.priority == kOwnerPriority) {
        become_master(out, now, reason);
    } else {
        become_backup(out, now, reason, config_.advert_interval);
    }
    return finish(std::move(out));
}

Output Instance::start(TimePoint now) {
    if (state_ != State::initialize) return finish({});
    master_address_.reset();
    return enter_service(now, Reason::startup, State::initialize);
}

Output Instance::stop(TimePoint /*now*/) {
    Output out;
    if (state_ == State::master) {
        out.actions.emplace_back(SendAdvertisement{kResignPriority});
        out.actions.emplace_back(RemoveAddresses{});
    }
    change_state(out, State::initialize, Reason::shutdown);
    deadline_.reset();
    master_address_.reset();
    lower_master_since_.reset();
    return finish(std::move(out));
}

Output Instance::expire(TimePoint now) {
    Output out;
    if (!deadline_ || now < *deadline_) return finish(std::move(out));
    if (state_ == State::backup) {
        become_master(out, now, Reason::master_down);
    } else if (state_ == State::master) {
        out.actions.emplace_back(SendAdvertisement{config_.priority});
        deadline_ = now + config_.advert_interval;
    } else {
        deadline_.reset();
    }
    return finish(std::move(out));
}

Output Instance::set_tracked(TimePoint now, bool up) {
    if (up == tracked_up_) return finish({});
    tracked_up_ = up;
    if (state_ == State::initialize) return finish({});  // start() consults it
    if (up) return enter_service(now, Reason::tracked_up, state_);
    Output out;
    if (state_ == State::master) {
        out.actions.emplace_back(SendAdvertisement{kResignPriority});
        out.actions.emplace_back(RemoveAddresses{});
        master_address_.reset();
    }
    deadline_.reset();
    change_state(out, State::fault, Reason::tracked_down);
    return finish(std::move(out));
}

Output Instance::update(TimePoint now, std::uint8_t priority, bool preempt,
                        Duration preempt_delay) {
    Output out;
    const bool priority_changed = priority != config_.priority;
    config_.priority = priority;
    config_.preempt = preempt;
    config_.preempt_delay = preempt_delay;
    if (state_ == State::master && priority_changed) {
        out.actions.emplace_back(SendAdvertisement{priority});
        deadline_ = now + config_.advert_interval;
    }
    return finish(std::move(out));
}

std::optional<DropReason> Instance::validate(const ReceivedAdvertisement& received,
                                             bool& address_mismatch) const {
    const auto& advert = received.advert;
    if (received.ttl != kRequiredTtl) return DropReason::ttl;
    if (advert.version != config_.version ||
        family_of(received.source) != family_of(config_.primary_address)) {
        return DropReason::version_mismatch;
    }
    if (advert.vrid != config_.vrid) return DropReason::other_vrid;
    // RFC 5798 7.1 / RFC 3768 7.1: the address owner does not listen to anyone.
    if (config_.priority == kOwnerPriority) return DropReason::owner_ignores;
    if (received.source == config_.primary_address) return DropReason::own_advert;
    address_mismatch = sorted(advert.addresses) != config_.virtual_addresses;
    if (config_.version == Version::v2) {
        if (address_mismatch && advert.priority != kOwnerPriority) {
            return DropReason::address_mismatch;
        }
        if (std::chrono::duration_cast<Duration>(advert.interval) != config_.advert_interval) {
            return DropReason::interval_mismatch;
        }
    }
    return std::nullopt;
}

Output Instance::receive(TimePoint now, const ReceivedAdvertisement& received) {
    Output out;
    bool address_mismatch = false;
    if (auto reason = validate(received, address_mismatch)) {
        out.dropped = reason;
        return finish(std::move(out));
    }
    out.address_list_mismatch = address_mismatch && config_.version == Version::v3;
    const auto& advert = received.advert;

    switch (state_) {
        case State::initialize:
            break;
        case State::fault:
            // Not competing, but the status still shows who holds the VIPs.
            if (advert.priority != kResignPriority) {
                master_address_ = received.source;
            } else if (master_address_ == received.source) {
                master_address_.reset();
            }
            break;
        case State::backup:
            if (advert.priority == kResignPriority) {
                // 6.4.2: the master resigned; take over after Skew_Time unless a better one speaks.
                deadline_ = now + skew_time();
                master_address_.reset();
                break;
            }
            master_address_ = received.source;
            if (!config_.preempt || advert.priority >= config_.priority) {
                lower_master_since_.reset();
                master_advert_interval_ = advertised_interval(advert);
                deadline_ = now + master_down_interval();
                break;
            }
            if (config_.preempt_delay > Duration::zero()) {
                if (!lower_master_since_) lower_master_since_ = now;
                if (now < *lower_master_since_ + config_.preempt_delay) {
                    master_advert_interval_ = advertised_interval(advert);
                    deadline_ = now + master_down_interval();
                }
            }
            // Otherwise discard: Master_Down_Timer runs out and we preempt (6.4.2).
            break;
        case State::master:
            if (advert.priority == kResignPriority) {
                // 6.4.3: another router resigned; assert ourselves at once.
                out.actions.emplace_back(SendAdvertisement{config_.priority});
                deadline_ = now + config_.advert_interval;
                break;
            }
            if (advert.priority > config_.priority || (advert.priority == config_.priority &&
                                                       config_.primary_address < received.source)) {
                become_backup(out, now, Reason::higher_priority, advertised_interval(advert));
                master_address_ = received.source;
                break;
            }
            // RFC 5798 discards this, but it means two masters: typically both backups of equal
            // priority ran out Skew_Time together. The other steps down on our advert, yet its
            // gratuitous ARPs may have taken the neighbours with it. So, as keepalived does,
            // announce the VIPs again (at most once per kConflictAnnounceSpacing, so a router that
            // never hears us cannot make us flood the link) and advertise now.
            if (!conflict_announced_at_ ||
                now - *conflict_announced_at_ >= kConflictAnnounceSpacing) {
                out.actions.emplace_back(AnnounceAddresses{});
                conflict_announced_at_ = now;
            }
            out.actions.emplace_back(SendAdvertisement{config_.priority});
            deadline_ = now + config_.advert_interval;
            out.rival_master = received.source;
            break;
    }
    return finish(std::move(out));
}

}  // namespace ks::vrrp
