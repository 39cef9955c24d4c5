#include <catch2/catch.hpp>
#include <initializer_list>
#include <optional>
#include <vector>

#include "keepalived_swarm/net/address_claim.hpp"
#include "keepalived_swarm/net/announce.hpp"
#include "tests/fixtures/announce_samples.hpp"

using namespace ks;
using net::AddressClaim;
using net::MacAddress;
using Frame = std::vector<std::uint8_t>;

namespace {

const MacAddress kOurMac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
const MacAddress kOtherMac = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
const auto kVip4 = boost::asio::ip::make_address_v4("192.0.2.100");
const auto kVip6 = boost::asio::ip::make_address_v6("2001:db8::100");

// Offsets in the frames below: Ethernet header, then ARP or IPv6 + ICMPv6.
constexpr std::size_t kArpOperation = 20;
constexpr std::size_t kArpTargetMac = 32;
constexpr std::size_t kArpTargetIp = 38;
constexpr std::size_t kIpv6PayloadLength = 18;
constexpr std::size_t kIpv6HopLimit = 21;
constexpr std::size_t kIpv6Destination = 38;
constexpr std::size_t kIcmpType = 54;
constexpr std::size_t kNaFlags = 58;
constexpr std::size_t kNaTarget = 62;
constexpr std::size_t kNaOptions = 78;

Frame frame_of(const auto& bytes) {
    return Frame(bytes.begin(), bytes.end());
}

/// `frame` with `bytes` written from `offset` on (checked: a test asking past the end throws).
Frame with(Frame frame, std::size_t offset, std::initializer_list<std::uint8_t> bytes) {
    for (const auto byte : bytes) frame.at(offset++) = byte;
    return frame;
}

std::optional<AddressClaim> parse(const Frame& frame) {
    return net::parse_address_claim(frame);
}

AddressClaim claim(const net::IpAddress& address, const MacAddress& mac) {
    return {address, mac};
}

/// An ARP packet of `operation` from `mac` at `sender` about `target`, built from the
/// announcer's gratuitous ARP.
Frame arp(std::uint8_t operation, const MacAddress& mac, const boost::asio::ip::address_v4& sender,
          const boost::asio::ip::address_v4& target) {
    auto frame = with(net::gratuitous_arp_frame(mac, sender), kArpOperation, {0, operation});
    frame = with(frame, kArpTargetMac, {0, 0, 0, 0, 0, 0});
    const auto target_bytes = target.to_bytes();
    std::copy(target_bytes.begin(), target_bytes.end(), frame.begin() + kArpTargetIp);
    return frame;
}

/// The announcer's NA without its target link-layer address option.
Frame na_without_option(const MacAddress& mac, const boost::asio::ip::address_v6& target) {
    auto frame = net::unsolicited_na_frame(mac, target);
    frame.resize(kNaOptions);
    return with(frame, kIpv6PayloadLength, {0, 24});
}

/// `frame` with an 802.1Q (or 802.1ad) tag for VLAN 10 after the MAC addresses.
Frame tagged(Frame frame, std::uint8_t tpid_high = 0x81, std::uint8_t tpid_low = 0x00) {
    const std::initializer_list<std::uint8_t> tag = {tpid_high, tpid_low, 0x00, 0x0a};
    frame.insert(frame.begin() + 12, tag.begin(), tag.end());
    return frame;
}

/// Every prefix of `frame` shorter than `needed` parses to nothing, every longer one to what
/// the whole frame does: no read past the end, no claim from a partial packet.
void check_prefixes(const Frame& frame, std::size_t needed) {
    const auto whole = parse(frame);
    REQUIRE(whole);
    for (std::size_t length = 0; length <= frame.size(); ++length) {
        // A copy of exactly `length` bytes, so a sanitizer catches any read past it.
        const Frame prefix(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(length));
        INFO("prefix of " << length << " bytes");
        CHECK(parse(prefix) == (length < needed ? std::nullopt : whole));
    }
}

}  // namespace

TEST_CASE("gratuitous ARP claims its address for the sender MAC", "[net]") {
    CHECK(parse(net::gratuitous_arp_frame(kOurMac, kVip4)) == claim(kVip4, kOurMac));
    CHECK(parse(frame_of(fixtures::kGratuitousArpFrame)) ==
          claim(boost::asio::ip::make_address_v4("10.98.0.100"),
                {0x0e, 0x61, 0x85, 0xac, 0x92, 0x6d}));
}

