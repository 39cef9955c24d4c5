#include "roles/float/vrrp_channel.hpp"

#include <algorithm>
#include <cstdio>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/time_text.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"

namespace ks::roles::float_role {
namespace {

/// Short, label-friendly names for packets the codec rejected.
std::string decode_failure_name(const boost::system::error_code& error) {
    if (error == boost::system::errc::message_size) return "oversized";
    if (error.category() != vrrp::decode_category()) return "receive_error";
    switch (static_cast<vrrp::DecodeError>(error.value())) {
        case vrrp::DecodeError::truncated:
            return "truncated";
        case vrrp::DecodeError::bad_version:
            return "bad_version";
        case vrrp::DecodeError::bad_type:
            return "bad_type";
        case vrrp::DecodeError::bad_checksum:
            return "bad_checksum";
        case vrrp::DecodeError::address_count_mismatch:
            return "address_count_mismatch";
        case vrrp::DecodeError::zero_interval:
            return "zero_interval";
        case vrrp::DecodeError::unsupported_authentication:
            return "unsupported_authentication";
        case vrrp::DecodeError::bad_ip_header:
            return "bad_ip_header";
    }
    return "decode_error";
}

std::string mac_text(const net::MacAddress& mac) {
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                  mac[3], mac[4], mac[5]);
    return text;
}

/// Wake-ups fall on whole milliseconds of the clock, so the instances whose deadlines lie within
/// the same millisecond share one: 64 masters otherwise woke for each advert separately, their
/// phases microseconds apart, and on a virtual machine the wake-ups were most of the float's CPU
/// time. A master's are rounded up: an advert up to a millisecond late, and the engine keeps
/// each advert's due time, so the delay does not add up. Anyone else's are rounded down: a
/// backup's Master_Down_Timer is failover time, so when it really runs out, the last bit is
/// waited exactly.
constexpr std::chrono::milliseconds kWakeUpGrain{1};

vrrp::TimePoint grain_up(vrrp::TimePoint when) {
    const auto past = when.time_since_epoch() % vrrp::Clock::duration(kWakeUpGrain);
    return past == vrrp::Clock::duration::zero() ? when : when + (kWakeUpGrain - past);
}

vrrp::TimePoint grain_down(vrrp::TimePoint when) {
    return when - when.time_since_epoch() % vrrp::Clock::duration(kWakeUpGrain);
}

/// Moves the entry matching `same` to the front (or adds one), keeping at most `limit`.
template <class Entry, class Same>
Entry& front_entry(std::deque<Entry>& entries, std::size_t limit, Same same) {
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (same(*it)) {
            Entry entry = std::move(*it);
            entries.erase(it);
            entries.push_front(std::move(entry));
            return entries.front();
        }
    }
    entries.emplace_front();
    while (entries.size() > limit) entries.pop_back();
    return entries.front();
}

}  // namespace

VrrpChannel::VrrpChannel(const boost::asio::any_io_executor& executor, ChannelSetup setup,
                         std::unique_ptr<ChannelIo> io, TransitionObserver observer)
    : setup_(std::move(setup)),
      io_(std::move(io)),
      observer_(std::move(observer)),
      instance_(engine_config(setup_)),
      timer_(executor) {
    const auto now = std::chrono::system_clock::now();
    for (const auto& [name, tracker] : instance_.trackers()) tracker_since_[name] = now;
}

void VrrpChannel::start() {
    stopped_ = false;
    io_->start_receiving(
        [self = shared_from_this()](boost::system::result<net::ReceivedPacket> packet) {
            self->handle_packet(packet);
        });
    perform(instance_.start(vrrp::Clock::now()));
}

void VrrpChannel::stop() {
    if (stopped_) return;
    perform(instance_.stop(vrrp::Clock::now()));
    stopped_ = true;
    deadline_.reset();
    waiting_until_.reset();
    timer_.cancel();
    io_->close();
}

void VrrpChannel::set_tracker(std::string_view name, const vrrp::Tracker& tracker) {
    const auto& trackers = instance_.trackers();
    const auto known = trackers.find(name);
    if (known == trackers.end() || known->second.up != tracker.up) {
        tracker_since_[std::string(name)] = std::chrono::system_clock::now();
    }
    // Also before start(): the engine remembers it and starts in Fault.
    perform(instance_.set_tracker(vrrp::Clock::now(), name, tracker));
}

void VrrpChannel::remove_tracker(std::string_view name) {
    perform(instance_.remove_tracker(vrrp::Clock::now(), name));
    if (auto found = tracker_since_.find(name); found != tracker_since_.end()) {
        tracker_since_.erase(found);
    }
}

