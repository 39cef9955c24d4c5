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
    struct Describer {
        std::string operator()(const SendAdvertisement& send) const {
            return "SendAdvertisement{" + std::to_string(send.priority) + "}";
        }
        std::string operator()(const AddAddresses&) const { return "AddAddresses"; }
        std::string operator()(const RemoveAddresses&) const { return "RemoveAddresses"; }
        std::string operator()(const AnnounceAddresses&) const { return "AnnounceAddresses"; }
        std::string operator()(const StateChanged& change) const {
            return "StateChanged{" + std::string(to_string(change.from)) + "->" +
                   std::string(to_string(change.to)) + ", " +
                   std::string(to_string(change.reason)) + "}";
        }
    };
    return std::visit(Describer{}, action);
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
inline StateChanged change(State from, State to, Reason reason) {
    return {from, to, reason};
}

/// Takes a started non-owner through Master_Down_Timer expiry into Master; returns when.
inline TimePoint make_master(Instance& instance) {
    const auto when = *instance.next_deadline();
    instance.expire(when);
    REQUIRE(instance.state() == State::master);
    return when;
}

}  // namespace ks::vrrp::testing