TEST_CASE("unsolicited NA claims its target for the target link-layer address", "[net]") {
    CHECK(parse(net::unsolicited_na_frame(kOurMac, kVip6)) == claim(kVip6, kOurMac));
    CHECK(parse(frame_of(fixtures::kUnsolicitedNeighbourAdvertFrame)) ==
          claim(boost::asio::ip::make_address_v6("fd00:98::100"),
                {0xfa, 0x47, 0xc2, 0x16, 0xfb, 0x58}));
}

TEST_CASE("ARP replies and requests claim the sender's address, never the target's", "[net]") {
    const auto asker = boost::asio::ip::make_address_v4("192.0.2.7");
    SECTION("a reply for the VIP claims it") {
        CHECK(parse(arp(2, kOtherMac, kVip4, asker)) == claim(kVip4, kOtherMac));
    }
    SECTION("a request for the VIP claims the asker's own address only") {
        const auto request = parse(arp(1, kOtherMac, asker, kVip4));
        CHECK(request == claim(asker, kOtherMac));
        CHECK(request->address != net::IpAddress(kVip4));
    }
    SECTION("a request from a host configured with the VIP claims it") {
        const auto gateway = boost::asio::ip::make_address_v4("192.0.2.1");
        CHECK(parse(arp(1, kOtherMac, kVip4, gateway)) == claim(kVip4, kOtherMac));
    }
    SECTION("a probe (sender 0.0.0.0, RFC 5227) claims nothing") {
        CHECK_FALSE(parse(arp(1, kOtherMac, boost::asio::ip::address_v4::any(), kVip4)));
    }
}

TEST_CASE("an NA claims for the option's MAC, else for the Ethernet source", "[net]") {
    // A proxy sends from its own MAC on behalf of another host's.
    const auto proxied =
        with(net::unsolicited_na_frame(kOtherMac, kVip6), 6, {0x02, 0x01, 0x01, 0x01, 0x01, 0x01});
    CHECK(parse(proxied) == claim(kVip6, kOtherMac));
    CHECK(parse(na_without_option(kOtherMac, kVip6)) == claim(kVip6, kOtherMac));

    const auto options = with(na_without_option(kOtherMac, kVip6), kIpv6PayloadLength, {0, 40});
    SECTION("other options are skipped, the first target link-layer address counts") {
        Frame frame = options;
        frame.insert(frame.end(), {14, 1, 1, 2, 3, 4, 5, 6});    // nonce
        frame.insert(frame.end(), {2, 1, 0x02, 9, 9, 9, 9, 9});  // target MAC
        CHECK(parse(frame) == claim(kVip6, {0x02, 9, 9, 9, 9, 9}));
        frame = with(frame, kIpv6PayloadLength, {0, 48});
        frame.insert(frame.end(), {2, 1, 0x02, 7, 7, 7, 7, 7});
        CHECK(parse(frame) == claim(kVip6, {0x02, 9, 9, 9, 9, 9}));
    }
    SECTION("malformed options refuse the whole advertisement") {
        Frame zero = options;
        zero.insert(zero.end(), {14, 0, 1, 2, 3, 4, 5, 6, 2, 1, 0x02, 9, 9, 9, 9, 9});
        CHECK_FALSE(parse(zero));
        Frame long_address = options;
        long_address.insert(long_address.end(),
                            {2, 2, 0x02, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0});
        CHECK_FALSE(parse(long_address));
        Frame overrunning = options;
        overrunning.insert(overrunning.end(), {14, 3, 1, 2, 3, 4, 5, 6, 2, 1, 0x02, 9, 9, 9, 9, 9});
        CHECK_FALSE(parse(overrunning));
    }
}

