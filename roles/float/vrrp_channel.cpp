#include "roles/float/vrrp_channel.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/time_text.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"

namespace ks::roles::float_role {
namespace {

vrrp::InstanceConfig engine_config(const ChannelSetup& setup) {
    vrrp::InstanceConfig config;
    config.version = setup.settings.version;
    config.vrid = setup.settings.vrid;
    config.priority = setup.settings.priority;
    config.advert_interval = setup.settings.advert_interval;
    config.preempt = setup.settings.preempt;
    config.preempt_delay = setup.settings.preempt_delay;
    config.primary_address = setup.primary_address;
    for (const auto& vip : setup.vips) config.virtual_addresses.push_back(vip.address);
    return config;
}

/// Short, label-friendly names for packets the codec rejected.
std::string decode_failure_name(const boost::system::error_code& error) {
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

}  // namespace

VrrpChannel::VrrpChannel(const boost::asio::any_io_executor& executor, ChannelSetup setup,
                         net::RouteNetlink& netlink, TransitionObserver observer)
    : executor_(executor),
      setup_(std::move(setup)),
      netlink_(netlink),
      observer_(std::move(observer)),
      instance_(engine_config(setup_)),
      timer_(executor),
      refresh_announce_timer_(executor) {}

boost::system::error_code VrrpChannel::open() {
    auto socket = net::VrrpSocket::open(
        executor_, {setup_.link.index, setup_.link.name, setup_.primary_address, true});
    if (!socket) return socket.error();
    auto announcer = net::Announcer::open(setup_.link.index, setup_.link.mac);
    if (!announcer) return announcer.error();
    socket_.emplace(std::move(*socket));
    announcer_.emplace(std::move(*announcer));
    return {};
}

void VrrpChannel::start() {
    stopped_ = false;
    boost::asio::co_spawn(executor_, receive_loop(), boost::asio::detached);
    perform(instance_.start(vrrp::Clock::now()));
}

void VrrpChannel::stop() {
    if (stopped_) return;
    perform(instance_.stop(vrrp::Clock::now()));
    stopped_ = true;
    timer_.cancel();
    refresh_announce_timer_.cancel();
    if (socket_) socket_->close();
}

void VrrpChannel::set_tracked(bool up) {
    // Also before start(): the engine remembers it and starts in Fault.
    perform(instance_.set_tracked(vrrp::Clock::now(), up));
}

void VrrpChannel::set_peers(std::vector<net::IpAddress> peers) {
    if (peers == setup_.peers) return;
    log::info("unicast peers changed",
              {{"instance", setup_.settings.instance_name}, {"peers", peers.size()}});
    setup_.peers = std::move(peers);
}

void VrrpChannel::update(std::uint8_t priority, bool preempt, vrrp::Duration preempt_delay) {
    setup_.settings.priority = priority;
    setup_.settings.preempt = preempt;
    setup_.settings.preempt_delay = preempt_delay;
    perform(instance_.update(vrrp::Clock::now(), priority, preempt, preempt_delay));
}

std::vector<net::IpAddress> VrrpChannel::destinations() const {
    if (!setup_.peers.empty()) return setup_.peers;
    return {boost::asio::ip::make_address(setup_.primary_address.is_v4() ? vrrp::kMulticastV4
                                                                         : vrrp::kMulticastV6)};
}

void VrrpChannel::perform(const vrrp::Output& output) {
    for (const auto& action : output.actions) {
        if (const auto* send = std::get_if<vrrp::SendAdvertisement>(&action)) {
            send_advertisement(send->priority);
        } else if (std::holds_alternative<vrrp::AddAddresses>(action)) {
            apply_addresses(true);
        } else if (std::holds_alternative<vrrp::RemoveAddresses>(action)) {
            refresh_announce_timer_.cancel();
            apply_addresses(false);
        } else if (std::holds_alternative<vrrp::AnnounceAddresses>(action)) {
            announce_burst();
            if (setup_.settings.garp_refresh_delay > vrrp::Duration::zero()) {
                refresh_announce_timer_.expires_after(setup_.settings.garp_refresh_delay);
                refresh_announce_timer_.async_wait([this](const boost::system::error_code& error) {
                    if (!error && instance_.state() == vrrp::State::master) announce_burst();
                });
            }
        } else if (const auto* change = std::get_if<vrrp::StateChanged>(&action)) {
            record_transition(*change);
            if (observer_) observer_(*this, *change);
        }
    }
    if (output.dropped) ++adverts_dropped_[std::string(vrrp::to_string(*output.dropped))];
    if (output.address_list_mismatch) {
        log::warn("advert accepted with a different VIP list: check the other nodes' VIPs",
                  {{"instance", setup_.settings.instance_name}});
    }
    arm_timer(output.next_deadline);
}

void VrrpChannel::send_advertisement(std::uint8_t priority) {
    if (!socket_) return;
    vrrp::Advertisement advert;
    advert.version = setup_.settings.version;
    advert.vrid = setup_.settings.vrid;
    advert.priority = priority;
    advert.interval =
        std::chrono::duration_cast<vrrp::Centiseconds>(setup_.settings.advert_interval);
    for (const auto& vip : setup_.vips) advert.addresses.push_back(vip.address);
    for (const auto& destination : destinations()) {
        const auto bytes = vrrp::encode(advert, {setup_.primary_address, destination});
        if (auto error = socket_->send(bytes, destination)) {
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
        const auto error = add ? netlink_.add_address(setup_.link.index, vip)
                               : netlink_.remove_address(setup_.link.index, vip);
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
    }
}

void VrrpChannel::announce_burst() {
    if (!announcer_) return;
    for (unsigned i = 0; i < setup_.settings.garp_repeat; ++i) {
        for (const auto& vip : setup_.vips) {
            if (auto error = announcer_->announce(vip.address); error && i == 0) {
                log::warn("cannot announce VIP",
                          {{"vip", vip.address}, {"error", error.message()}});
            }
        }
    }
}

void VrrpChannel::arm_timer(std::optional<vrrp::TimePoint> deadline) {
    if (!deadline || stopped_) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(*deadline);
    timer_.async_wait([this](const boost::system::error_code& error) {
        if (error || stopped_) return;
        perform(instance_.expire(vrrp::Clock::now()));
    });
}

void VrrpChannel::record_transition(const vrrp::StateChanged& change) {
    const auto now = std::chrono::system_clock::now();
    state_since_ = now;
    ++transitions_total_;
    transitions_.push_back(status::Transition{
        util::iso8601_utc(now), std::string(vrrp::to_string(change.from)),
        std::string(vrrp::to_string(change.to)), std::string(vrrp::to_string(change.reason))});
    while (transitions_.size() > kTransitionHistory) transitions_.pop_front();
    log::info("VRRP state changed", {{"instance", setup_.settings.instance_name},
                                     {"from", vrrp::to_string(change.from)},
                                     {"to", vrrp::to_string(change.to)},
                                     {"reason", vrrp::to_string(change.reason)}});
}

boost::asio::awaitable<void> VrrpChannel::receive_loop() {
    while (!stopped_ && socket_) {
        auto packet = co_await socket_->receive();
        if (stopped_) break;
        if (!packet) {
            if (packet.error() == boost::asio::error::operation_aborted ||
                packet.error() == boost::asio::error::bad_descriptor) {
                break;
            }
            ++adverts_dropped_[decode_failure_name(packet.error())];
            continue;
        }
        if (packet->source.is_v6() && !packet->destination.is_v6()) {
            packet->destination = boost::asio::ip::make_address(vrrp::kMulticastV6);
        }
        auto advert = vrrp::decode(packet->message, {packet->source, packet->destination});
        if (!advert) {
            ++adverts_dropped_[decode_failure_name(advert.error())];
            continue;
        }
        const auto output = instance_.receive(vrrp::Clock::now(),
                                              {packet->source, packet->ttl, std::move(*advert)});
        if (!output.dropped) ++adverts_received_;
        if (output.rival_master && !setup_.peers.empty()) {
            // The rival does not hear us: after a partition our neighbour entry for it may be
            // stuck in a failed resolution that retries only every second, with our unicast
            // adverts queued behind it. A fresh entry resolves at once.
            if (auto error = netlink_.forget_neighbour(setup_.link.index, *output.rival_master)) {
                log::debug(
                    "cannot refresh the neighbour entry of a rival master",
                    {{"peer", output.rival_master->to_string()}, {"error", error.message()}});
            }
        }
        perform(output);
    }
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
    s.primary_address = setup_.primary_address.to_string();
    if (auto master = instance_.master_address()) s.master = master->to_string();
    s.mode = setup_.peers.empty() ? "multicast" : "unicast";
    for (const auto& peer : setup_.peers) s.peers.push_back(peer.to_string());
    s.adverts_sent = adverts_sent_;
    s.adverts_received = adverts_received_;
    s.adverts_dropped = adverts_dropped_;
    s.transitions_total = transitions_total_;
    s.transitions.assign(transitions_.begin(), transitions_.end());
    return s;
}

}  // namespace ks::roles::float_role
