#pragma once
// One VRRP instance on the wire: the pure vrrp::Instance driven by a raw socket, a timer, rtnetlink
// and the announcer. Everything runs on the float's single io_context thread.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/config/instance_config.hpp"
#include "keepalived_swarm/net/announce.hpp"
#include "keepalived_swarm/net/netlink.hpp"
#include "keepalived_swarm/net/vrrp_socket.hpp"
#include "keepalived_swarm/status/float_status.hpp"
#include "keepalived_swarm/vrrp/instance.hpp"

namespace ks::roles::float_role {

/// Where an instance runs and what it holds, resolved from the settings and the interface.
struct ChannelSetup {
    config::InstanceSettings settings;
    net::Link link;
    net::IpAddress primary_address;     ///< advert source: node address or IPv6 link-local
    std::vector<net::IpPrefix> vips;    ///< the VIPs of this instance's family
    std::vector<net::IpAddress> peers;  ///< unicast peers of this family; empty: multicast
};

class VrrpChannel {
public:
    /// Called on each state change, after the channel acted on it.
    using TransitionObserver = std::function<void(const VrrpChannel&, const vrrp::StateChanged&)>;

    VrrpChannel(const boost::asio::any_io_executor& executor, ChannelSetup setup,
                net::RouteNetlink& netlink, TransitionObserver observer);

    /// Opens the raw socket and the announcer; the error says what is missing.
    boost::system::error_code open();
    void start();
    /// Resigns if master (priority 0 advert, VIPs removed) and closes the socket.
    void stop();
    void set_tracked(bool up);
    /// Replaces the unicast peers (from the anchor); an empty list means multicast.
    void set_peers(std::vector<net::IpAddress> peers);
    /// Applies changed priority / preemption without leaving the current state.
    void update(std::uint8_t priority, bool preempt, vrrp::Duration preempt_delay);

    const ChannelSetup& setup() const { return setup_; }
    const vrrp::Instance& instance() const { return instance_; }
    status::InstanceStatus status() const;

    static constexpr std::size_t kTransitionHistory = 32;

private:
    void perform(const vrrp::Output& output);
    void send_advertisement(std::uint8_t priority);
    void apply_addresses(bool add);
    void announce_burst();
    void arm_timer(std::optional<vrrp::TimePoint> deadline);
    void record_transition(const vrrp::StateChanged& change);
    boost::asio::awaitable<void> receive_loop();
    std::vector<net::IpAddress> destinations() const;

    boost::asio::any_io_executor executor_;
    ChannelSetup setup_;
    net::RouteNetlink& netlink_;
    TransitionObserver observer_;
    vrrp::Instance instance_;
    std::optional<net::VrrpSocket> socket_;
    std::optional<net::Announcer> announcer_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer refresh_announce_timer_;
    bool stopped_ = true;

    std::chrono::system_clock::time_point state_since_ = std::chrono::system_clock::now();
    std::uint64_t adverts_sent_ = 0;
    std::uint64_t adverts_received_ = 0;
    std::uint64_t transitions_total_ = 0;
    std::map<std::string, std::uint64_t> adverts_dropped_;
    std::deque<status::Transition> transitions_;
    bool send_error_logged_ = false;
};

}  // namespace ks::roles::float_role
