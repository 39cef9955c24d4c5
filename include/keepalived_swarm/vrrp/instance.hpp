#pragma once
// The VRRP state machine of one virtual router (RFC 5798 section 6; RFC 3768 section 6 for v2).
// Pure and deterministic: each event takes `now`, returns the actions the I/O adapter performs,
// and next_deadline() says when to call expire(). No sockets, no clocks, no threads.
//
// Every per-instance decision lives here, so the simulated link tests it to the microsecond: who
// may be heard (the peer set), what keeps the router out of the election (trackers), whom to send
// adverts to, when to announce the VIPs again, what a master does when a VIP is deleted under it
// or claimed by another host, and how often any of that may be logged.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/vrrp/actions.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"
#include "keepalived_swarm/vrrp/rate_limit.hpp"
#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::vrrp {

/// Whose adverts take part in the election once a peer set is known.
enum class AcceptFrom : std::uint8_t {
    peers,  ///< only the peer set's (a stranger on the link cannot move the VIP)
    any,    ///< any router of the VRID (RFC 5798 behaviour)
};

std::string_view to_string(AcceptFrom accept_from);

struct InstanceConfig {
    Version version = Version::v3;
    std::uint8_t vrid = 1;
    std::uint8_t priority = 100;                         ///< 1..255; 255 = address owner
    Duration advert_interval = std::chrono::seconds(1);  ///< Advertisement_Interval
    bool preempt = true;                                 ///< Preempt_Mode (RFC default true)
    Duration preempt_delay{0};  ///< keepalived's preempt_delay: tolerate a lower master this long
    IpAddress primary_address;  ///< our source address: tie-breaks and own-packet detection
    std::vector<IpAddress> virtual_addresses;  ///< the VIPs carried in adverts (primary's family)
    /// VIPs held and announced with the others but not carried in adverts: the other family of
    /// a dual-stack pair, so both families move together in one election (keepalived's
    /// virtual_ipaddress_excluded).
    std::vector<IpAddress> unadvertised_addresses;
    bool unicast = false;  ///< adverts go to the peers, not to the multicast group
    AcceptFrom accept_from = AcceptFrom::peers;
    /// The group's other routers, when known at start (fixed unicast peers).
    std::optional<std::vector<IpAddress>> peers;
    /// Compete only once a peer set is known (the anchor's managers): a float must not take the
    /// VIP on a list it has not been given.
    bool await_peers = false;
    /// A second announcement burst this long after becoming master (0: none), for neighbours
    /// that missed the first (keepalived's garp_master_delay).
    Duration announce_repeat_delay{0};
    /// Spread mode: this is the spread_index-th instance of a group whose VIPs are homed
    /// round-robin over the routers (vrrp/spread.hpp). `priority` is then the home's priority;
    /// ours follows from our place among the peer set and ourselves, and moves when it changes.
    std::optional<std::size_t> spread_index;
    /// Spread mode: how many instances the group has (every node runs them all).
    std::size_t spread_count = 0;
};

/// A condition the router depends on (the tether to the anchor, the link, a health check).
struct Tracker {
    bool up = true;
    /// What a down tracker does: nullopt puts the router in Fault (it resigns and stays out);
    /// a number is added to the priority while the tracker is down (keepalived's weight).
    std::optional<int> weight;
    std::string reason;  ///< why it is in this state, for status and transitions
    friend bool operator==(const Tracker&, const Tracker&) = default;
};

/// An advertisement with what the IP layer said about it.
struct ReceivedAdvertisement {
    IpAddress source;
    std::uint8_t ttl = kRequiredTtl;
    Advertisement advert;
};

/// The built-in tracker that is down while an awaited peer set is unknown.
inline constexpr std::string_view kPeersTracker = "peers";

/// What an event produced: actions in the order to perform them, and when to wake next.
struct Output {
    std::vector<Action> actions;
    std::optional<TimePoint> next_deadline;
};

