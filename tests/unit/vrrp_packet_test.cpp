// The VRRP codec against real keepalived packets, and one test per way a packet can be refused.

#include <catch2/catch.hpp>
#include <span>
#include <vector>

#include "keepalived_swarm/vrrp/packet.hpp"
#include "tests/fixtures/vrrp_samples.hpp"

namespace Catch {
/// Byte strings print as hex, so a failed comparison shows where the bytes differ.
template <>
struct StringMaker<std::vector<std::uint8_t>> {
    static std::string convert(const std::vector<std::uint8_t>& bytes) {
        std::string text;
        for (const auto byte : bytes) {
            constexpr const char* kDigits = "0123456789abcdef";
            text += kDigits[byte >> 4];
            text += kDigits[byte & 0x0F];
        }
        return text;
    }
};
}  // namespace Catch

using namespace ks::vrrp;
using boost::asio::ip::make_address;

namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kIpv4HeaderSize = 20;
constexpr std::size_t kChecksumOffset = 6;

Bytes bytes_of(std::span<const std::uint8_t> data) {
    return {data.begin(), data.end()};
}

boost::system::error_code error_of(const boost::system::result<Advertisement>& decoded) {
    return decoded ? boost::system::error_code{} : decoded.error();
}

boost::system::error_code error_of(const boost::system::result<Ipv4Datagram>& parsed) {
    return parsed ? boost::system::error_code{} : parsed.error();
}

/// The pseudo-header of RFC 5798 5.2.8, built byte by byte independently of the codec.
Bytes pseudo_header(const PacketAddresses& ip, std::size_t length) {
    Bytes header;
    const auto append = [&header](const auto& array) {
        header.insert(header.end(), array.begin(), array.end());
    };
    if (ip.source.is_v4()) {
        append(ip.source.to_v4().to_bytes());
        append(ip.destination.to_v4().to_bytes());
        append(std::array<std::uint8_t, 4>{0, kIpProtocol, static_cast<std::uint8_t>(length >> 8),
                                           static_cast<std::uint8_t>(length & 0xFF)});
    } else {
        append(ip.source.to_v6().to_bytes());
        append(ip.destination.to_v6().to_bytes());
        append(std::array<std::uint8_t, 8>{0, 0, static_cast<std::uint8_t>(length >> 8),
                                           static_cast<std::uint8_t>(length & 0xFF), 0, 0, 0,
                                           kIpProtocol});
    }
    return header;
}

enum class Seal { message_only, with_pseudo_header };

/// Recomputes the checksum of an edited message, so that only the edit makes it wrong.
void reseal(Bytes& message, const PacketAddresses& ip, Seal seal) {
    message[kChecksumOffset] = 0;
    message[kChecksumOffset + 1] = 0;
    Bytes covered = seal == Seal::with_pseudo_header ? pseudo_header(ip, message.size()) : Bytes{};
    covered.insert(covered.end(), message.begin(), message.end());
    const auto checksum = internet_checksum(covered);
    message[kChecksumOffset] = static_cast<std::uint8_t>(checksum >> 8);
    message[kChecksumOffset + 1] = static_cast<std::uint8_t>(checksum & 0xFF);
}

const PacketAddresses kLabMulticastV4{make_address("10.99.0.1"), make_address("224.0.0.18")};
const PacketAddresses kLabUnicastV4{make_address("10.99.0.1"), make_address("10.99.0.2")};
const PacketAddresses kLabMulticastV6{make_address(ks::fixtures::kV3Ipv6Source),
                                      make_address(ks::fixtures::kV3Ipv6Destination)};

Advertisement keepalived_advert(Version version, std::uint8_t priority, Centiseconds interval) {
    return {version, 51, priority, interval, {make_address("10.99.0.100")}};
}

/// A valid VRRPv3 IPv4 message from the multicast sample, ready to be edited.
Bytes v3_message() {
    return bytes_of(std::span(ks::fixtures::kV3MulticastPriority150).subspan(kIpv4HeaderSize));
}

/// A valid VRRPv2 message from the multicast sample, ready to be edited.
Bytes v2_message() {
    return bytes_of(std::span(ks::fixtures::kV2MulticastPriority150).subspan(kIpv4HeaderSize));
}

struct GoldenSample {
    const char* name;
    std::span<const std::uint8_t> datagram;
    PacketAddresses ip;
    Advertisement advert;
};

