#pragma once
// FakeLink: a deterministic event-driven simulator of several VRRP Instances on one link. Adverts
// go through the real codec (encode, then decode) and arrive after a fixed delay; time only moves
// to the next event, so every run is exact to the microsecond.

#include <map>
#include <utility>

#include "tests/unit/vrrp_test_support.hpp"

namespace ks::vrrp::testing {

/// Index of a router on a FakeLink, in the order they were added.
using NodeId = std::size_t;

/// Several routers on one simulated link. Deliveries due at the same instant as a timer are
/// handled first (the packet was already on the wire); ties are then broken by node order.
class FakeLink {
public:
    /// One action a router performed, for assertions on what happened when.
    struct Event {
        TimePoint at;
        NodeId node;
        Action action;
    };

    explicit FakeLink(Duration delay) : delay_(delay) {}

    NodeId add(InstanceConfig config) {
        nodes_.push_back(Node{Instance(config), std::move(config)});
        return nodes_.size() - 1;
    }

    /// Startup event at the current time.
    void start(NodeId id) {
        auto& node = nodes_.at(id);
        node.running = true;
        perform(id, node.instance.start(now_));
    }

    /// Graceful Shutdown event: a master sends its priority 0 advert on the way out.
    void stop(NodeId id) {
        auto& node = nodes_.at(id);
        perform(id, node.instance.stop(now_));
        node.running = false;
    }

    /// The router vanishes without a word: no advert, and its addresses go with the host.
    void crash(NodeId id) {
        auto& node = nodes_.at(id);
        node.running = false;
        node.holds_addresses = false;
    }

    /// A crashed or stopped router comes back as a fresh process and starts.
    void restart(NodeId id) {
        auto& node = nodes_.at(id);
        node.instance = Instance(node.config);
        start(id);
    }

    void set_tracker(NodeId id, std::string_view name, const Tracker& tracker) {
        perform(id, nodes_.at(id).instance.set_tracker(now_, name, tracker));
    }

    void set_peers(NodeId id, std::vector<IpAddress> peers) {
        perform(id, nodes_.at(id).instance.set_peers(now_, std::move(peers)));
    }

    /// Someone deletes the VIPs from `id`'s interface (a master puts them back).
    void delete_addresses(NodeId id) {
        auto& node = nodes_.at(id);
        node.holds_addresses = false;
        for (const auto& vip : node.config.virtual_addresses) {
            perform(id, node.instance.address_removed(now_, vip));
        }
    }

    /// Only routers in the same group hear each other until heal(); routers left out of every
    /// group form one more group together.
    void partition(const std::vector<std::vector<NodeId>>& groups) {
        for (auto& node : nodes_) node.group = groups.size();
        for (std::size_t group = 0; group < groups.size(); ++group) {
            for (NodeId id : groups[group]) nodes_.at(id).group = group;
        }
    }

    void heal() {
        for (auto& node : nodes_) node.group = 0;
    }

    /// Handles every event due up to `end` in time order, then leaves the clock at `end`.
    void run_until(TimePoint end) {
        for (int steps = 0;; ++steps) {
            REQUIRE(steps < kMaxStepsPerRun);
            const auto delivery = in_flight_.begin();
            const auto timer = earliest_timer();
            const bool deliver_next =
                delivery != in_flight_.end() &&
                (!timer || delivery->first.first <= nodes_[*timer].instance.next_deadline());
            if (deliver_next) {
                if (delivery->first.first > end) break;
                now_ = delivery->first.first;
                const auto packet = std::move(delivery->second);
                in_flight_.erase(delivery);
                deliver(packet);
            } else if (timer && *nodes_[*timer].instance.next_deadline() <= end) {
                now_ = *nodes_[*timer].instance.next_deadline();
                perform(*timer, nodes_[*timer].instance.expire(now_));
            } else {
                break;
            }
        }
        now_ = end;
    }

    void run_for(Duration duration) { run_until(now_ + duration); }

    TimePoint now() const { return now_; }
    Duration delay() const { return delay_; }
    const Instance& instance(NodeId id) const { return nodes_.at(id).instance; }
    bool holds_addresses(NodeId id) const { return nodes_.at(id).holds_addresses; }
    const std::vector<Event>& events() const { return events_; }
    /// Adverts `id` dropped, oldest first.
    std::vector<Dropped> drops(NodeId id) const {
        std::vector<Dropped> result;
        for (const auto& event : events_) {
            const auto* drop = std::get_if<Dropped>(&event.action);
            if (event.node == id && drop) result.push_back(*drop);
        }
        return result;
    }
    /// Adverts `id` sent, counting each destination once.
    std::size_t adverts_sent(NodeId id) const {
        std::size_t count = 0;
        for (const auto& event : events_) {
            const auto* send = std::get_if<SendAdvertisement>(&event.action);
            if (event.node == id && send) count += send->destinations.size();
        }
        return count;
    }

