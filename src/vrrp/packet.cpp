#include "keepalived_swarm/vrrp/packet.hpp"

#include <array>
#include <string>

namespace ks::vrrp {
namespace {

constexpr std::size_t kFixedHeaderSize = 8;
constexpr std::size_t kV2AuthDataSize = 8;  // RFC 3768 5.3.10, present even with no auth
constexpr std::uint8_t kTypeAdvertisement = 1;

class DecodeCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "vrrp.decode"; }
    std::string message(int value) const override {
        switch (static_cast<DecodeError>(value)) {
            case DecodeError::truncated:
                return "VRRP packet shorter than its 8-byte header";
            case DecodeError::bad_version:
                return "VRRP version is not 2 or 3 (or v2 over IPv6)";
            case DecodeError::bad_type:
                return "VRRP type is not ADVERTISEMENT (1)";
            case DecodeError::bad_checksum:
                return "VRRP checksum does not match";
            case DecodeError::address_count_mismatch:
                return "VRRP length does not match its address count";
            case DecodeError::zero_interval:
                return "VRRP advertisement interval is zero";
            case DecodeError::unsupported_authentication:
                return "VRRPv2 authentication type other than 0 (removed by RFC 3768)";
            case DecodeError::bad_ip_header:
                return "IPv4 header malformed or not VRRP";
        }
        return "unknown VRRP decode error";
    }
};

/// Sums 16-bit big-endian words; the caller folds and complements.
std::uint32_t add_words(std::uint32_t sum, std::span<const std::uint8_t> data) {
    std::size_t i = 0;
    for (; i + 1 < data.size(); i += 2) {
        sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
    }
    if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
    return sum;
}

std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

/// RFC 5798 5.2.8: the IPv4 (RFC 768 style) or IPv6 (RFC 8200 8.1) pseudo-header sum.
std::uint32_t pseudo_header_sum(const PacketAddresses& ip, std::size_t length) {
    std::uint32_t sum = 0;
    if (ip.source.is_v4()) {
        sum = add_words(sum, ip.source.to_v4().to_bytes());
        sum = add_words(sum, ip.destination.to_v4().to_bytes());
        sum += kIpProtocol;
        sum += static_cast<std::uint32_t>(length);
    } else {
        sum = add_words(sum, ip.source.to_v6().to_bytes());
        sum = add_words(sum, ip.destination.to_v6().to_bytes());
        sum += static_cast<std::uint32_t>(length >> 16);
        sum += static_cast<std::uint32_t>(length & 0xFFFF);
        sum += kIpProtocol;
    }
    return sum;
}

bool checksum_ok(std::span<const std::uint8_t> message, const PacketAddresses& ip,
                 Version version) {
    const bool message_only_ok = fold(add_words(0, message)) == 0;
    if (version == Version::v2) return message_only_ok;
    const bool pseudo_ok = fold(add_words(pseudo_header_sum(ip, message.size()), message)) == 0;
    if (ip.source.is_v6()) return pseudo_ok;
    return pseudo_ok || message_only_ok;
}

}  // namespace

const boost::system::error_category& decode_category() {
    static const DecodeCategory category;
    return category;
}

boost::system::error_code make_error_code(DecodeError error) {
    return {static_cast<int>(error), decode_category()};
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> data) {
    return fold(add_words(0, data));
}

boost::system::result<Advertisement> decode(std::span<const std::uint8_t> message,
                                            const PacketAddresses& ip) {
    if (message.size() < kFixedHeaderSize) return DecodeError::truncated;
    const auto version_number = message[0] >> 4;
    if (version_number != 2 && version_number != 3) return DecodeError::bad_version;
    const auto version = static_cast<Version>(version_number);
    // A caller mixing families has no pseudo-header to check against: refuse, never throw.
    if (ip.source.is_v4() != ip.destination.is_v4()) return DecodeError::bad_ip_header;
    const bool ipv4 = ip.source.is_v4();
    if (version == Version::v2 && !ipv4) return DecodeError::bad_version;
    if ((message[0] & 0x0F) != kTypeAdvertisement) return DecodeError::bad_type;

    const std::size_t count = message[3];
    const std::size_t address_size = ipv4 ? 4 : 16;
    const std::size_t expected =
        kFixedHeaderSize + count * address_size + (version == Version::v2 ? kV2AuthDataSize : 0);
    if (count == 0 || message.size() != expected) return DecodeError::address_count_mismatch;
    if (!checksum_ok(message, ip, version)) return DecodeError::bad_checksum;

    Advertisement advert;
    advert.version = version;
    advert.vrid = message[1];
    advert.priority = message[2];
    if (version == Version::v3) {
        // The top 4 bits are reserved (RFC 5798 5.2.6): ignored on receipt.
        advert.interval = Centiseconds((message[4] & 0x0F) << 8 | message[5]);
    } else {
        if (message[4] != 0) return DecodeError::unsupported_authentication;
        advert.interval = std::chrono::seconds(message[5]);
    }
    if (advert.interval.count() == 0) return DecodeError::zero_interval;

    advert.addresses.reserve(count);
    auto cursor = message.subspan(kFixedHeaderSize);
    for (std::size_t i = 0; i < count; ++i, cursor = cursor.subspan(address_size)) {
        if (ipv4) {
            boost::asio::ip::address_v4::bytes_type bytes;
            std::copy_n(cursor.begin(), 4, bytes.begin());
            advert.addresses.emplace_back(boost::asio::ip::address_v4(bytes));
        } else {
            boost::asio::ip::address_v6::bytes_type bytes;
            std::copy_n(cursor.begin(), 16, bytes.begin());
            advert.addresses.emplace_back(boost::asio::ip::address_v6(bytes));
        }
    }
    return advert;
}