void VrrpChannel::set_peers(std::vector<net::IpAddress> peers) {
    const auto before = instance_.peers();
    perform(instance_.set_peers(vrrp::Clock::now(), std::move(peers)));
    if (instance_.peers() != before) {
        std::string list;
        for (const auto& peer : *instance_.peers()) {
            list += (list.empty() ? "" : ",") + peer.to_string();
        }
        log::info("peer set changed", {{"instance", setup_.settings.instance_name},
                                       {"peers", list.empty() ? "(none)" : list}});
    }
}

void VrrpChannel::update(std::uint8_t priority, bool preempt, vrrp::Duration preempt_delay) {
    setup_.settings.priority = priority;
    setup_.settings.preempt = preempt;
    setup_.settings.preempt_delay = preempt_delay;
    perform(instance_.update(vrrp::Clock::now(), priority, preempt, preempt_delay));
}

void VrrpChannel::address_removed(const net::IpAddress& address) {
    for (const auto& vip : setup_.vips) {
        if (vip.address == address) vips_held_.erase(vip.to_string());
    }
    perform(instance_.address_removed(vrrp::Clock::now(), address));
}

void VrrpChannel::address_claimed(const net::IpAddress& address, const net::MacAddress& mac) {
    perform(instance_.address_claimed(vrrp::Clock::now(), address, mac));
}

void VrrpChannel::handle_packet(const boost::system::result<net::ReceivedPacket>& packet) {
    if (stopped_) return;
    if (!packet) {
        ++adverts_dropped_[decode_failure_name(packet.error())];
        return;
    }
    auto destination = packet->destination;
    if (packet->source.is_v6() && !destination.is_v6()) {
        destination = boost::asio::ip::make_address(vrrp::kMulticastV6);
    }
    auto advert = vrrp::decode(packet->message, {packet->source, destination});
    if (!advert) {
        ++adverts_dropped_[decode_failure_name(advert.error())];
        return;
    }
    const auto output =
        instance_.receive(vrrp::Clock::now(), {packet->source, packet->ttl, std::move(*advert)});
    const bool dropped = std::any_of(
        output.actions.begin(), output.actions.end(),
        [](const vrrp::Action& action) { return std::holds_alternative<vrrp::Dropped>(action); });
    if (!dropped) ++adverts_received_;
    perform(output);
}

void VrrpChannel::perform(const vrrp::Output& output) {
    for (const auto& action : output.actions) {
        std::visit(vrrp::Overloaded{
                       [&](const vrrp::SendAdvertisement& send) { send_advertisement(send); },
                       [&](const vrrp::AddAddresses&) { apply_addresses(true); },
                       [&](const vrrp::RemoveAddresses&) { apply_addresses(false); },
                       [&](const vrrp::RestoreAddress& restore) { restore_address(restore); },
                       [&](const vrrp::AnnounceAddresses&) { announce_burst(); },
                       [&](const vrrp::RefreshNeighbour& refresh) {
                           if (auto error = io_->forget_neighbour(refresh.address)) {
                               log::debug("cannot refresh the neighbour entry of a rival master",
                                          {{"peer", refresh.address.to_string()},
                                           {"error", error.message()}});
                           }
                       },
                       [&](const vrrp::StateChanged& change) {
                           record_transition(change);
                           if (observer_) observer_(*this, change);
                       },
                       [&](const vrrp::Dropped& drop) { note_drop(drop); },
                       [&](const vrrp::Warning& warning) {
                           log::warn(warning.message, {{"instance", setup_.settings.instance_name},
                                                       {"from", warning.about.to_string()}});
                       },
                       [&](const vrrp::AddressConflict& conflict) { note_conflict(conflict); },
                       [&](const vrrp::ReportConflict& claim) { report_conflict(claim); },
                   },
                   action);
    }
    arm_timer(output.next_deadline);
}

void VrrpChannel::note_drop(const vrrp::Dropped& drop) {
    ++adverts_dropped_[std::string(vrrp::to_string(drop.reason))];
    if (drop.reason != vrrp::DropReason::unknown_source) return;
    const auto source = drop.source.to_string();
    auto& entry = front_entry(foreign_sources_, kSourceHistory,
                              [&](const status::ForeignSource& f) { return f.address == source; });
    entry.address = source;
    entry.priority = drop.priority;
    ++entry.count;
    entry.last_seen = util::iso8601_utc(std::chrono::system_clock::now());
    if (drop.report) {
        log::warn(
            "dropped a VRRP advert from a host outside the peer set: another group on this link "
            "uses the same VRID, or a host is spoofing; it cannot move the VIP (reported once a "
            "minute per source)",
            {{"instance", setup_.settings.instance_name},
             {"source", source},
             {"priority", static_cast<int>(drop.priority)},
             {"vrid", static_cast<int>(setup_.settings.vrid)}});
    }
}

