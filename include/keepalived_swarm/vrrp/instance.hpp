#pragma once
// The VRRP state machine of one virtual router (RFC 5798 section 6; RFC 3768 section 6 for v2).
// Pure and deterministic: each event takes `now`, returns the actions the I/O adapter performs,
// and next_deadline() says when to call expire(). No sockets, no clocks, no threads.

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "keepalived_swarm/vrrp/packet.hpp"
#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::vrrp {

/// Fault is keepalived's state for "not fit to serve": a tracked dependency (the tether to the
/// anchor) is down, so the router neither holds the VIPs nor competes for them.
enum class State { initialize, backup, master, fault };

std::string_view to_string(State state);

struct InstanceConfig {
    Version version = Version::v3;
    std::uint8_t vrid = 1;
    std::uint8_t priority = 100;                         ///< 1..255; 255 = address owner
    Duration advert_interval = std::chrono::seconds(1);  ///< Advertisement_Interval
    bool preempt = true;                                 ///< Preempt_Mode (RFC default true)
    Duration preempt_delay{0};  ///< keepalived's preempt_delay: tolerate a lower master this long
    IpAddress primary_address;  ///< our source address: tie-breaks and own-packet detection
    std::vector<IpAddress> virtual_addresses;  ///< the VIPs, all of primary_address's family
};

enum class Reason {
    startup,          ///< Startup event (6.4.1)
    shutdown,         ///< Shutdown event
    master_down,      ///< Master_Down_Timer fired (6.4.2)
    higher_priority,  ///< a better master advertised (6.4.3)
    tracked_down,     ///< the tether to the anchor was lost: resigned
    tracked_up,       ///< the tether came back
};

std::string_view to_string(Reason reason);

/// Send an advertisement with this priority (0 = resign).
struct SendAdvertisement {
    std::uint8_t priority = 0;
    friend bool operator==(const SendAdvertisement&, const SendAdvertisement&) = default;
};
/// Add the VIPs to the interface (accept mode: the master accepts packets to them, 6.4.3).
struct AddAddresses {
    friend bool operator==(const AddAddresses&, const AddAddresses&) = default;
};
struct RemoveAddresses {
    friend bool operator==(const RemoveAddresses&, const RemoveAddresses&) = default;
};
/// Gratuitous ARP for IPv4 VIPs, unsolicited NA for IPv6 VIPs (6.4.1, 6.4.2).
struct AnnounceAddresses {
    friend bool operator==(const AnnounceAddresses&, const AnnounceAddresses&) = default;
};
struct StateChanged {
    State from = State::initialize;
    State to = State::initialize;
    Reason reason = Reason::startup;
    friend bool operator==(const StateChanged&, const StateChanged&) = default;
};

using Action =
    std::variant<SendAdvertisement, AddAddresses, RemoveAddresses, AnnounceAddresses, StateChanged>;

/// Why a received advertisement was dropped before the state machine saw it (7.1).
enum class DropReason {
    ttl,                ///< TTL / hop limit not 255
    version_mismatch,   ///< other VRRP version or address family than ours
    other_vrid,         ///< another virtual router on the same link
    own_advert,         ///< sent by ourselves
    interval_mismatch,  ///< VRRPv2 only: Adver Int differs from ours (RFC 3768 7.1)
    address_mismatch,   ///< VRRPv2 only: address list differs and sender is not the owner
    owner_ignores,      ///< we own the addresses (priority 255): owners discard adverts (7.1)
};

std::string_view to_string(DropReason reason);

/// An advertisement with what the IP layer said about it.
struct ReceivedAdvertisement {
    IpAddress source;
    std::uint8_t ttl = kRequiredTtl;
    Advertisement advert;
};

/// What an event produced: actions in the order to perform them, and when to wake next.
struct Output {
    std::vector<Action> actions;
    std::optional<TimePoint> next_deadline;
    std::optional<DropReason> dropped;
    /// VRRPv3 advert accepted although its address list differs from ours (logged, 7.1).
    bool address_list_mismatch = false;
    /// As master, we heard this lower-precedence router claim mastership: it does not hear us.
    std::optional<IpAddress> rival_master;
};

/// A master hearing another master of lower precedence announces the VIPs again, at most this
/// often.
inline constexpr std::chrono::seconds kConflictAnnounceSpacing{1};

class Instance {
public:
    explicit Instance(InstanceConfig config);

    /// Startup event (6.4.1). Without the tracked dependency it enters Fault instead.
    Output start(TimePoint now);
    /// Shutdown event: a master resigns with priority 0 and removes the VIPs.
    Output stop(TimePoint now);
    /// An advertisement arrived (already decoded and checksum-verified).
    Output receive(TimePoint now, const ReceivedAdvertisement& received);
    /// The deadline passed: Master_Down_Timer in Backup, Adver_Timer in Master. Early calls do
    /// nothing, so spurious wake-ups are harmless.
    Output expire(TimePoint now);
    /// The tracked dependency (the tether) went down or came back.
    Output set_tracked(TimePoint now, bool up);
    /// Changes priority and preemption in place; a master advertises the new priority at once.
    Output update(TimePoint now, std::uint8_t priority, bool preempt, Duration preempt_delay);

    std::optional<TimePoint> next_deadline() const { return deadline_; }
    State state() const { return state_; }
    const InstanceConfig& config() const { return config_; }
    /// The priority we advertise: 0 while in Fault, else the configured one.
    std::uint8_t effective_priority() const;
    bool tracked_up() const { return tracked_up_; }
    /// Master_Adver_Interval: the interval of the current master (v3), ours otherwise.
    Duration master_advert_interval() const { return master_advert_interval_; }
    /// Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256 (6.1).
    Duration skew_time() const;
    /// Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (6.1).
    Duration master_down_interval() const;
    /// The current master as last heard (ourselves when master), if known.
    std::optional<IpAddress> master_address() const { return master_address_; }

private:
    Output enter_service(TimePoint now, Reason reason, State from);
    void become_master(Output& out, TimePoint now, Reason reason);
    void become_backup(Output& out, TimePoint now, Reason reason, Duration master_interval);
    void change_state(Output& out, State to, Reason reason);
    std::optional<DropReason> validate(const ReceivedAdvertisement& received,
                                       bool& address_mismatch) const;
    Duration advertised_interval(const Advertisement& advert) const;
    Output finish(Output out) const;

    InstanceConfig config_;
    State state_ = State::initialize;
    bool tracked_up_ = true;
    std::optional<TimePoint> deadline_;
    Duration master_advert_interval_;
    std::optional<IpAddress> master_address_;
    /// With preempt_delay: when we first heard a lower-priority master, since we last saw none.
    std::optional<TimePoint> lower_master_since_;
    /// As master: when we last announced the VIPs again because another master spoke.
    std::optional<TimePoint> conflict_announced_at_;
};

}  // namespace ks::vrrp