std::size_t advert_packet_size(Version version, Family family, std::size_t addresses) {
    const bool v4 = family == Family::ipv4;
    const std::size_t ip_header = v4 ? 20 : 40;
    return ip_header + kFixedHeaderSize + addresses * (v4 ? 4 : 16) +
           (version == Version::v2 ? kV2AuthDataSize : 0);
}

std::vector<std::uint8_t> encode(const Advertisement& advert, const PacketAddresses& ip,
                                 ChecksumForm form) {
    std::vector<std::uint8_t> message;
    message.reserve(kFixedHeaderSize + advert.addresses.size() * 16 + kV2AuthDataSize);
    message.push_back(
        static_cast<std::uint8_t>(static_cast<unsigned>(advert.version) << 4 | kTypeAdvertisement));
    message.push_back(advert.vrid);
    message.push_back(advert.priority);
    message.push_back(static_cast<std::uint8_t>(advert.addresses.size()));
    if (advert.version == Version::v3) {
        const auto centiseconds = static_cast<unsigned>(advert.interval.count()) & 0x0FFF;
        message.push_back(static_cast<std::uint8_t>(centiseconds >> 8));
        message.push_back(static_cast<std::uint8_t>(centiseconds & 0xFF));
    } else {
        message.push_back(0);  // Auth Type: no authentication
        message.push_back(static_cast<std::uint8_t>(
            std::chrono::duration_cast<std::chrono::seconds>(advert.interval).count()));
    }
    message.push_back(0);  // checksum, filled below
    message.push_back(0);
    for (const auto& address : advert.addresses) {
        if (address.is_v4()) {
            const auto bytes = address.to_v4().to_bytes();
            message.insert(message.end(), bytes.begin(), bytes.end());
        } else {
            const auto bytes = address.to_v6().to_bytes();
            message.insert(message.end(), bytes.begin(), bytes.end());
        }
    }
    if (advert.version == Version::v2) message.insert(message.end(), kV2AuthDataSize, 0);

    std::uint32_t sum = 0;
    const bool with_pseudo_header =
        advert.version == Version::v3 && (ip.source.is_v6() || form == ChecksumForm::pseudo_header);
    if (with_pseudo_header) sum = pseudo_header_sum(ip, message.size());
    const std::uint16_t checksum = fold(add_words(sum, message));
    message[6] = static_cast<std::uint8_t>(checksum >> 8);
    message[7] = static_cast<std::uint8_t>(checksum & 0xFF);
    return message;
}

boost::system::result<Ipv4Datagram> parse_ipv4_datagram(std::span<const std::uint8_t> datagram) {
    constexpr std::size_t kMinHeader = 20;
    if (datagram.size() < kMinHeader) return DecodeError::truncated;
    if (datagram[0] >> 4 != 4) return DecodeError::bad_ip_header;
    const std::size_t header_length = static_cast<std::size_t>(datagram[0] & 0x0F) * 4;
    const std::size_t total_length = static_cast<std::size_t>(datagram[2] << 8 | datagram[3]);
    if (header_length < kMinHeader || header_length > datagram.size()) {
        return DecodeError::bad_ip_header;
    }
    // Raw sockets hand over whole datagrams; more bytes than Total Length is trailing padding.
    if (total_length < header_length || total_length > datagram.size()) {
        return DecodeError::bad_ip_header;
    }
    const bool more_fragments = (datagram[6] & 0x20) != 0;
    const unsigned fragment_offset = static_cast<unsigned>((datagram[6] & 0x1F) << 8 | datagram[7]);
    if (more_fragments || fragment_offset != 0) return DecodeError::bad_ip_header;
    if (datagram[9] != kIpProtocol) return DecodeError::bad_ip_header;

    Ipv4Datagram result;
    result.ttl = datagram[8];
    boost::asio::ip::address_v4::bytes_type bytes;
    std::copy_n(datagram.begin() + 12, 4, bytes.begin());
    result.source = boost::asio::ip::address_v4(bytes);
    std::copy_n(datagram.begin() + 16, 4, bytes.begin());
    result.destination = boost::asio::ip::address_v4(bytes);
    result.payload = datagram.subspan(header_length, total_length - header_length);
    return result;
}

}  // namespace ks::vrrp
