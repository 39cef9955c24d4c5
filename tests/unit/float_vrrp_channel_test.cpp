// The float's VRRP executor against a recording stand-in for the link: it performs every action
// the engine returns (sends, addresses, announcements, neighbour refreshes), counts what the
// status shows, and lets go of itself once stopped.

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "keepalived_swarm/vrrp/packet.hpp"
#include "roles/float/vrrp_channel.hpp"

using namespace ks;
using namespace std::chrono_literals;
using roles::float_role::ChannelIo;
using roles::float_role::ChannelSetup;
using roles::float_role::VrrpChannel;

namespace {

net::IpAddress ip(const char* text) {
    return *net::parse_ip_address(text);
}

struct Recorded {
    std::vector<std::pair<net::IpAddress, vrrp::Advertisement>> sent;
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::size_t announced = 0;
    std::vector<net::IpAddress> forgotten;
    ChannelIo::PacketHandler handler;
    bool closed = false;
};

class RecordingIo final : public ChannelIo {
public:
    RecordingIo(Recorded& recorded, net::IpAddress source)
        : recorded_(recorded), source_(std::move(source)) {}
    void start_receiving(PacketHandler handler) override { recorded_.handler = std::move(handler); }
    void close() override {
        recorded_.closed = true;
        recorded_.handler = nullptr;  // as the real loop ends once its receive is aborted
    }
    boost::system::error_code send(std::span<const std::uint8_t> message,
                                   const net::IpAddress& destination) override {
        auto advert = vrrp::decode(message, {source_, destination});
        REQUIRE(advert.has_value());
        recorded_.sent.emplace_back(destination, *advert);
        return {};
    }
    boost::system::error_code add_address(const net::IpPrefix& vip) override {
        recorded_.added.push_back(vip.to_string());
        return {};
    }
    boost::system::error_code remove_address(const net::IpPrefix& vip) override {
        recorded_.removed.push_back(vip.to_string());
        return {};
    }
    boost::system::error_code announce(const net::IpAddress&) override {
        ++recorded_.announced;
        return {};
    }
    boost::system::error_code forget_neighbour(const net::IpAddress& address) override {
        recorded_.forgotten.push_back(address);
        return {};
    }

private:
    Recorded& recorded_;
    net::IpAddress source_;
};

ChannelSetup setup_with_peers(std::vector<net::IpAddress> peers) {
    ChannelSetup setup;
    setup.settings.vrid = 60;
    setup.settings.priority = 150;
    setup.settings.advert_interval = 10ms;
    setup.settings.garp_repeat = 2;
    setup.settings.garp_refresh_delay = 0s;
    setup.settings.instance_name = "VI_test";
    setup.link.index = 2;
    setup.link.name = "eth0";
    setup.primary_address = ip("10.99.0.1");
    setup.vips = {*net::parse_ip_prefix("10.99.0.100/24"),
                  *net::parse_ip_prefix("fd00:99::100/64")};
    setup.unicast = !peers.empty();
    if (!peers.empty()) setup.fixed_peers = std::move(peers);
    return setup;
}

net::ReceivedPacket packet_from(const char* source, std::uint8_t priority, const char* to,
                                vrrp::Centiseconds interval = vrrp::Centiseconds(1)) {
    vrrp::Advertisement advert{vrrp::Version::v3, 60, priority, interval, {ip("10.99.0.100")}};
    return {ip(source), ip(to), vrrp::kRequiredTtl, vrrp::encode(advert, {ip(source), ip(to)})};
}

struct Fixture {
    boost::asio::io_context io;
    Recorded recorded;
    std::shared_ptr<VrrpChannel> channel;

    explicit Fixture(std::vector<net::IpAddress> peers = {}) {
        auto setup = setup_with_peers(std::move(peers));
        channel = std::make_shared<VrrpChannel>(
            io.get_executor(), setup,
            std::make_unique<RecordingIo>(recorded, setup.primary_address), nullptr);
    }
    void become_master() {
        channel->start();
        io.run_for(200ms);  // Master_Down_Interval at 10 ms adverts is 34 ms
        REQUIRE(channel->instance().state() == vrrp::State::master);
    }
};

}  // namespace

TEST_CASE(
    "VRRP channel: becoming master adds and announces every VIP and advertises the "
    "advertised family's",
    "[float][channel]") {
    Fixture f;
    f.become_master();
    CHECK(f.recorded.added == std::vector<std::string>{"10.99.0.100/24", "fd00:99::100/64"});
    CHECK(f.recorded.announced >= 4);  // 2 VIPs x garp_repeat 2
    REQUIRE_FALSE(f.recorded.sent.empty());
    CHECK(f.recorded.sent.front().first == ip("224.0.0.18"));
    CHECK(f.recorded.sent.front().second.priority == 150);
    CHECK(f.recorded.sent.front().second.addresses ==
          std::vector<net::IpAddress>{ip("10.99.0.100")});
    CHECK(f.channel->status().adverts_sent == f.recorded.sent.size());
}

