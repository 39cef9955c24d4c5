#pragma once
// One VRRP instance on the wire: executes what the pure vrrp::Instance decides. It decodes and
// hands over received packets, sends, changes and announces addresses through a ChannelIo, arms
// one timer at the engine's next deadline, and keeps the counters the status shows. It decides
// nothing itself. Everything runs on the float's single io_context thread.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "keepalived_swarm/status/float_status.hpp"
#include "keepalived_swarm/vrrp/instance.hpp"
#include "roles/float/channel_io.hpp"
#include "roles/float/channel_plan.hpp"

namespace ks::roles::float_role {

/// Held by shared_ptr: the receive loop keeps it alive until stop() has closed the socket, so a
/// reload can drop a channel while a receive is still pending.
class VrrpChannel : public std::enable_shared_from_this<VrrpChannel> {
public:
    /// Called on each state change, after the channel acted on it.
    using TransitionObserver = std::function<void(const VrrpChannel&, const vrrp::StateChanged&)>;

    VrrpChannel(const boost::asio::any_io_executor& executor, ChannelSetup setup,
                std::unique_ptr<ChannelIo> io, TransitionObserver observer);

    /// Starts receiving and the engine (after any set_tracker() for the initial state).
    void start();
    /// Resigns if master (priority 0 advert, VIPs removed) and closes the socket.
    void stop();
    /// A packet (or a receive error) from the socket.
    void handle_packet(const boost::system::result<net::ReceivedPacket>& packet);
    void set_tracker(std::string_view name, const vrrp::Tracker& tracker);
    void remove_tracker(std::string_view name);
    /// The group's other routers as now known (the anchor's managers).
    void set_peers(std::vector<net::IpAddress> peers);
    /// Applies changed priority / preemption without leaving the current state.
    void update(std::uint8_t priority, bool preempt, vrrp::Duration preempt_delay);
    /// Someone removed `address` from the interface.
    void address_removed(const net::IpAddress& address);
    /// Another host claimed `address` over ARP / NDP.
    void address_claimed(const net::IpAddress& address, const net::MacAddress& mac);

    const ChannelSetup& setup() const { return setup_; }
    const vrrp::Instance& instance() const { return instance_; }
    status::InstanceStatus status() const;

    static constexpr std::size_t kTransitionHistory = 32;
    /// Foreign sources and VIP conflicts shown in the status, the most recent first.
    static constexpr std::size_t kSourceHistory = 8;

private:
    void perform(const vrrp::Output& output);
    void send_advertisement(const vrrp::SendAdvertisement& send);
    void apply_addresses(bool add);
    void restore_address(const vrrp::RestoreAddress& restore);
    void announce_burst();
    void note_drop(const vrrp::Dropped& drop);
    void note_conflict(const vrrp::AddressConflict& conflict);
    void report_conflict(const vrrp::ReportConflict& claim);
    void arm_timer(std::optional<vrrp::TimePoint> deadline);
    /// When to wake for `deadline`: on a whole millisecond, up for a master, down otherwise.
    vrrp::TimePoint wake_up_for(vrrp::TimePoint deadline) const;
    void wait_until(vrrp::TimePoint when);
    void timer_ended();
    const std::vector<std::uint8_t>& encoded_advert(std::uint8_t priority,
                                                    const net::IpAddress& destination);
    void record_transition(const vrrp::StateChanged& change);

    ChannelSetup setup_;
    std::unique_ptr<ChannelIo> io_;
    TransitionObserver observer_;
    vrrp::Instance instance_;
    boost::asio::steady_timer timer_;
    /// When the engine wants expire() next, and when the pending wait of timer_ ends, if one is
    /// pending: the wait may end before the deadline, and then waits again.
    std::optional<vrrp::TimePoint> deadline_;
    std::optional<vrrp::TimePoint> waiting_until_;
    bool stopped_ = true;

    /// The adverts as encoded for the last sends: a master sends the same bytes every interval,
    /// so they are encoded again only for another priority or destination.
    struct EncodedAdvert {
        std::uint8_t priority = 0;
        net::IpAddress destination;
        std::vector<std::uint8_t> bytes;
    };
    std::vector<EncodedAdvert> encoded_;
    static constexpr std::size_t kEncodedAdverts = 16;

    std::chrono::system_clock::time_point state_since_ = std::chrono::system_clock::now();
    std::uint64_t adverts_sent_ = 0;
    std::uint64_t adverts_received_ = 0;
    std::uint64_t transitions_total_ = 0;
    std::uint64_t vips_restored_ = 0;
    /// The VIPs added to the interface and not removed since, as the status reports them.
    std::set<std::string> vips_held_;
    std::map<std::string, std::uint64_t> adverts_dropped_;
    std::deque<status::Transition> transitions_;
    std::deque<status::ForeignSource> foreign_sources_;
    std::deque<status::VipConflict> vip_conflicts_;
    /// When each tracker last changed between up and down.
    std::map<std::string, std::chrono::system_clock::time_point, std::less<>> tracker_since_;
    bool send_error_logged_ = false;
};

}  // namespace ks::roles::float_role
