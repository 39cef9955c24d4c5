#pragma once
// What the VRRP engine asks its executor to do. Each is a distinct type in one variant, and the
// executor handles them with an exhaustive std::visit: a new action that an executor does not
// handle does not compile, instead of being skipped in silence.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keepalived_swarm/vrrp/types.hpp"

namespace ks::vrrp {

/// Fault is keepalived's state for "not fit to serve": a tracked dependency (the tether to the
/// anchor, the link) is down, so the router neither holds the VIPs nor competes for them.
enum class State { initialize, backup, master, fault };

std::string_view to_string(State state);

enum class Reason {
    startup,          ///< Startup event (6.4.1)
    shutdown,         ///< Shutdown event
    master_down,      ///< Master_Down_Timer fired (6.4.2)
    higher_priority,  ///< a better master advertised (6.4.3)
    tracker_down,     ///< a tracker the router depends on went down: resigned
    tracker_up,       ///< every such tracker is up again
};

std::string_view to_string(Reason reason);

/// Why a received advertisement was dropped before the state machine saw it (7.1).
enum class DropReason {
    ttl,                ///< TTL / hop limit not 255
    version_mismatch,   ///< other VRRP version or address family than ours
    other_vrid,         ///< another virtual router on the same link
    own_advert,         ///< sent by ourselves
    unknown_source,     ///< not from the peer set: another group with our VRID, or a spoofer
    interval_mismatch,  ///< VRRPv2 only: Adver Int differs from ours (RFC 3768 7.1)
    address_mismatch,   ///< VRRPv2 only: address list differs and sender is not the owner
    owner_ignores,      ///< we own the addresses (priority 255): owners discard adverts (7.1)
};

std::string_view to_string(DropReason reason);

/// Send an advertisement with this priority (0 = resign) to each destination.
struct SendAdvertisement {
    std::uint8_t priority = 0;
    std::vector<IpAddress> destinations;
    friend bool operator==(const SendAdvertisement&, const SendAdvertisement&) = default;
};
/// Add every VIP to the interface (accept mode: the master accepts packets to them, 6.4.3).
struct AddAddresses {
    friend bool operator==(const AddAddresses&, const AddAddresses&) = default;
};
struct RemoveAddresses {
    friend bool operator==(const RemoveAddresses&, const RemoveAddresses&) = default;
};
/// Put back one VIP that someone removed while we are master.
struct RestoreAddress {
    IpAddress address;
    bool report = false;  ///< log it (rate-limited); it is counted every time
    friend bool operator==(const RestoreAddress&, const RestoreAddress&) = default;
};
/// Gratuitous ARP for IPv4 VIPs, unsolicited NA for IPv6 VIPs (6.4.1, 6.4.2).
struct AnnounceAddresses {
    friend bool operator==(const AnnounceAddresses&, const AnnounceAddresses&) = default;
};
/// Drop the kernel's neighbour entry for a router that does not hear us, so our next unicast
/// advert resolves it at once instead of queueing behind a failed resolution.
struct RefreshNeighbour {
    IpAddress address;
    friend bool operator==(const RefreshNeighbour&, const RefreshNeighbour&) = default;
};
struct StateChanged {
    State from = State::initialize;
    State to = State::initialize;
    Reason reason = Reason::startup;
    std::string detail;  ///< which tracker, and why; empty when the reason says it all
    friend bool operator==(const StateChanged&, const StateChanged&) = default;
};
/// The reason of a state change in words, with its detail ("tracker down: link: no carrier").
std::string describe_reason(const StateChanged& change);

/// A received advert was not acted on.
struct Dropped {
    DropReason reason = DropReason::ttl;
    IpAddress source;
    std::uint8_t priority = 0;
    bool report = false;  ///< log it (rate-limited per source); it is counted every time
    friend bool operator==(const Dropped&, const Dropped&) = default;
};
/// Something an operator should know that changes nothing here, e.g. a peer advertising
/// another VIP list (already rate-limited).
struct Warning {
    std::string message;
    IpAddress about;
    friend bool operator==(const Warning&, const Warning&) = default;
};
/// While master, another host claimed one of our VIPs: counted every time.
struct AddressConflict {
    IpAddress address;
    MacAddress claimant{};
    friend bool operator==(const AddressConflict&, const AddressConflict&) = default;
};
/// A claim that the VRRP election did not explain: still master Master_Down_Interval later, and
/// no rival master heard meanwhile. A static address somewhere, or another cluster: log it
/// (rate-limited per VIP).
struct ReportConflict {
    IpAddress address;
    MacAddress claimant{};
    friend bool operator==(const ReportConflict&, const ReportConflict&) = default;
};

using Action = std::variant<SendAdvertisement, AddAddresses, RemoveAddresses, RestoreAddress,
                            AnnounceAddresses, RefreshNeighbour, StateChanged, Dropped, Warning,
                            AddressConflict, ReportConflict>;

/// For std::visit with a set of lambdas.
template <class... Handlers>
struct Overloaded : Handlers... {
    using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

}  // namespace ks::vrrp