/// A peer dropped from the peer set is still sent adverts, and still heard, this long: the
/// managers learn of a demotion one by one, and a demoted node's float that stops hearing the
/// master before its own anchor makes it resign would take the VIP.
inline constexpr std::chrono::seconds kPeerDepartureGrace{10};
/// A master hearing another master of lower precedence announces the VIPs again, at most this
/// often.
inline constexpr std::chrono::seconds kConflictAnnounceSpacing{1};
/// Drops from one stranger, address list mismatches from one peer and conflicts over one VIP are
/// reported (logged) at most this often; they are counted every time.
inline constexpr std::chrono::seconds kReportSpacing{60};
/// A VIP restored after someone deleted it is reported at most this often.
inline constexpr std::chrono::seconds kRestoreReportSpacing{10};
/// A master answers adverts that call for an immediate advert (a resignation, a rival of lower
/// precedence) at most once per this fraction of its interval; later ones are answered by one
/// advert at the end of the spacing, so a flood in does not become a flood out.
inline constexpr int kReplySpacingDivisor = 4;

class Instance {
public:
    explicit Instance(InstanceConfig config);

    /// Startup event (6.4.1). With a fault tracker down it enters Fault instead.
    Output start(TimePoint now);
    /// Shutdown event: a master resigns with priority 0 and removes the VIPs.
    Output stop(TimePoint now);
    /// An advertisement arrived (already decoded and checksum-verified).
    Output receive(TimePoint now, const ReceivedAdvertisement& received);
    /// The deadline passed: Master_Down_Timer in Backup, Adver_Timer or the repeated
    /// announcement in Master. Early calls do nothing, so spurious wake-ups are harmless.
    Output expire(TimePoint now);
    /// Adds or updates the tracker `name`. A fault tracker going down makes a master resign
    /// (priority 0, VIPs removed) and the router enter Fault; all of them up again, it comes back
    /// as backup. A weighted one changes the advertised priority.
    Output set_tracker(TimePoint now, std::string_view name, Tracker tracker);
    /// Forgets the tracker `name` (no longer configured): as if it were up.
    Output remove_tracker(TimePoint now, std::string_view name);
    /// The group's other routers, as now known (fixed peers, or the anchor's managers).
    /// Addresses of the other family and our own are ignored. A peer left out keeps being sent
    /// adverts, and heard, for kPeerDepartureGrace.
    Output set_peers(TimePoint now, std::vector<IpAddress> peers);
    /// Changes priority and preemption in place; a master advertises the new priority at once.
    Output update(TimePoint now, std::uint8_t priority, bool preempt, Duration preempt_delay);
    /// Someone removed `address` from our interface: a master puts back a VIP at once.
    Output address_removed(TimePoint now, const IpAddress& address);
    /// Another host (link-layer address `mac`) claimed `address` over ARP or NDP. Counted at
    /// once; reported after Master_Down_Interval if the election does not explain it.
    Output address_claimed(TimePoint now, const IpAddress& address, const MacAddress& mac);