TEST_CASE("NAs that hosts would discard claim nothing (RFC 4861 7.1.2)", "[net]") {
    const auto na = net::unsolicited_na_frame(kOtherMac, kVip6);
    CHECK_FALSE(parse(with(na, kIpv6HopLimit, {254})));
    CHECK_FALSE(parse(with(na, kIpv6HopLimit, {1})));
    CHECK_FALSE(parse(with(na, kIcmpType + 1, {1})));       // code
    CHECK_FALSE(parse(with(na, kIcmpType, {135})));         // a solicitation
    CHECK_FALSE(parse(with(na, kNaTarget, {0xff, 0x02})));  // multicast target
    CHECK_FALSE(parse(with(na, kNaFlags, {0x60})));         // Solicited, to ff02::1
    CHECK_FALSE(parse(with(na, 20, {0})));                  // hop-by-hop header first
    CHECK_FALSE(parse(with(na, 14, {0x40})));               // IP version 4
    CHECK_FALSE(parse(with(na_without_option(kOtherMac, kVip6), kIpv6PayloadLength, {0, 16})));
    // Solicited is fine in a reply sent to the asker's unicast address.
    CHECK(parse(with(with(na, kNaFlags, {0x60}), kIpv6Destination, {0xfe, 0x80})) ==
          claim(kVip6, kOtherMac));
    // Override clear: still a binding for hosts that had none.
    CHECK(parse(with(na, kNaFlags, {0x00})) == claim(kVip6, kOtherMac));
}

TEST_CASE("ARP of other hardware or protocol types claims nothing", "[net]") {
    const auto garp = net::gratuitous_arp_frame(kOtherMac, kVip4);
    CHECK_FALSE(parse(with(garp, 14, {0, 6})));             // IEEE 802 hardware
    CHECK_FALSE(parse(with(garp, 16, {0x86, 0xdd})));       // protocol IPv6
    CHECK_FALSE(parse(with(garp, 18, {8})));                // hardware address length
    CHECK_FALSE(parse(with(garp, 19, {16})));               // protocol address length
    CHECK_FALSE(parse(with(garp, kArpOperation, {0, 3})));  // RARP request
    CHECK_FALSE(parse(with(garp, kArpOperation, {0, 0})));
    CHECK_FALSE(parse(with(garp, 12, {0x80, 0x35})));  // RARP EtherType
    CHECK_FALSE(parse(with(garp, 12, {0x08, 0x00})));  // IPv4 EtherType
    CHECK_FALSE(parse(with(garp, 12, {0x00, 0x2a})));  // 802.3 length field
    // A group MAC owns no address.
    CHECK_FALSE(parse(net::gratuitous_arp_frame({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kVip4)));
    CHECK_FALSE(parse(na_without_option({0x33, 0x33, 0, 0, 0, 1}, kVip6)));
}

TEST_CASE("VLAN-tagged frames claim nothing", "[net]") {
    const auto garp = net::gratuitous_arp_frame(kOtherMac, kVip4);
    const auto na = net::unsolicited_na_frame(kOtherMac, kVip6);
    CHECK_FALSE(parse(tagged(garp)));
    CHECK_FALSE(parse(tagged(na)));
    CHECK_FALSE(parse(tagged(garp, 0x88, 0xa8)));
    CHECK_FALSE(parse(tagged(tagged(na), 0x88, 0xa8)));
}

TEST_CASE("Ethernet padding after the packet is ignored", "[net]") {
    auto garp = net::gratuitous_arp_frame(kOtherMac, kVip4);
    garp.resize(60, 0);  // the Ethernet minimum, as NICs pad ARP on the wire
    CHECK(parse(garp) == claim(kVip4, kOtherMac));
    auto na = net::unsolicited_na_frame(kOtherMac, kVip6);
    na.resize(na.size() + 10, 0xa5);
    CHECK(parse(na) == claim(kVip6, kOtherMac));
}

TEST_CASE("no prefix of a claim reads past its end or claims from part of a packet", "[net]") {
    auto padded = net::gratuitous_arp_frame(kOtherMac, kVip4);
    padded.resize(60, 0);
    check_prefixes(padded, 42);
    check_prefixes(arp(2, kOtherMac, kVip4, boost::asio::ip::make_address_v4("192.0.2.7")), 42);
    check_prefixes(frame_of(fixtures::kUnsolicitedNeighbourAdvertFrame), 86);
    check_prefixes(na_without_option(kOtherMac, kVip6), 78);
}

TEST_CASE("empty and garbage frames claim nothing", "[net]") {
    CHECK_FALSE(parse({}));
    CHECK_FALSE(parse(Frame(14, 0)));
    CHECK_FALSE(parse(Frame(1500, 0xff)));
    CHECK_FALSE(parse(with(Frame(100, 0), 12, {0x86, 0xdd, 0x60})));
    // An IPv6 payload length past the frame's end.
    CHECK_FALSE(
        parse(with(net::unsolicited_na_frame(kOtherMac, kVip6), kIpv6PayloadLength, {0xff, 0xff})));
}
