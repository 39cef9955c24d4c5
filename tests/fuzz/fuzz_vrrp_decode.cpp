// Feeds arbitrary bytes to the IPv4 datagram parser and to the VRRP decoder (IPv4 and IPv6), and
// drives a state machine with whatever decodes: nothing may crash, hang or trip a sanitizer, and a
// decoded advertisement must re-encode to bytes that decode to the same advertisement.

#include <cstdint>
#include <cstdlib>
#include <span>

#include "keepalived_swarm/vrrp/instance.hpp"
#include "keepalived_swarm/vrrp/packet.hpp"

using namespace ks::vrrp;

namespace {

void check_round_trip(const Advertisement& advert, const PacketAddresses& ip) {
    const auto bytes = encode(advert, ip);
    const auto again = decode(bytes, ip);
    if (!again || !(*again == advert)) std::abort();
}

void drive_engine(const ReceivedAdvertisement& received, std::uint8_t selector) {
    InstanceConfig config;
    config.version = received.advert.version;
    config.vrid = received.advert.vrid;
    config.priority = static_cast<std::uint8_t>(selector | 1);
    config.preempt = (selector & 2) != 0;
    config.primary_address = received.source.is_v4()
                                 ? IpAddress(boost::asio::ip::make_address_v4("192.0.2.1"))
                                 : IpAddress(boost::asio::ip::make_address_v6("fe80::1"));
    config.virtual_addresses = received.advert.addresses;
    Instance instance(config);
    TimePoint now{};
    instance.start(now);
    instance.receive(now, received);
    if (auto deadline = instance.next_deadline()) instance.expire(*deadline);
    instance.receive(now + std::chrono::seconds(1), received);
    // The peer filter and the address events see the same untrusted source and addresses.
    instance.set_peers(now, {received.source});
    instance.receive(now + std::chrono::seconds(2), received);
    for (const auto& address : received.advert.addresses) {
        instance.address_removed(now, address);
        instance.address_claimed(now, address, MacAddress{});
    }
    instance.set_tracker(now, "tether", Tracker{false, std::nullopt, "fuzz"});
    instance.stop(now);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);

    if (auto datagram = parse_ipv4_datagram(input)) {
        const PacketAddresses ip{datagram->source, datagram->destination};
        if (auto advert = decode(datagram->payload, ip)) {
            check_round_trip(*advert, ip);
            drive_engine({datagram->source, datagram->ttl, *advert}, size > 0 ? data[0] : 0);
        }
    }

    const PacketAddresses v4{boost::asio::ip::make_address_v4("10.99.0.1"),
                             boost::asio::ip::make_address_v4("224.0.0.18")};
    if (auto advert = decode(input, v4)) check_round_trip(*advert, v4);

    const PacketAddresses v6{boost::asio::ip::make_address_v6("fe80::1"),
                             boost::asio::ip::make_address_v6("ff02::12")};
    if (auto advert = decode(input, v6)) {
        check_round_trip(*advert, v6);
        drive_engine({v6.source, kRequiredTtl, *advert}, size > 1 ? data[1] : 0);
    }
    return 0;
}