std::vector<GoldenSample> ipv4_samples() {
    using namespace ks::fixtures;
    return {
        {"v2 multicast priority 150", kV2MulticastPriority150, kLabMulticastV4,
         keepalived_advert(Version::v2, 150, Centiseconds(100))},
        {"v2 multicast priority 0", kV2MulticastPriority0, kLabMulticastV4,
         keepalived_advert(Version::v2, 0, Centiseconds(100))},
        {"v2 unicast priority 150", kV2UnicastPriority150, kLabUnicastV4,
         keepalived_advert(Version::v2, 150, Centiseconds(100))},
        {"v3 multicast priority 150", kV3MulticastPriority150, kLabMulticastV4,
         keepalived_advert(Version::v3, 150, Centiseconds(10))},
        {"v3 multicast priority 0", kV3MulticastPriority0, kLabMulticastV4,
         keepalived_advert(Version::v3, 0, Centiseconds(10))},
        {"v3 unicast priority 150", kV3UnicastPriority150, kLabUnicastV4,
         keepalived_advert(Version::v3, 150, Centiseconds(100))},
    };
}

}  // namespace

TEST_CASE("keepalived's IPv4 datagrams parse to their TTL, addresses and VRRP payload",
          "[vrrp][packet]") {
    for (const auto& sample : ipv4_samples()) {
        INFO(sample.name);
        const auto parsed = parse_ipv4_datagram(sample.datagram);
        REQUIRE(parsed.has_value());
        CHECK(parsed->ttl == kRequiredTtl);
        CHECK(parsed->source == sample.ip.source);
        CHECK(parsed->destination == sample.ip.destination);
        CHECK(parsed->payload.data() == sample.datagram.data() + kIpv4HeaderSize);
        CHECK(parsed->payload.size() == sample.datagram.size() - kIpv4HeaderSize);
    }
}

TEST_CASE(
    "RFC 5798 5.2 / RFC 3768 5.3: keepalived's IPv4 adverts decode field by field and "
    "encode back to the same bytes",
    "[vrrp][packet]") {
    for (const auto& sample : ipv4_samples()) {
        INFO(sample.name);
        const auto message = sample.datagram.subspan(kIpv4HeaderSize);
        const auto decoded = decode(message, sample.ip);
        REQUIRE(decoded.has_value());
        CHECK(decoded->version == sample.advert.version);
        CHECK(decoded->vrid == 51);
        CHECK(decoded->priority == sample.advert.priority);
        CHECK(decoded->interval == sample.advert.interval);
        CHECK(decoded->addresses == sample.advert.addresses);
        CHECK(encode(sample.advert, sample.ip) == bytes_of(message));
    }
}

TEST_CASE(
    "RFC 5798 5.2: keepalived's IPv6 advert decodes field by field and encodes back to "
    "the same bytes",
    "[vrrp][packet]") {
    const auto& message = ks::fixtures::kV3Ipv6Priority150;
    const auto decoded = decode(message, kLabMulticastV6);
    REQUIRE(decoded.has_value());
    const Advertisement expected{
        Version::v3, 52, 150, Centiseconds(100), {make_address("fd00:98::100")}};
    CHECK(*decoded == expected);
    CHECK(encode(expected, kLabMulticastV6) == bytes_of(message));
    // IPv6 has a single checksum form: the request for the message-only one is ignored.
    CHECK(encode(expected, kLabMulticastV6, ChecksumForm::message_only) == bytes_of(message));
}

TEST_CASE(
    "RFC 5798 5.2.8: a VRRPv3 IPv4 checksum covers the pseudo-header, so it depends on the "
    "destination",
    "[vrrp][packet]") {
    const auto unicast =
        bytes_of(std::span(ks::fixtures::kV3UnicastPriority150).subspan(kIpv4HeaderSize));
    const auto fields = keepalived_advert(Version::v3, 150, Centiseconds(100));
    CHECK(encode(fields, kLabMulticastV4) != unicast);
    CHECK(error_of(decode(unicast, kLabMulticastV4)) == DecodeError::bad_checksum);
    CHECK(error_of(decode(unicast, kLabUnicastV4)) == boost::system::error_code{});
}

TEST_CASE("RFC 3768 5.3.8: a VRRPv2 checksum covers the message only", "[vrrp][packet]") {
    // The multicast and unicast samples carry the same message, and either destination decodes it.
    const auto multicast = v2_message();
    CHECK(multicast ==
          bytes_of(std::span(ks::fixtures::kV2UnicastPriority150).subspan(kIpv4HeaderSize)));
    CHECK(decode(multicast, kLabUnicastV4).has_value());
    CHECK(internet_checksum(multicast) == 0);
}