    /// Running routers in Master state.
    std::vector<NodeId> masters() const {
        std::vector<NodeId> result;
        for (NodeId id = 0; id < nodes_.size(); ++id) {
            if (nodes_[id].running && nodes_[id].instance.state() == State::master) {
                result.push_back(id);
            }
        }
        return result;
    }

    /// When `id` last entered `state`, if it ever did.
    std::optional<TimePoint> last_entered(NodeId id, State state) const {
        std::optional<TimePoint> at;
        for (const auto& event : events_) {
            const auto* change = std::get_if<StateChanged>(&event.action);
            if (event.node == id && change && change->to == state) at = event.at;
        }
        return at;
    }

    /// When `id` last sent an advertisement, if it ever did.
    std::optional<TimePoint> last_sent(NodeId id) const {
        std::optional<TimePoint> at;
        for (const auto& event : events_) {
            if (event.node == id && std::holds_alternative<SendAdvertisement>(event.action)) {
                at = event.at;
            }
        }
        return at;
    }

    /// The state changes of `id`, oldest first.
    std::vector<StateChanged> transitions(NodeId id) const {
        std::vector<StateChanged> result;
        for (const auto& event : events_) {
            const auto* change = std::get_if<StateChanged>(&event.action);
            if (event.node == id && change) result.push_back(*change);
        }
        return result;
    }

private:
    static constexpr int kMaxStepsPerRun = 1'000'000;

    struct Node {
        Instance instance;
        InstanceConfig config;
        bool running = false;
        bool holds_addresses = false;
        std::size_t group = 0;
    };

    struct Packet {
        NodeId from;
        NodeId to;
        PacketAddresses ip;
        std::vector<std::uint8_t> bytes;
    };

    std::optional<NodeId> earliest_timer() const {
        std::optional<NodeId> earliest;
        for (NodeId id = 0; id < nodes_.size(); ++id) {
            const auto deadline = nodes_[id].instance.next_deadline();
            if (!nodes_[id].running || !deadline) continue;
            if (!earliest || *deadline < *nodes_[*earliest].instance.next_deadline()) earliest = id;
        }
        return earliest;
    }

    void perform(NodeId id, const Output& out) {
        auto& node = nodes_[id];
        for (const auto& action : out.actions) {
            events_.push_back({now_, id, action});
            if (const auto* send = std::get_if<SendAdvertisement>(&action)) {
                transmit(id, *send);
            } else if (std::holds_alternative<AddAddresses>(action) ||
                       std::holds_alternative<RestoreAddress>(action)) {
                node.holds_addresses = true;
            } else if (std::holds_alternative<RemoveAddresses>(action)) {
                node.holds_addresses = false;
            }
        }
    }

    /// Multicast reaches every other router; a unicast destination the router that has it.
    void transmit(NodeId from, const SendAdvertisement& send) {
        const auto& config = nodes_[from].config;
        Advertisement advert{config.version, config.vrid, send.priority,
                             std::chrono::duration_cast<Centiseconds>(config.advert_interval),
                             config.virtual_addresses};
        for (const auto& destination : send.destinations) {
            const PacketAddresses ip{config.primary_address, destination};
            const auto bytes = encode(advert, ip);
            for (NodeId to = 0; to < nodes_.size(); ++to) {
                // Each instance's socket hears only its own VRID (the float's kernel filter).
                if (to == from || nodes_[to].config.vrid != config.vrid) continue;
                if (!destination.is_multicast() &&
                    nodes_[to].config.primary_address != destination) {
                    continue;
                }
                in_flight_.emplace(std::pair{now_ + delay_, next_sequence_++},
                                   Packet{from, to, ip, bytes});
            }
        }
    }

    void deliver(const Packet& packet) {
        auto& receiver = nodes_[packet.to];
        if (!receiver.running || receiver.group != nodes_[packet.from].group) return;
        const auto advert = decode(packet.bytes, packet.ip);
        REQUIRE(advert.has_value());
        const auto out = receiver.instance.receive(now_, {packet.ip.source, kRequiredTtl, *advert});
        // Routers of one simulated group agree on everything but who is in the peer set.
        const auto reason = dropped(out);
        CHECK((!reason || *reason == DropReason::unknown_source));
        perform(packet.to, out);
    }

    Duration delay_;
    TimePoint now_ = kT0;
    std::vector<Node> nodes_;
    std::vector<Event> events_;
    /// Packets on the wire, by arrival time then sending order.
    std::map<std::pair<TimePoint, std::uint64_t>, Packet> in_flight_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace ks::vrrp::testing
