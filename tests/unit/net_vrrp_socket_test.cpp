#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "keepalived_swarm/net/vrrp_socket.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"

using namespace ks;

namespace {

/// A datagram socket pair whose receiving end carries the VRID filter. The kernel runs socket
/// filters on unix datagram sockets too, so the program is tested without raw sockets or root.
class FilteredPair {
public:
    /// VRIDs `first`..`last` (just `first` when `last` is 0).
    FilteredPair(bool with_ip_header, std::uint8_t first, std::uint8_t last = 0) {
        REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds_) == 0);
        REQUIRE_FALSE(
            net::attach_vrid_filter(fds_[1], with_ip_header, {first, last == 0 ? first : last}));
    }
    ~FilteredPair() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    FilteredPair(const FilteredPair&) = delete;
    FilteredPair& operator=(const FilteredPair&) = delete;

    /// Sends `bytes` and tells whether they came through (whole).
    bool passes(const std::vector<std::uint8_t>& bytes) {
        REQUIRE(::send(fds_[0], bytes.data(), bytes.size(), 0) ==
                static_cast<ssize_t>(bytes.size()));
        std::vector<std::uint8_t> received(bytes.size() + 16);
        const auto length = ::recv(fds_[1], received.data(), received.size(), MSG_DONTWAIT);
        if (length < 0) return false;
        received.resize(static_cast<std::size_t>(length));
        CHECK(received == bytes);
        return true;
    }

private:
    int fds_[2] = {-1, -1};
};

std::vector<std::uint8_t> advert_v4(std::uint8_t vrid) {
    vrrp::Advertisement advert;
    advert.vrid = vrid;
    advert.priority = 100;
    advert.addresses = {boost::asio::ip::make_address("10.99.0.100")};
    return vrrp::encode(advert, {boost::asio::ip::make_address("10.99.0.1"),
                                 boost::asio::ip::make_address(vrrp::kMulticastV4)});
}

/// The message behind an IPv4 header of `options_words` 32-bit words of options (IHL 5 + that).
std::vector<std::uint8_t> datagram_v4(std::uint8_t vrid, std::uint8_t options_words = 0) {
    const auto message = advert_v4(vrid);
    const std::size_t header = 20 + 4 * std::size_t{options_words};
    std::vector<std::uint8_t> bytes(header, 0);
    bytes[0] = static_cast<std::uint8_t>(0x40 | (5 + options_words));
    bytes[1] = 0xC0;
    const auto total = header + message.size();
    bytes[2] = static_cast<std::uint8_t>(total >> 8);
    bytes[3] = static_cast<std::uint8_t>(total & 0xFF);
    bytes[8] = 255;
    bytes[9] = vrrp::kIpProtocol;
    // Options: Router Alert (RFC 2113) then no-operations. Its second byte, 4, sits at byte 21,
    // where a filter assuming a 20-byte header would look for the VRID.
    if (options_words > 0) {
        bytes[20] = 0x94;
        bytes[21] = 4;
        for (std::size_t i = 24; i < header; ++i) bytes[i] = 1;
    }
    bytes.insert(bytes.end(), message.begin(), message.end());
    return bytes;
}

}  // namespace

TEST_CASE("the IPv4 VRID filter passes its own VRID and drops the others", "[net][socket]") {
    FilteredPair pair(true, 61);
    CHECK(pair.passes(datagram_v4(61)));
    CHECK_FALSE(pair.passes(datagram_v4(62)));
    CHECK_FALSE(pair.passes(datagram_v4(60)));
    CHECK_FALSE(pair.passes(datagram_v4(1)));
    CHECK(pair.passes(datagram_v4(61)));
}

TEST_CASE("the IPv4 VRID filter finds the VRRP message after IP options", "[net][socket]") {
    FilteredPair pair(true, 4);
    CHECK(pair.passes(datagram_v4(4, 1)));
    CHECK(pair.passes(datagram_v4(4, 10)));       // the longest header: IHL 15
    CHECK_FALSE(pair.passes(datagram_v4(5, 1)));  // byte 21 is 4, the VRID 5
    CHECK_FALSE(pair.passes(datagram_v4(5, 10)));
}

TEST_CASE("the IPv6 VRID filter reads the VRID at the message's start", "[net][socket]") {
    // Raw IPv6 sockets deliver no IP header: the VRRP message is all there is.
    FilteredPair pair(false, 200);
    auto message = advert_v4(200);
    CHECK(pair.passes(message));
    message[1] = 201;
    CHECK_FALSE(pair.passes(message));
    message[1] = 200;
    CHECK(pair.passes(message));
}

TEST_CASE("the VRID filter drops packets too short to carry a VRID", "[net][socket]") {
    FilteredPair v4(true, 61);
    auto cut = datagram_v4(61);
    cut.resize(21);  // the header and one byte of the message: no VRID
    CHECK_FALSE(v4.passes(cut));
    FilteredPair v6(false, 61);
    CHECK_FALSE(v6.passes({0x31}));
}

TEST_CASE("the VRID filter passes a range of VRIDs: one socket for a spread float's instances",
          "[net][socket]") {
    FilteredPair v4(true, 60, 62);
    CHECK_FALSE(v4.passes(datagram_v4(59)));
    CHECK(v4.passes(datagram_v4(60)));
    CHECK(v4.passes(datagram_v4(61, 1)));
    CHECK(v4.passes(datagram_v4(62)));
    CHECK_FALSE(v4.passes(datagram_v4(63)));
    FilteredPair v6(false, 1, 255);
    CHECK(v6.passes(advert_v4(1)));
    CHECK(v6.passes(advert_v4(255)));
}