TEST_CASE("RFC 9568 5.2.8: a VRRPv3 IPv4 advert with the message-only checksum is accepted",
          "[vrrp][packet]") {
    const auto fields = keepalived_advert(Version::v3, 150, Centiseconds(10));
    const auto message_only = encode(fields, kLabMulticastV4, ChecksumForm::message_only);
    CHECK(internet_checksum(message_only) == 0);
    CHECK(message_only != v3_message());
    const auto decoded = decode(message_only, kLabMulticastV4);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == fields);
}

TEST_CASE("RFC 5798 5.2.8: a VRRPv3 IPv6 advert with the message-only checksum is refused",
          "[vrrp][packet]") {
    auto message = bytes_of(ks::fixtures::kV3Ipv6Priority150);
    reseal(message, kLabMulticastV6, Seal::message_only);
    CHECK(internet_checksum(message) == 0);
    CHECK(error_of(decode(message, kLabMulticastV6)) == DecodeError::bad_checksum);
}

TEST_CASE("internet_checksum is the RFC 1071 sum, odd lengths padded with a zero byte",
          "[vrrp][packet]") {
    // The worked example of RFC 1071 4.1: the words sum to 0xddf2.
    const Bytes example{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(internet_checksum(example) == 0x220d);
    CHECK(internet_checksum(Bytes{0x01}) == 0xfeff);
    CHECK(internet_checksum(Bytes{0xff, 0xff, 0x00, 0x01}) == 0xfffe);  // end-around carry
    CHECK(internet_checksum(Bytes{0xff, 0xff, 0xff, 0xff, 0x00, 0x01}) == 0xfffe);  // carry twice
    CHECK(internet_checksum(Bytes{}) == 0xffff);
}

TEST_CASE("several addresses of each family survive encode and decode", "[vrrp][packet]") {
    const Advertisement v4{
        Version::v3,
        7,
        200,
        Centiseconds(4095),
        {make_address("10.0.0.3"), make_address("10.0.0.1"), make_address("192.0.2.250")}};
    const auto v4_bytes = encode(v4, kLabMulticastV4);
    CHECK(v4_bytes.size() == 8 + 3 * 4);
    CHECK(decode(v4_bytes, kLabMulticastV4).value() == v4);

    const Advertisement v6{Version::v3,
                           255,
                           1,
                           Centiseconds(1),
                           {make_address("fd00::1"), make_address("2001:db8::ffff")}};
    const auto v6_bytes = encode(v6, kLabMulticastV6);
    CHECK(v6_bytes.size() == 8 + 2 * 16);
    CHECK(decode(v6_bytes, kLabMulticastV6).value() == v6);

    const Advertisement v2{Version::v2,
                           9,
                           255,
                           std::chrono::seconds(255),
                           {make_address("10.0.0.1"), make_address("10.0.0.2")}};
    const auto v2_bytes = encode(v2, kLabUnicastV4);
    CHECK(v2_bytes.size() == 8 + 2 * 4 + 8);
    CHECK(decode(v2_bytes, kLabUnicastV4).value() == v2);
}

TEST_CASE("DecodeError::truncated: a message shorter than the 8-byte fixed header",
          "[vrrp][packet]") {
    const auto message = v3_message();
    CHECK(error_of(decode(std::span(message).first(7), kLabMulticastV4)) == DecodeError::truncated);
    CHECK(error_of(decode(std::span(message).first(0), kLabMulticastV4)) == DecodeError::truncated);
}

TEST_CASE("DecodeError::bad_version: versions other than 2 and 3", "[vrrp][packet]") {
    for (const int version : {0, 1, 4, 15}) {
        INFO("version " << version);
        auto message = v3_message();
        message[0] = static_cast<std::uint8_t>(version << 4 | 1);
        reseal(message, kLabMulticastV4, Seal::with_pseudo_header);
        CHECK(error_of(decode(message, kLabMulticastV4)) == DecodeError::bad_version);
    }
}

TEST_CASE("RFC 3768 1: DecodeError::bad_version for VRRPv2 over IPv6 (VRRPv2 is IPv4 only)",
          "[vrrp][packet]") {
    // A well-formed v2 message carrying one IPv6 address: refused for the version alone.
    Bytes message{0x21, 0x34, 0x96, 0x01, 0x00, 0x01, 0x00, 0x00};
    const auto address = make_address("fd00:98::100").to_v6().to_bytes();
    message.insert(message.end(), address.begin(), address.end());
    message.insert(message.end(), 8, 0);
    reseal(message, kLabMulticastV6, Seal::message_only);
    CHECK(error_of(decode(message, kLabMulticastV6)) == DecodeError::bad_version);
}

TEST_CASE("RFC 5798 5.2.2: DecodeError::bad_type for a type other than ADVERTISEMENT",
          "[vrrp][packet]") {
    for (const int type : {0, 2, 15}) {
        INFO("type " << type);
        auto message = v3_message();
        message[0] = static_cast<std::uint8_t>(0x30 | type);
        reseal(message, kLabMulticastV4, Seal::with_pseudo_header);
        CHECK(error_of(decode(message, kLabMulticastV4)) == DecodeError::bad_type);
    }
}

TEST_CASE("RFC 5798 7.1: DecodeError::bad_checksum for a changed byte or checksum",
          "[vrrp][packet]") {
    auto changed_address = v3_message();
    changed_address[11] ^= 0x01;
    CHECK(error_of(decode(changed_address, kLabMulticastV4)) == DecodeError::bad_checksum);

    auto changed_checksum = v2_message();
    changed_checksum[kChecksumOffset + 1] ^= 0x80;
    CHECK(error_of(decode(changed_checksum, kLabMulticastV4)) == DecodeError::bad_checksum);

    auto ipv6 = bytes_of(ks::fixtures::kV3Ipv6Priority150);
    ipv6[2] = 151;  // priority
    CHECK(error_of(decode(ipv6, kLabMulticastV6)) == DecodeError::bad_checksum);
}

TEST_CASE("RFC 3768 5.3.8: a VRRPv2 checksum with the pseudo-header is refused", "[vrrp][packet]") {
    auto message = v2_message();
    reseal(message, kLabMulticastV4, Seal::with_pseudo_header);
    CHECK(error_of(decode(message, kLabMulticastV4)) == DecodeError::bad_checksum);
}

TEST_CASE(
    "RFC 5798 7.1: DecodeError::address_count_mismatch when Count IPvX Addr promises more "
    "addresses than the message holds",
    "[vrrp][packet]") {
    auto message = v3_message();
    message[3] = 2;
    reseal(message, kLabMulticastV4, Seal::with_pseudo_header);
    CHECK(error_of(decode(message, kLabMulticastV4)) == DecodeError::address_count_mismatch);

    auto v2 = v2_message();
    v2[3] = 2;
    reseal(v2, kLabMulticastV4, Seal::message_only);
    CHECK(error_of(decode(v2, kLabMulticastV4)) == DecodeError::address_count_mismatch);
}

TEST_CASE(
    "RFC 5798 7.1: DecodeError::address_count_mismatch when the message holds more bytes "
    "than Count IPvX Addr announces",
    "[vrrp][packet]") {
    auto message = v3_message();
    message.insert(message.end(), {10, 99, 0, 101});
    reseal(message, kLabMulticastV4, Seal::with_pseudo_header);
    CHECK(error_of(decode(message, kLabMulticastV4)) == DecodeError::address_count_mismatch);

    // An IPv4-sized address list read as IPv6 does not fit either.
    auto ipv6_short = v3_message();
    reseal(ipv6_short, kLabMulticastV6, Seal::with_pseudo_header);
    CHECK(error_of(decode(ipv6_short, kLabMulticastV6)) == DecodeError::address_count_mismatch);
}

TEST_CASE("RFC 5798 5.2.5: DecodeError::address_count_mismatch for a count of zero",
          "[vrrp][packet]") {
    Bytes message{0x31, 0x33, 0x96, 0x00, 0x00, 0x0a, 0x00, 0x00};
    reseal(message, kLabMulticastV4, Seal::with_pseudo_header);
    CHECK(error_of(decode(message, kLabMulticastV4)) == DecodeError::address_count_mismatch);
}

TEST_CASE("RFC 5798 5.2.7: DecodeError::zero_interval for a Max Adver Int of zero",
          "[vrrp][packet]") {
    auto v3 = v3_message();
    v3[4] = 0;
    v3[5] = 0;
    reseal(v3, kLabMulticastV4, Seal::with_pseudo_header);
    CHECK(error_of(decode(v3, kLabMulticastV4)) == DecodeError::zero_interval);

    // Only reserved bits set: the interval itself is still zero.
    v3[4] = 0xF0;
    reseal(v3, kLabMulticastV4, Seal::with_pseudo_header);
    CHECK(error_of(decode(v3, kLabMulticastV4)) == DecodeError::zero_interval);

    auto v2 = v2_message();
    v2[5] = 0;
    reseal(v2, kLabMulticastV4, Seal::message_only);
    CHECK(error_of(decode(v2, kLabMulticastV4)) == DecodeError::zero_interval);
}

TEST_CASE(
    "RFC 3768 5.3.6: DecodeError::unsupported_authentication for a VRRPv2 auth type "
    "other than 0",
    "[vrrp][packet]") {
    for (const int auth_type : {1, 2, 255}) {
        INFO("auth type " << auth_type);
        auto message = v2_message();
        message[4] = static_cast<std::uint8_t>(auth_type);
        reseal(message, kLabMulticastV4, Seal::message_only);
        CHECK(error_of(decode(message, kLabMulticastV4)) ==
              DecodeError::unsupported_authentication);
    }
}

TEST_CASE(
    "RFC 5798 5.2.6: the reserved bits before Max Adver Int are ignored on receipt and "
    "sent as zero",
    "[vrrp][packet]") {
    auto message = v3_message();
    message[4] = 0xF1;  // reserved 0xF, then the interval's high nibble 1: 0x10a = 266 cs
    reseal(message, kLabMulticastV4, Seal::with_pseudo_header);
    const auto decoded = decode(message, kLabMulticastV4);
    REQUIRE(decoded.has_value());
    CHECK(decoded->interval == Centiseconds(266));
    const auto encoded = encode(*decoded, kLabMulticastV4);
    CHECK(encoded[4] == 0x01);
    CHECK(encoded[5] == 0x0a);
}

TEST_CASE("DecodeError values have a category and a message saying what was wrong",
          "[vrrp][packet]") {
    const boost::system::error_code error = DecodeError::bad_checksum;
    CHECK(error.category() == decode_category());
    CHECK(std::string(decode_category().name()) == "vrrp.decode");
    CHECK(error.message().find("checksum") != std::string::npos);
    CHECK(make_error_code(DecodeError::truncated) != make_error_code(DecodeError::bad_type));
}

namespace {

/// A copy of the v3 multicast datagram to edit; `edit` may also resize it.
template <typename Edit>
Bytes edited_datagram(Edit edit) {
    auto datagram = bytes_of(ks::fixtures::kV3MulticastPriority150);
    edit(datagram);
    return datagram;
}

}  // namespace

TEST_CASE("parse_ipv4_datagram reports the TTL the packet arrived with", "[vrrp][packet]") {
    const auto datagram = edited_datagram([](Bytes& d) { d[8] = 64; });
    const auto parsed = parse_ipv4_datagram(datagram);
    REQUIRE(parsed.has_value());
    CHECK(parsed->ttl == 64);
}

TEST_CASE("parse_ipv4_datagram skips IPv4 options using the header length", "[vrrp][packet]") {
    const auto datagram = edited_datagram([](Bytes& d) {
        d[0] = 0x46;  // IHL 6: one 4-byte option word
        d[3] = static_cast<std::uint8_t>(d[3] + 4);
        d.insert(d.begin() + kIpv4HeaderSize, {0x94, 0x04, 0x00, 0x00});  // Router Alert
    });
    const auto parsed = parse_ipv4_datagram(datagram);
    REQUIRE(parsed.has_value());
    CHECK(parsed->payload.data() == datagram.data() + 24);
    CHECK(bytes_of(parsed->payload) == v3_message());
}

TEST_CASE("parse_ipv4_datagram stops the payload at Total Length (link-layer padding)",
          "[vrrp][packet]") {
    const auto datagram = edited_datagram([](Bytes& d) { d.insert(d.end(), 14, 0); });
    const auto parsed = parse_ipv4_datagram(datagram);
    REQUIRE(parsed.has_value());
    CHECK(bytes_of(parsed->payload) == v3_message());
}

TEST_CASE("parse_ipv4_datagram refuses fragments", "[vrrp][packet]") {
    const auto more_fragments = edited_datagram([](Bytes& d) { d[6] = 0x20; });
    CHECK(error_of(parse_ipv4_datagram(more_fragments)) == DecodeError::bad_ip_header);
    const auto later_fragment = edited_datagram([](Bytes& d) { d[7] = 0x01; });
    CHECK(error_of(parse_ipv4_datagram(later_fragment)) == DecodeError::bad_ip_header);
    const auto high_offset_bits = edited_datagram([](Bytes& d) { d[6] = 0x10; });
    CHECK(error_of(parse_ipv4_datagram(high_offset_bits)) == DecodeError::bad_ip_header);
    // Don't Fragment is not a fragment.
    const auto dont_fragment = edited_datagram([](Bytes& d) { d[6] = 0x40; });
    CHECK(parse_ipv4_datagram(dont_fragment).has_value());
}

TEST_CASE("parse_ipv4_datagram refuses protocols other than 112", "[vrrp][packet]") {
    for (const int protocol : {0, 1, 17, 111, 113}) {
        INFO("protocol " << protocol);
        const auto datagram =
            edited_datagram([protocol](Bytes& d) { d[9] = static_cast<std::uint8_t>(protocol); });
        CHECK(error_of(parse_ipv4_datagram(datagram)) == DecodeError::bad_ip_header);
    }
}

TEST_CASE("parse_ipv4_datagram refuses a Total Length larger than the bytes received",
          "[vrrp][packet]") {
    const auto one_more = edited_datagram([](Bytes& d) { d[3] = static_cast<std::uint8_t>(33); });
    CHECK(error_of(parse_ipv4_datagram(one_more)) == DecodeError::bad_ip_header);
    const auto cut = edited_datagram([](Bytes& d) { d.resize(d.size() - 1); });
    CHECK(error_of(parse_ipv4_datagram(cut)) == DecodeError::bad_ip_header);
}

TEST_CASE("parse_ipv4_datagram refuses malformed headers", "[vrrp][packet]") {
    const auto short_buffer = edited_datagram([](Bytes& d) { d.resize(19); });
    CHECK(error_of(parse_ipv4_datagram(short_buffer)) == DecodeError::truncated);
    const auto ipv6_version = edited_datagram([](Bytes& d) { d[0] = 0x65; });
    CHECK(error_of(parse_ipv4_datagram(ipv6_version)) == DecodeError::bad_ip_header);
    const auto header_too_short = edited_datagram([](Bytes& d) { d[0] = 0x44; });
    CHECK(error_of(parse_ipv4_datagram(header_too_short)) == DecodeError::bad_ip_header);
    const auto header_past_end = edited_datagram([](Bytes& d) { d[0] = 0x4F; });
    CHECK(error_of(parse_ipv4_datagram(header_past_end)) == DecodeError::bad_ip_header);
    const auto total_inside_header = edited_datagram([](Bytes& d) { d[3] = 19; });
    CHECK(error_of(parse_ipv4_datagram(total_inside_header)) == DecodeError::bad_ip_header);
}

TEST_CASE("decode refuses packet addresses of two families instead of throwing", "[vrrp][packet]") {
    const std::vector<std::uint8_t> message = {0x31, 0x33, 0x96, 0x01, 0x00, 0x0a,
                                               0x43, 0x07, 0x0a, 0x63, 0x00, 0x64};
    const PacketAddresses mixed{boost::asio::ip::make_address("10.99.0.1"),
                                boost::asio::ip::make_address("ff02::12")};
    CHECK(error_of(decode(message, mixed)) == DecodeError::bad_ip_header);
}

TEST_CASE("advert_packet_size is the size encode gives plus the IP header", "[vrrp][packet]") {
    for (const std::size_t count : {std::size_t{1}, std::size_t{255}}) {
        INFO(count);
        Advertisement advert;
        advert.version = Version::v3;
        advert.vrid = 1;
        advert.priority = 100;
        advert.interval = Centiseconds{100};
        for (std::size_t i = 0; i < count; ++i) {
            advert.addresses.push_back(
                boost::asio::ip::make_address_v6("fd00::" + std::to_string(i + 1)));
        }
        const PacketAddresses ip{boost::asio::ip::make_address("fe80::1"),
                                 boost::asio::ip::make_address("ff02::12")};
        CHECK(advert_packet_size(Version::v3, Family::ipv6, count) ==
              40 + encode(advert, ip).size());
    }
    // The largest valid advert, 255 IPv6 addresses, is what the receive buffer must hold.
    CHECK(advert_packet_size(Version::v3, Family::ipv6, 255) == 4128);
    CHECK(advert_packet_size(Version::v2, Family::ipv4, 1) == 20 + 8 + 4 + 8);
    CHECK(advert_packet_size(Version::v3, Family::ipv4, 255) == 20 + 8 + 1020);
}
