#include "keepalived_swarm/vrrp/instance.hpp"

#include <algorithm>

#include "keepalived_swarm/vrrp/spread.hpp"

namespace ks::vrrp {
namespace {

std::vector<IpAddress> sorted(std::vector<IpAddress> addresses) {
    std::sort(addresses.begin(), addresses.end());
    return addresses;
}

bool contains(const std::vector<IpAddress>& addresses, const IpAddress& address) {
    return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

}  // namespace

std::string_view to_string(AcceptFrom accept_from) {
    return accept_from == AcceptFrom::peers ? "peers" : "any";
}

Instance::Instance(InstanceConfig config)
    : config_(std::move(config)),
      multicast_group_(boost::asio::ip::make_address(
          config_.primary_address.is_v4() ? kMulticastV4 : kMulticastV6)),
      master_advert_interval_(config_.advert_interval) {
    config_.virtual_addresses = sorted(std::move(config_.virtual_addresses));
    place_in_group();
    if (config_.peers) {
        auto peers = std::move(*config_.peers);
        config_.peers.reset();
        set_peers(TimePoint{}, std::move(peers));
    } else if (config_.await_peers) {
        trackers_.emplace(kPeersTracker, Tracker{false, std::nullopt, "waiting for the peer list"});
    }
}

std::optional<TimePoint> Instance::next_deadline() const {
    std::optional<TimePoint> next = deadline_;
    std::optional<TimePoint> report_claims_at;
    if (first_unexplained_claim_at_) {
        report_claims_at = *first_unexplained_claim_at_ + master_down_interval();
    }
    for (const auto& other : {announce_again_at_, report_claims_at}) {
        if (other && (!next || *other < *next)) next = other;
    }
    return next;
}

std::optional<std::string> Instance::fault_reason() const {
    for (const auto& [name, tracker] : trackers_) {
        if (!tracker.up && !tracker.weight) {
            return tracker.reason.empty() ? name : name + ": " + tracker.reason;
        }
    }
    return std::nullopt;
}

std::uint8_t Instance::effective_priority() const {
    return state_ == State::fault ? kResignPriority : competing_priority();
}

void Instance::place_in_group() {
    base_priority_ = config_.priority;
    if (!config_.spread_index) return;
    // Every router of the group as we know it: the peer set and ourselves.
    auto nodes = peers_.value_or(std::vector<IpAddress>{});
    nodes.push_back(config_.primary_address);
    std::sort(nodes.begin(), nodes.end());
    const auto position = spread_position(*config_.spread_index, config_.spread_count, nodes,
                                          config_.primary_address);
    base_priority_ = spread_priority(config_.priority, position.value_or(0));
    home_ = spread_home(*config_.spread_index, nodes);
}

std::uint8_t Instance::competing_priority() const {
    const int base = base_priority_;
    int adjustment = 0;
    bool adjusted = false;
    for (const auto& [name, tracker] : trackers_) {
        if (!tracker.up && tracker.weight) {
            adjustment += *tracker.weight;
            adjusted = true;
        }
    }
    if (!adjusted) return static_cast<std::uint8_t>(base);
    // keepalived's rule: a weight never makes an owner nor a resignation.
    return static_cast<std::uint8_t>(std::clamp(base + adjustment, 1, 254));
}

std::vector<IpAddress> Instance::destinations() const {
    if (!config_.unicast) return {multicast_group_};
    auto destinations = peers_.value_or(std::vector<IpAddress>{});
    for (const auto& [peer, until] : departing_) destinations.push_back(peer);
    return destinations;
}

bool Instance::is_peer(const IpAddress& address) const {
    return contains(*peers_, address) ||
           std::any_of(departing_.begin(), departing_.end(),
                       [&](const auto& departing) { return departing.first == address; });
}

void Instance::forget_departed(TimePoint now) {
    std::erase_if(departing_, [&](const auto& departing) { return departing.second <= now; });
}

Duration Instance::skew_time() const {
    const auto weight = 256 - static_cast<Duration::rep>(effective_priority());
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

bool Instance::holds(const IpAddress& address) const {
    return contains(config_.virtual_addresses, address) ||
           contains(config_.unadvertised_addresses, address);
}

Output Instance::finish(Output out) const {
    out.next_deadline = next_deadline();
    return out;
}

void Instance::change_state(Output& out, State to, Reason reason, std::string detail) {
    if (state_ == to) return;
    // Claims heard as master are no news once we are not: stepping down is what the election
    // makes the loser do.
    unexplained_claims_.clear();
    first_unexplained_claim_at_.reset();
    out.actions.emplace_back(StateChanged{state_, to, reason, std::move(detail)});
    state_ = to;
}

void Instance::advertise(Output& out, std::uint8_t priority) const {
    // Unicast to an empty peer set (a one-manager swarm): nobody to tell.
    auto destinations = this->destinations();
    if (!destinations.empty()) {
        out.actions.emplace_back(SendAdvertisement{priority, std::move(destinations)});
    }
}

void Instance::advertise_as_master(Output& out, TimePoint now) {
    forget_departed(now);
    // Not effective_priority(): this may run on the way out of Fault, before the state changes.
    advertise(out, competing_priority());
    deadline_ = now + config_.advert_interval;
}

void Instance::become_master(Output& out, TimePoint now, Reason reason) {
    out.actions.emplace_back(AddAddresses{});
    // Announce before advertising: a rival master reacts to our advert, so whatever it announces
    // in reply reaches the neighbours after our announcement, not before.
    out.actions.emplace_back(AnnounceAddresses{});
    advertise_as_master(out, now);
    change_state(out, State::master, reason);
    master_advert_interval_ = config_.advert_interval;
    master_address_ = config_.primary_address;
    lower_master_since_.reset();
    // The announcement above may be overtaken by a rival's: the first conflict announces again.
    conflict_announced_at_.reset();
    replied_at_.reset();
    reply_pending_ = false;
    rival_heard_at_.reset();
    announce_again_at_.reset();
    if (config_.announce_repeat_delay > Duration::zero()) {
        announce_again_at_ = now + config_.announce_repeat_delay;
    }
}

void Instance::become_backup(Output& out, TimePoint now, Reason reason, Duration master_interval) {
    if (state_ == State::master) out.actions.emplace_back(RemoveAddresses{});
    announce_again_at_.reset();
    change_state(out, State::backup, reason);
    master_advert_interval_ = master_interval;
    deadline_ = now + master_down_interval();
}

void Instance::enter_fault(Output& out, std::string detail) {
    if (state_ == State::master) {
        // Resign first so the backups take over after Skew_Time, not Master_Down_Interval.
        advertise(out, kResignPriority);
        out.actions.emplace_back(RemoveAddresses{});
        master_address_.reset();
    }
    deadline_.reset();
    announce_again_at_.reset();
    change_state(out, State::fault, Reason::tracker_down, std::move(detail));
}

Output Instance::enter_service(TimePoint now, Reason reason, std::string detail) {
    Output out;
    // A lower master heard before a Fault is old news: the preempt delay starts over.
    lower_master_since_.reset();
    if (auto fault = fault_reason()) {
        enter_fault(out, std::move(*fault));
        return finish(std::move(out));
    }
    if (competing_priority() == kOwnerPriority) {
        become_master(out, now, reason);
    } else {
        become_backup(out, now, reason, config_.advert_interval);
    }
    if (!detail.empty()) {
        for (auto& action : out.actions) {
            if (auto* change = std::get_if<StateChanged>(&action)) change->detail = detail;
        }
    }
    return finish(std::move(out));
}

Output Instance::start(TimePoint now) {
    if (state_ != State::initialize) return finish({});
    master_address_.reset();
    return enter_service(now, Reason::startup, {});
}

Output Instance::stop(TimePoint /*now*/) {
    Output out;
    if (state_ == State::master) {
        advertise(out, kResignPriority);
        out.actions.emplace_back(RemoveAddresses{});
    }
    change_state(out, State::initialize, Reason::shutdown);
    deadline_.reset();
    announce_again_at_.reset();
    master_address_.reset();
    lower_master_since_.reset();
    return finish(std::move(out));
}

Output Instance::expire(TimePoint now) {
    Output out;
    report_unexplained_claims(out, now);
    if (announce_again_at_ && now >= *announce_again_at_) {
        announce_again_at_.reset();
        if (state_ == State::master) out.actions.emplace_back(AnnounceAddresses{});
    }
    if (!deadline_ || now < *deadline_) return finish(std::move(out));
    if (state_ == State::backup) {
        become_master(out, now, Reason::master_down);
    } else if (state_ == State::master) {
        if (reply_pending_) replied_at_ = now;  // this advert is the deferred reply
        reply_pending_ = false;
        const auto due = *deadline_;
        advertise_as_master(out, now);
        // The next advert is due an interval after this one was due, not after the executor woke
        // for it: its wake-up latency would otherwise add up to fewer adverts than the interval
        // promises. After a stall longer than an interval: one advert now, not a burst.
        if (due + config_.advert_interval > now) deadline_ = due + config_.advert_interval;
    } else {
        deadline_.reset();
    }
    return finish(std::move(out));
}

Output Instance::after_tracking_change(TimePoint now, std::uint8_t priority_before, Reason reason,
                                       std::string detail) {
    if (state_ == State::initialize) return finish({});  // start() consults the trackers
    if (auto fault = fault_reason()) {
        if (state_ == State::fault) return finish({});
        Output out;
        enter_fault(out, std::move(*fault));
        return finish(std::move(out));
    }
    if (state_ == State::fault) return enter_service(now, reason, std::move(detail));
    Output out;
    if (state_ == State::master && effective_priority() != priority_before) {
        advertise_as_master(out, now);
    }
    return finish(std::move(out));
}

Output Instance::set_tracker(TimePoint now, std::string_view name, Tracker tracker) {
    const auto priority_before = effective_priority();
    auto found = trackers_.find(name);
    if (found == trackers_.end()) {
        found = trackers_.emplace(std::string(name), tracker).first;
    } else {
        if (found->second == tracker) return finish({});
        found->second = tracker;
    }
    std::string detail = std::string(name);
    if (!tracker.reason.empty()) detail += ": " + tracker.reason;
    return after_tracking_change(now, priority_before,
                                 tracker.up ? Reason::tracker_up : Reason::tracker_down,
                                 std::move(detail));
}

Output Instance::remove_tracker(TimePoint now, std::string_view name) {
    const auto found = trackers_.find(name);
    if (found == trackers_.end()) return finish({});
    const auto priority_before = effective_priority();
    trackers_.erase(found);
    return after_tracking_change(now, priority_before, Reason::tracker_up,
                                 std::string(name) + ": no longer tracked");
}

Output Instance::set_peers(TimePoint now, std::vector<IpAddress> peers) {
    // In spread mode the peer set decides our priority: a master tells the others at once.
    const auto priority_before = effective_priority();
    Output out;
    // Our own address and the other family are normal in a list of every manager; these are
    // not addresses of another node at all, so whoever sent the list is broken.
    std::string impossible;
    std::erase_if(peers, [&](const IpAddress& peer) {
        const bool not_a_node =
            peer.is_unspecified() || peer.is_multicast() || peer.is_loopback() || holds(peer);
        if (not_a_node) impossible += (impossible.empty() ? "" : ", ") + peer.to_string();
        return not_a_node || family_of(peer) != family_of(config_.primary_address) ||
               peer == config_.primary_address;
    });
    if (!impossible.empty()) {
        out.actions.emplace_back(Warning{"ignored peers that cannot be another node (" +
                                             impossible +
                                             "): unspecified, loopback, multicast or a VIP",
                                         config_.primary_address});
    }
    peers = sorted(std::move(peers));
    peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
    forget_departed(now);
    std::erase_if(departing_,
                  [&](const auto& departing) { return contains(peers, departing.first); });
    if (peers_) {
        for (const auto& peer : *peers_) {
            if (!contains(peers, peer)) departing_.emplace_back(peer, now + kPeerDepartureGrace);
        }
    }
    peers_ = std::move(peers);
    place_in_group();
    if (trackers_.contains(kPeersTracker)) {
        auto tracked =
            set_tracker(now, kPeersTracker, Tracker{true, std::nullopt, "peer list received"});
        out.actions.insert(out.actions.end(), tracked.actions.begin(), tracked.actions.end());
    }
    if (state_ == State::master && effective_priority() != priority_before) {
        advertise_as_master(out, now);
    }
    return finish(std::move(out));
}

Output Instance::update(TimePoint now, std::uint8_t priority, bool preempt,
                        Duration preempt_delay) {
    const auto priority_before = effective_priority();
    config_.priority = priority;
    place_in_group();
    config_.preempt = preempt;
    config_.preempt_delay = preempt_delay;
    Output out;
    if (state_ == State::master && effective_priority() != priority_before) {
        advertise_as_master(out, now);
    }
    return finish(std::move(out));
}

Output Instance::address_removed(TimePoint now, const IpAddress& address) {
    Output out;
    if (state_ != State::master || !holds(address)) return finish(std::move(out));
    out.actions.emplace_back(
        RestoreAddress{address, restore_reports_.allow(address, now, kRestoreReportSpacing)});
    // The neighbours may have dropped their entry while it was gone, or learned another holder.
    out.actions.emplace_back(AnnounceAddresses{});
    return finish(std::move(out));
}

Output Instance::address_claimed(TimePoint now, const IpAddress& address, const MacAddress& mac) {
    Output out;
    if (state_ != State::master || !holds(address)) return finish(std::move(out));
    out.actions.emplace_back(AddressConflict{address, mac});
    const ReportConflict claim{address, mac};
    if (std::find(unexplained_claims_.begin(), unexplained_claims_.end(), claim) ==
        unexplained_claims_.end()) {
        unexplained_claims_.push_back(claim);
    }
    if (!first_unexplained_claim_at_) first_unexplained_claim_at_ = now;
    return finish(std::move(out));
}

void Instance::report_unexplained_claims(Output& out, TimePoint now) {
    if (!first_unexplained_claim_at_ ||
        now < *first_unexplained_claim_at_ + master_down_interval()) {
        return;
    }
    const auto first_claim = *std::exchange(first_unexplained_claim_at_, std::nullopt);
    // A rival master heard since shortly before the first claim: its announcements were the
    // claims (its advert and its gratuitous ARP come through different sockets, in either order).
    const bool election =
        rival_heard_at_ && *rival_heard_at_ + master_down_interval() >= first_claim;
    for (auto& claim : std::exchange(unexplained_claims_, {})) {
        if (!election && conflict_reports_.allow(claim.address, now, kReportSpacing)) {
            out.actions.emplace_back(std::move(claim));
        }
    }
}

std::optional<DropReason> Instance::check(const ReceivedAdvertisement& received) const {
    const auto& advert = received.advert;
    if (received.ttl != kRequiredTtl) return DropReason::ttl;
    if (advert.version != config_.version ||
        family_of(received.source) != family_of(config_.primary_address)) {
        return DropReason::version_mismatch;
    }
    if (advert.vrid != config_.vrid) return DropReason::other_vrid;
    if (received.source == config_.primary_address) return DropReason::own_advert;
    if (peers_ && config_.accept_from == AcceptFrom::peers && !is_peer(received.source)) {
        return DropReason::unknown_source;
    }
    // RFC 5798 7.1 / RFC 3768 7.1: the address owner does not listen to anyone.
    if (competing_priority() == kOwnerPriority) return DropReason::owner_ignores;
    if (config_.version == Version::v2) {
        const bool mismatch = sorted(advert.addresses) != config_.virtual_addresses;
        if (mismatch && advert.priority != kOwnerPriority) return DropReason::address_mismatch;
        if (std::chrono::duration_cast<Duration>(advert.interval) != config_.advert_interval) {
            return DropReason::interval_mismatch;
        }
    }
    return std::nullopt;
}

void Instance::reply_at_once(Output& out, TimePoint now) {
    const auto spacing = config_.advert_interval / kReplySpacingDivisor;
    if (replied_at_ && now - *replied_at_ < spacing) {
        // Answered recently: one advert at the end of the spacing answers this one too.
        deadline_ = std::min(*deadline_, *replied_at_ + spacing);
        reply_pending_ = true;
        return;
    }
    replied_at_ = now;
    advertise_as_master(out, now);
}

void Instance::answer_rival(Output& out, TimePoint now, const IpAddress& rival) {
    rival_heard_at_ = now;
    // RFC 5798 discards this, but it means two masters: typically both backups of equal priority
    // ran out Skew_Time together, or a partition healed. The other steps down on our advert, yet
    // its gratuitous ARPs may have taken the neighbours with it. So, as keepalived does, announce
    // the VIPs again (at most once per kConflictAnnounceSpacing, so a router that never hears us
    // cannot make us flood the link) and advertise now.
    if (!conflict_announced_at_ || now - *conflict_announced_at_ >= kConflictAnnounceSpacing) {
        out.actions.emplace_back(AnnounceAddresses{});
        // After a partition our neighbour entry for the rival may be stuck in a failed
        // resolution that retries only every second, with our unicast adverts queued behind it.
        if (config_.unicast) out.actions.emplace_back(RefreshNeighbour{rival});
        conflict_announced_at_ = now;
    }
    reply_at_once(out, now);
}

void Instance::receive_in_backup(TimePoint now, const ReceivedAdvertisement& received) {
    const auto& advert = received.advert;
    if (advert.priority == kResignPriority) {
        // 6.4.2: the master resigned; take over after Skew_Time unless a better one speaks.
        deadline_ = now + skew_time();
        master_address_.reset();
        return;
    }
    master_address_ = received.source;
    if (!config_.preempt || advert.priority >= effective_priority()) {
        lower_master_since_.reset();
        master_advert_interval_ = advertised_interval(advert);
        deadline_ = now + master_down_interval();
        return;
    }
    if (config_.preempt_delay > Duration::zero()) {
        if (!lower_master_since_) lower_master_since_ = now;
        if (now < *lower_master_since_ + config_.preempt_delay) {
            master_advert_interval_ = advertised_interval(advert);
            deadline_ = now + master_down_interval();
        }
    }
    // Otherwise discard: Master_Down_Timer runs out and we preempt (6.4.2).
}

Output Instance::receive(TimePoint now, const ReceivedAdvertisement& received) {
    Output out;
    const auto& advert = received.advert;
    if (auto reason = check(received)) {
        const bool report = *reason == DropReason::unknown_source &&
                            stranger_reports_.allow(received.source, now, kReportSpacing);
        out.actions.emplace_back(Dropped{*reason, received.source, advert.priority, report});
        return finish(std::move(out));
    }
    if (config_.version == Version::v3 && sorted(advert.addresses) != config_.virtual_addresses &&
        mismatch_reports_.allow(received.source, now, kReportSpacing)) {
        out.actions.emplace_back(
            Warning{"advert accepted with a different VIP list: check the other nodes' VIPs",
                    received.source});
    }

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
            receive_in_backup(now, received);
            break;
        case State::master: {
            if (advert.priority == kResignPriority) {
                // 6.4.3: another router resigned; assert ourselves at once.
                reply_at_once(out, now);
                break;
            }
            const auto ours = effective_priority();
            if (advert.priority > ours ||
                (advert.priority == ours && config_.primary_address < received.source)) {
                become_backup(out, now, Reason::higher_priority, advertised_interval(advert));
                master_address_ = received.source;
                break;
            }
            answer_rival(out, now, received.source);
            break;
        }
    }
    return finish(std::move(out));
}

}  // namespace ks::vrrp