void VrrpChannel::note_conflict(const vrrp::AddressConflict& conflict) {
    const auto vip = conflict.address.to_string();
    const auto mac = mac_text(conflict.claimant);
    auto& entry = front_entry(vip_conflicts_, kSourceHistory, [&](const status::VipConflict& c) {
        return c.vip == vip && c.mac == mac;
    });
    entry.vip = vip;
    entry.mac = mac;
    ++entry.count;
    entry.last_seen = util::iso8601_utc(std::chrono::system_clock::now());
}

void VrrpChannel::report_conflict(const vrrp::ReportConflict& claim) {
    log::warn(
        "another host claims a VIP this node holds: a static address somewhere, or another "
        "cluster with the same VIP; find the host with this MAC (reported once a minute per VIP)",
        {{"instance", setup_.settings.instance_name},
         {"vip", claim.address.to_string()},
         {"mac", mac_text(claim.claimant)}});
}

const std::vector<std::uint8_t>& VrrpChannel::encoded_advert(std::uint8_t priority,
                                                             const net::IpAddress& destination) {
    for (const auto& entry : encoded_) {
        if (entry.priority == priority && entry.destination == destination) return entry.bytes;
    }
    // Enough for the peers at a steady priority and a change of it; a peer set that changes
    // starts over.
    if (encoded_.size() >= kEncodedAdverts) encoded_.clear();
    // Nothing else in the message changes while the channel lives: the version, VRID, interval
    // and source are the channel's, the addresses the engine's configuration.
    vrrp::Advertisement advert;
    advert.version = setup_.settings.version;
    advert.vrid = setup_.settings.vrid;
    advert.priority = priority;
    advert.interval =
        std::chrono::duration_cast<vrrp::Centiseconds>(setup_.settings.advert_interval);
    advert.addresses = instance_.config().virtual_addresses;
    encoded_.push_back(
        {priority, destination, vrrp::encode(advert, {setup_.primary_address, destination})});
    return encoded_.back().bytes;
}

void VrrpChannel::send_advertisement(const vrrp::SendAdvertisement& send) {
    for (const auto& destination : send.destinations) {
        const auto& bytes = encoded_advert(send.priority, destination);
        if (auto error = io_->send(bytes, destination)) {
            if (!send_error_logged_) {
                log::error("cannot send VRRP advertisement; check the interface is up",
                           {{"instance", setup_.settings.instance_name},
                            {"destination", destination},
                            {"error", error.message()}});
                send_error_logged_ = true;
            }
            continue;
        }
        send_error_logged_ = false;
        ++adverts_sent_;
    }
}

void VrrpChannel::apply_addresses(bool add) {
    for (const auto& vip : setup_.vips) {
        const auto error = add ? io_->add_address(vip) : io_->remove_address(vip);
        if (error) {
            log::error(add ? "cannot add VIP; the float needs CAP_NET_ADMIN"
                           : "cannot remove VIP; the float needs CAP_NET_ADMIN",
                       {{"vip", vip.to_string()},
                        {"interface", setup_.link.name},
                        {"error", error.message()}});
        } else {
            log::info(add ? "VIP added" : "VIP removed",
                      {{"vip", vip.to_string()}, {"interface", setup_.link.name}});
        }
        // A failed call changed nothing (an address already there counts as added).
        if (add && !error) vips_held_.insert(vip.to_string());
        if (!add && !error) vips_held_.erase(vip.to_string());
    }
}

void VrrpChannel::restore_address(const vrrp::RestoreAddress& restore) {
    for (const auto& vip : setup_.vips) {
        if (vip.address != restore.address) continue;
        if (auto error = io_->add_address(vip)) {
            log::error("cannot put back a VIP removed by someone else",
                       {{"vip", vip.to_string()}, {"error", error.message()}});
            return;
        }
        ++vips_restored_;
        vips_held_.insert(vip.to_string());
        if (restore.report) {
            log::warn(
                "a VIP was removed from the interface by something else while this node is "
                "master; put it back (a network manager such as systemd-networkd or a DHCP "
                "client may be managing this interface; exclude the VIP from it)",
                {{"instance", setup_.settings.instance_name},
                 {"vip", vip.to_string()},
                 {"interface", setup_.link.name}});
        }
    }
}

void VrrpChannel::announce_burst() {
    for (unsigned i = 0; i < setup_.settings.garp_repeat; ++i) {
        for (const auto& vip : setup_.vips) {
            if (auto error = io_->announce(vip.address); error && i == 0) {
                log::warn("cannot announce VIP",
                          {{"vip", vip.address}, {"error", error.message()}});
            }
        }
    }
}