    std::optional<TimePoint> next_deadline() const;
    State state() const { return state_; }
    const InstanceConfig& config() const { return config_; }
    /// The priority we advertise: 0 while in Fault, else the configured one plus the weights of
    /// the weighted trackers that are down (kept within 1..254).
    std::uint8_t effective_priority() const;
    /// The priority we compete with when not in Fault: configured (spread: for our place in
    /// the VIP's order of nodes) plus down trackers' weights.
    std::uint8_t competing_priority() const;
    /// The priority before trackers: the configured one, or in spread mode our place's.
    std::uint8_t base_priority() const { return base_priority_; }
    /// Spread mode: the node whose VIP this is (the highest priority), by what we know now.
    const std::optional<IpAddress>& home() const { return home_; }
    /// The first fault tracker that is down, if any: what keeps us in Fault.
    std::optional<std::string> fault_reason() const;
    const std::map<std::string, Tracker, std::less<>>& trackers() const { return trackers_; }
    const std::optional<std::vector<IpAddress>>& peers() const { return peers_; }
    /// Where adverts go now: the peers in unicast mode, else the multicast group.
    std::vector<IpAddress> destinations() const;
    /// In the peer set, or dropped from it less than kPeerDepartureGrace ago.
    bool is_peer(const IpAddress& address) const;
    void forget_departed(TimePoint now);
    /// Master_Adver_Interval: the interval of the current master (v3), ours otherwise.
    Duration master_advert_interval() const { return master_advert_interval_; }
    /// Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 (6.1).
    Duration skew_time() const;
    /// Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (6.1).
    Duration master_down_interval() const;
    /// The current master as last heard (ourselves when master), if known.
    std::optional<IpAddress> master_address() const { return master_address_; }

private:
    Output enter_service(TimePoint now, Reason reason, std::string detail);
    void become_master(Output& out, TimePoint now, Reason reason);
    void become_backup(Output& out, TimePoint now, Reason reason, Duration master_interval);
    void enter_fault(Output& out, std::string detail);
    void change_state(Output& out, State to, Reason reason, std::string detail = {});
    void advertise(Output& out, std::uint8_t priority) const;
    void advertise_as_master(Output& out, TimePoint now);
    void reply_at_once(Output& out, TimePoint now);
    void answer_rival(Output& out, TimePoint now, const IpAddress& rival);
    void report_unexplained_claims(Output& out, TimePoint now);
    Output after_tracking_change(TimePoint now, std::uint8_t priority_before, Reason reason,
                                 std::string detail);
    std::optional<DropReason> check(const ReceivedAdvertisement& received) const;
    void receive_in_backup(TimePoint now, const ReceivedAdvertisement& received);
    bool holds(const IpAddress& address) const;
    Duration advertised_interval(const Advertisement& advert) const;
    Output finish(Output out) const;
    /// Recomputes base_priority_ and home_ from the configuration and the peer set.
    void place_in_group();

    InstanceConfig config_;
    IpAddress multicast_group_;
    State state_ = State::initialize;
    std::map<std::string, Tracker, std::less<>> trackers_;
    std::optional<std::vector<IpAddress>> peers_;
    /// Derived from the configuration and peers_ when either changes (not per advert).
    std::uint8_t base_priority_ = 0;
    std::optional<IpAddress> home_;
    /// Peers dropped from the set, still sent to and heard until the time given.
    std::vector<std::pair<IpAddress, TimePoint>> departing_;
    std::optional<TimePoint> deadline_;
    /// As master: when to announce the VIPs a second time.
    std::optional<TimePoint> announce_again_at_;
    Duration master_advert_interval_;
    std::optional<IpAddress> master_address_;
    /// With preempt_delay: when we first heard a lower-priority master, since we last saw none.
    std::optional<TimePoint> lower_master_since_;
    /// As master: when we last announced the VIPs again because another master spoke.
    std::optional<TimePoint> conflict_announced_at_;
    /// As master: when we last sent an advert out of turn in reply to one we heard.
    std::optional<TimePoint> replied_at_;
    /// As master: an advert heard since then waits for a reply at the end of the spacing.
    bool reply_pending_ = false;
    /// As master: claims of our VIPs not yet reported, and when the first of them came; they are
    /// reported Master_Down_Interval after it unless the election explains them first (two
    /// backups that became master together see each other's announcements; the one that steps
    /// down, and the one that hears it, have no news to log).
    std::vector<ReportConflict> unexplained_claims_;
    std::optional<TimePoint> first_unexplained_claim_at_;
    /// As master: when we last heard another master (of lower precedence: we stayed).
    std::optional<TimePoint> rival_heard_at_;
    RateLimiter<IpAddress> stranger_reports_;
    RateLimiter<IpAddress> mismatch_reports_;
    RateLimiter<IpAddress> conflict_reports_;
    RateLimiter<IpAddress> restore_reports_;
};

}  // namespace ks::vrrp