TEST_CASE("VRRP channel: unicast adverts go to each peer; a stranger is dropped and shown",
          "[float][channel]") {
    Fixture f({ip("10.99.0.2")});
    f.become_master();
    for (const auto& [destination, advert] : f.recorded.sent) CHECK(destination == ip("10.99.0.2"));
    REQUIRE(f.recorded.handler);
    f.recorded.handler(packet_from("10.99.0.9", 254, "10.99.0.1"));
    f.recorded.handler(packet_from("10.99.0.9", 253, "10.99.0.1"));
    CHECK(f.channel->instance().state() == vrrp::State::master);
    const auto status = f.channel->status();
    CHECK(status.adverts_dropped.at("unknown_source") == 2);
    CHECK(status.adverts_received == 0);
    REQUIRE(status.foreign_sources.size() == 1);
    CHECK(status.foreign_sources[0].address == "10.99.0.9");
    CHECK(status.foreign_sources[0].priority == 253);
    CHECK(status.foreign_sources[0].count == 2);
    CHECK(status.accept_from == "peers");
    CHECK(status.peers == std::vector<std::string>{"10.99.0.2"});

    // A lower rival peer: answered, and its neighbour entry refreshed.
    f.recorded.handler(packet_from("10.99.0.2", 100, "10.99.0.1"));
    CHECK(f.recorded.forgotten == std::vector<net::IpAddress>{ip("10.99.0.2")});
    CHECK(f.channel->status().adverts_received == 1);
}

TEST_CASE("VRRP channel: a deleted VIP is put back and counted; a claimed one is shown",
          "[float][channel]") {
    Fixture f;
    f.become_master();
    f.recorded.added.clear();
    f.channel->address_removed(ip("fd00:99::100"));
    CHECK(f.recorded.added == std::vector<std::string>{"fd00:99::100/64"});
    f.channel->address_claimed(ip("10.99.0.100"), {0x02, 0, 0, 0, 0x99, 0x99});
    f.channel->address_claimed(ip("10.99.0.100"), {0x02, 0, 0, 0, 0x99, 0x99});
    const auto status = f.channel->status();
    CHECK(status.vips_restored == 1);
    REQUIRE(status.vip_conflicts.size() == 1);
    CHECK(status.vip_conflicts[0].vip == "10.99.0.100");
    CHECK(status.vip_conflicts[0].mac == "02:00:00:00:99:99");
    CHECK(status.vip_conflicts[0].count == 2);
}

TEST_CASE("VRRP channel: a tracker going down resigns, removes every VIP and shows why",
          "[float][channel]") {
    Fixture f;
    f.become_master();
    f.channel->set_tracker("link", vrrp::Tracker{false, std::nullopt, "eth0 has no carrier"});
    CHECK(f.recorded.sent.back().second.priority == 0);
    CHECK(f.recorded.removed == std::vector<std::string>{"10.99.0.100/24", "fd00:99::100/64"});
    const auto status = f.channel->status();
    CHECK(status.state == "FAULT");
    REQUIRE(status.trackers.size() == 1);
    CHECK(status.trackers[0].name == "link");
    CHECK_FALSE(status.trackers[0].up);
    CHECK(status.trackers[0].weight == "fault");
    CHECK(status.transitions.back().reason == "tracker down: link: eth0 has no carrier");
}

TEST_CASE("VRRP channel: once stopped, the receive loop lets go and the channel is freed",
          "[float][channel]") {
    Fixture f;
    f.become_master();
    std::weak_ptr<VrrpChannel> weak = f.channel;
    f.channel->stop();
    CHECK(f.recorded.closed);
    CHECK(f.recorded.sent.back().second.priority == 0);
    f.channel.reset();
    f.io.run_for(20ms);  // a pending timer completion must not touch the freed channel
    CHECK(weak.expired());
}

TEST_CASE("VRRP channel: adverts carry the priority of the moment", "[float][channel]") {
    // The encoded adverts are kept between sends: a new priority must not send the old bytes.
    Fixture f({ip("10.99.0.2"), ip("10.99.0.3")});
    f.become_master();
    f.channel->update(120, false, 0s);
    f.recorded.sent.clear();
    f.io.run_for(35ms);
    REQUIRE(f.recorded.sent.size() >= 2);
    for (const auto& [destination, advert] : f.recorded.sent) CHECK(advert.priority == 120);
    CHECK(f.recorded.sent[0].first == ip("10.99.0.2"));
    CHECK(f.recorded.sent[1].first == ip("10.99.0.3"));
    f.channel->update(150, false, 0s);
    f.recorded.sent.clear();
    f.io.run_for(25ms);
    REQUIRE_FALSE(f.recorded.sent.empty());
    for (const auto& [destination, advert] : f.recorded.sent) CHECK(advert.priority == 150);
}

TEST_CASE(
    "VRRP channel: a backup's deadline follows the master's adverts later and its resignation "
    "sooner",
    "[float][channel]") {
    // The master advertises every 200 ms: Master_Down_Interval is 600 ms + Skew_Time 83 ms, long
    // enough for a loaded machine's scheduling; each advert postpones the deadline, which the
    // channel's pending wait must follow without ending early.
    constexpr auto interval = vrrp::Centiseconds(20);
    Fixture f({ip("10.99.0.2")});
    f.channel->start();
    REQUIRE(f.recorded.handler);
    for (int advert = 0; advert < 10; ++advert) {
        f.recorded.handler(packet_from("10.99.0.2", 200, "10.99.0.1", interval));
        f.io.run_for(100ms);
    }
    CHECK(f.channel->instance().state() == vrrp::State::backup);
    f.io.run_for(400ms);  // 500 ms since the last advert
    CHECK(f.channel->instance().state() == vrrp::State::backup);
    CHECK(f.recorded.sent.empty());
    f.io.run_for(600ms);
    CHECK(f.channel->instance().state() == vrrp::State::master);

    // The master back, then resigning: Skew_Time, not the pending 683 ms.
    f.recorded.handler(packet_from("10.99.0.2", 200, "10.99.0.1", interval));
    REQUIRE(f.channel->instance().state() == vrrp::State::backup);
    f.io.run_for(100ms);
    f.recorded.handler(packet_from("10.99.0.2", 0, "10.99.0.1", interval));
    f.io.run_for(250ms);
    CHECK(f.channel->instance().state() == vrrp::State::master);
}
