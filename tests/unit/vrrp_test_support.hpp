#pragma once
// Test support for the VRRP state machine: a hand-driven timeline, ready-made router configs and
// adverts, and readable Catch failure messages for the engine's types.

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/vrrp/instance.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"

namespace ks::vrrp::testing {

/// The origin of every test timeline: deadlines are written as kT0 + an offset.
inline constexpr TimePoint kT0{};
/// The VRID every test router serves.
inline constexpr std::uint8_t kTestVrid = 51;

inline IpAddress address(const char* text) {
    return boost::asio::ip::make_address(text);
}

/// A router of VRID kTestVrid with Advertisement_Interval 1 s, preemption on (the RFC default)
/// and the VIP 10.0.0.100, or fd00::100 when `primary` is IPv6.
inline InstanceConfig router_config(std::uint8_t priority, const char* primary,
                                    Version version = Version::v3) {
    InstanceConfig config;
    config.version = version;
    config.vrid = kTestVrid;
    config.priority = priority;
    config.advert_interval = std::chrono::seconds(1);
    config.preempt = true;
    config.primary_address = address(primary);
    config.virtual_addresses = {
        address(config.primary_address.is_v4() ? "10.0.0.100" : "fd00::100")};
    return config;
}

inline std::string describe(const std::optional<TimePoint>& deadline) {
    if (!deadline) return "no deadline";
    const auto offset = std::chrono::duration_cast<Duration>(*deadline - kT0);
    return "T0+" + std::to_string(offset.count()) + "us";
}

inline std::string describe(const Action& action) {
    return std::visit(
        Overloaded{
            [](const SendAdvertisement& send) {
                std::string text = "SendAdvertisement{" + std::to_string(send.priority) + " to";
                for (const auto& destination : send.destinations) {
                    text += " " + destination.to_string();
                }
                return text + "}";
            },
            [](const AddAddresses&) { return std::string("AddAddresses"); },
            [](const RemoveAddresses&) { return std::string("RemoveAddresses"); },
            [](const RestoreAddress& restore) {
                return "RestoreAddress{" + restore.address.to_string() +
                       (restore.report ? ", reported}" : "}");
            },
            [](const AnnounceAddresses&) { return std::string("AnnounceAddresses"); },
            [](const RefreshNeighbour& refresh) {
                return "RefreshNeighbour{" + refresh.address.to_string() + "}";
            },
            [](const StateChanged& change) {
                return "StateChanged{" + std::string(to_string(change.from)) + "->" +
                       std::string(to_string(change.to)) + ", " +
                       std::string(to_string(change.reason)) +
                       (change.detail.empty() ? "" : " (" + change.detail + ")") + "}";
            },
            [](const Dropped& drop) {
                return "Dropped{" + std::string(to_string(drop.reason)) + " from " +
                       drop.source.to_string() + " priority " + std::to_string(drop.priority) +
                       (drop.report ? ", reported}" : "}");
            },
            [](const Warning& warning) {
                return "Warning{" + warning.message + " about " + warning.about.to_string() + "}";
            },
            [](const AddressConflict& conflict) {
                return "AddressConflict{" + conflict.address.to_string() + "}";
            },
            [](const ReportConflict& claim) {
                return "ReportConflict{" + claim.address.to_string() + "}";
            },
        },
        action);
}

}  // namespace ks::vrrp::testing

namespace Catch {
template <>
struct StringMaker<ks::vrrp::Action> {
    static std::string convert(const ks::vrrp::Action& action) {
        return ks::vrrp::testing::describe(action);
    }
};
template <>
struct StringMaker<ks::vrrp::TimePoint> {
    static std::string convert(ks::vrrp::TimePoint at) { return ks::vrrp::testing::describe(at); }
};
template <>
struct StringMaker<std::optional<ks::vrrp::TimePoint>> {
    static std::string convert(const std::optional<ks::vrrp::TimePoint>& deadline) {
        return ks::vrrp::testing::describe(deadline);
    }
};
template <>
struct StringMaker<ks::vrrp::State> {
    static std::string convert(ks::vrrp::State state) {
        return std::string(ks::vrrp::to_string(state));
    }
};
template <>
struct StringMaker<ks::vrrp::DropReason> {
    static std::string convert(ks::vrrp::DropReason reason) {
        return std::string(ks::vrrp::to_string(reason));
    }
};
template <>
struct StringMaker<std::optional<ks::vrrp::DropReason>> {
    static std::string convert(const std::optional<ks::vrrp::DropReason>& reason) {
        return reason ? std::string(ks::vrrp::to_string(*reason)) : "not dropped";
    }
};
}  // namespace Catch

namespace ks::vrrp::testing {

/// What an event is expected to produce, in order.
using Actions = std::vector<Action>;

/// The primary address of the router under test, and of the other router it hears.
inline constexpr const char* kOwnAddress = "10.0.0.2";
inline constexpr const char* kPeerAddress = "10.0.0.3";

/// Our router: VRRPv3, primary address kOwnAddress.
inline InstanceConfig our_config(std::uint8_t priority) {
    return router_config(priority, kOwnAddress);
}

/// An advert as the IP layer hands it over: TTL 255, our VRID, version and VIP.
inline ReceivedAdvertisement advert_from(const char* source, std::uint8_t priority,
                                         Centiseconds interval = Centiseconds(100),
                                         Version version = Version::v3) {
    return {address(source), kRequiredTtl,
            Advertisement{version, kTestVrid, priority, interval, {address("10.0.0.100")}}};
}

/// The VRRPv2 form of advert_from: Adver Int in whole seconds.
inline ReceivedAdvertisement v2_advert_from(
    const char* source, std::uint8_t priority,
    std::chrono::seconds interval = std::chrono::seconds(1)) {
    return advert_from(source, priority, interval, Version::v2);
}

/// Shorthand for the StateChanged action.
inline StateChanged change(State from, State to, Reason reason, std::string detail = {}) {
    return {from, to, reason, std::move(detail)};
}

/// An advert of `priority` to the IPv4 multicast group (or `to`).
inline SendAdvertisement sent(std::uint8_t priority, const char* to = kMulticastV4) {
    return {priority, {address(to)}};
}

/// The tracker the float uses for its tether to the anchor, down and up.
inline constexpr std::string_view kTether = "tether";
inline const Tracker kDown{false, std::nullopt, ""};
inline const Tracker kUp{true, std::nullopt, ""};

/// The first action of type T in `out`, if any.
template <class T>
std::optional<T> first(const Output& out) {
    for (const auto& action : out.actions) {
        if (const auto* found = std::get_if<T>(&action)) return *found;
    }
    return std::nullopt;
}

/// Why the advert was dropped, if it was.
inline std::optional<DropReason> dropped(const Output& out) {
    if (auto drop = first<Dropped>(out)) return drop->reason;
    return std::nullopt;
}

/// Whether the engine asked to warn the operator.
inline bool warned(const Output& out) {
    return first<Warning>(out).has_value();
}

/// Whose neighbour entry the engine asked to refresh, if anyone's.
inline std::optional<IpAddress> refreshed(const Output& out) {
    if (auto refresh = first<RefreshNeighbour>(out)) return refresh->address;
    return std::nullopt;
}

/// Takes a started non-owner through Master_Down_Timer expiry into Master; returns when.
inline TimePoint make_master(Instance& instance) {
    const auto when = *instance.next_deadline();
    instance.expire(when);
    REQUIRE(instance.state() == State::master);
    return when;
}

}  // namespace ks::vrrp::testing
