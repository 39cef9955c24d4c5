#include <catch2/catch.hpp>

#include "keepalived_swarm/net/announce.hpp"
#include "tests/fixtures/announce_samples.hpp"

using namespace ks;

TEST_CASE("gratuitous ARP is byte for byte what keepalived sends", "[net]") {
    const net::MacAddress mac = {0x0e, 0x61, 0x85, 0xac, 0x92, 0x6d};
    const auto frame =
        net::gratuitous_arp_frame(mac, boost::asio::ip::make_address_v4("10.98.0.100"));
    CHECK(std::vector<std::uint8_t>(fixtures::kGratuitousArpFrame.begin(),
                                    fixtures::kGratuitousArpFrame.end()) == frame);
}

TEST_CASE("unsolicited NA is byte for byte what keepalived sends, checksum included", "[net]") {
    const net::MacAddress mac = {0xfa, 0x47, 0xc2, 0x16, 0xfb, 0x58};
    const auto frame =
        net::unsolicited_na_frame(mac, boost::asio::ip::make_address_v6("fd00:98::100"));
    CHECK(std::vector<std::uint8_t>(fixtures::kUnsolicitedNeighbourAdvertFrame.begin(),
                                    fixtures::kUnsolicitedNeighbourAdvertFrame.end()) == frame);
}

TEST_CASE("announcement frames carry the given address and MAC", "[net]") {
    const net::MacAddress mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    const auto arp = net::gratuitous_arp_frame(mac, boost::asio::ip::make_address_v4("192.0.2.7"));
    CHECK(std::equal(mac.begin(), mac.end(), arp.begin() + 6));   // Ethernet source
    CHECK(std::equal(mac.begin(), mac.end(), arp.begin() + 22));  // sender hardware address
    CHECK(arp[28] == 192);
    CHECK(arp[41] == 7);
    const auto na = net::unsolicited_na_frame(mac, boost::asio::ip::make_address_v6("2001:db8::7"));
    CHECK(na[85] == 0x55);  // target link-layer option ends with the MAC
    CHECK(na[37] == 0x07);  // IPv6 source is the VIP
}