void VrrpChannel::arm_timer(std::optional<vrrp::TimePoint> deadline) {
    deadline_ = stopped_ ? std::nullopt : deadline;
    if (!deadline_) return;  // a pending wait ends to no effect
    // A pending wait that ends no later is kept, and waits again for the rest when it ends: each
    // advert a backup hears postpones its deadline, and every address claim on the link reaches
    // every instance. Moving the wait instead costs a timerfd update and a cancelled completion
    // each time; 64 instances during a failover left thousands of those queued at once, and the
    // heap they grew stayed. Measured both ways, the extra wake-up every few adverts is cheaper.
    const auto when = wake_up_for(*deadline_);
    if (waiting_until_ && *waiting_until_ <= when) return;
    wait_until(when);
}

vrrp::TimePoint VrrpChannel::wake_up_for(vrrp::TimePoint deadline) const {
    return instance_.state() == vrrp::State::master ? grain_up(deadline) : grain_down(deadline);
}

void VrrpChannel::wait_until(vrrp::TimePoint when) {
    waiting_until_ = when;
    timer_.expires_at(when);  // cancels the pending wait, if any
    timer_.async_wait([weak = weak_from_this(), when](const boost::system::error_code& error) {
        auto self = weak.lock();
        // Cancelled, or ended just before a wait for another time replaced it: not this wait's
        // turn any more.
        if (error || !self || self->waiting_until_ != when) return;
        self->waiting_until_.reset();
        self->timer_ended();
    });
}

void VrrpChannel::timer_ended() {
    if (stopped_ || !deadline_) return;
    const auto now = vrrp::Clock::now();
    if (now < *deadline_) {
        // Postponed meanwhile, or a deadline rounded down: within its last millisecond, exactly.
        const auto when = wake_up_for(*deadline_);
        wait_until(when > now ? when : *deadline_);
        return;
    }
    perform(instance_.expire(now));
}

void VrrpChannel::record_transition(const vrrp::StateChanged& change) {
    const auto now = std::chrono::system_clock::now();
    state_since_ = now;
    ++transitions_total_;
    const auto reason = vrrp::describe_reason(change);
    transitions_.push_back(status::Transition{util::iso8601_utc(now),
                                              std::string(vrrp::to_string(change.from)),
                                              std::string(vrrp::to_string(change.to)), reason});
    while (transitions_.size() > kTransitionHistory) transitions_.pop_front();
    log::info("VRRP state changed", {{"instance", setup_.settings.instance_name},
                                     {"from", vrrp::to_string(change.from)},
                                     {"to", vrrp::to_string(change.to)},
                                     {"reason", reason}});
}

status::InstanceStatus VrrpChannel::status() const {
    status::InstanceStatus s;
    const auto& settings = setup_.settings;
    s.name = settings.instance_name;
    s.interface = setup_.link.name;
    s.vrid = settings.vrid;
    s.vrrp_version = static_cast<int>(settings.version);
    s.family = setup_.primary_address.is_v4() ? "ipv4" : "ipv6";
    s.state = std::string(vrrp::to_string(instance_.state()));
    s.since = util::iso8601_utc(state_since_);
    s.priority = settings.priority;
    s.effective_priority = instance_.effective_priority();
    s.preempt = settings.preempt;
    s.advert_interval_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(settings.advert_interval).count();
    s.master_advert_interval_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(instance_.master_advert_interval())
            .count();
    for (const auto& vip : setup_.vips) s.vips.push_back(vip.to_string());
    s.vips_held.emplace(vips_held_.begin(), vips_held_.end());
    s.primary_address = setup_.primary_address.to_string();
    if (auto master = instance_.master_address()) s.master = master->to_string();
    if (const auto& home = instance_.home()) s.home = home->to_string();
    s.mode = setup_.unicast ? "unicast" : "multicast";
    if (const auto& peers = instance_.peers()) {
        for (const auto& peer : *peers) s.peers.push_back(peer.to_string());
    }
    s.accept_from = std::string(vrrp::to_string(settings.accept_from));
    for (const auto& [name, tracker] : instance_.trackers()) {
        const auto since = tracker_since_.find(name);
        status::TrackerStatus t;
        t.name = name;
        const auto colon = name.find(':');
        t.kind = name.substr(0, colon);
        if (colon != std::string::npos) t.target = name.substr(colon + 1);
        t.up = tracker.up;
        t.weight = config::weight_text(tracker.weight);
        t.reason = tracker.reason;
        if (since != tracker_since_.end()) t.since = util::iso8601_utc(since->second);
        s.trackers.push_back(std::move(t));
    }
    s.foreign_sources.assign(foreign_sources_.begin(), foreign_sources_.end());
    s.vip_conflicts.assign(vip_conflicts_.begin(), vip_conflicts_.end());
    s.vips_restored = vips_restored_;
    s.adverts_sent = adverts_sent_;
    s.adverts_received = adverts_received_;
    s.adverts_dropped = adverts_dropped_;
    s.transitions_total = transitions_total_;
    s.transitions.assign(transitions_.begin(), transitions_.end());
    return s;
}

}  // namespace ks::roles::float_role
