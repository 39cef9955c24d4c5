// Feeds arbitrary bytes to the address claim parser as a whole Ethernet frame: nothing may crash,
// hang or trip a sanitizer, and whatever it claims must agree with the bytes it came from.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "keepalived_swarm/net/address_claim.hpp"

using ks::net::AddressClaim;
using ks::net::parse_address_claim;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

bool bytes_at(std::span<const std::uint8_t> frame, std::size_t offset, const auto& expected) {
    return offset + expected.size() <= frame.size() &&
           std::equal(expected.begin(), expected.end(), frame.begin() + offset);
}

void check_claim(std::span<const std::uint8_t> frame, const AddressClaim& claim) {
    check((claim.mac[0] & 0x01) == 0);  // never a group MAC
    const unsigned ether_type = (frame[12] << 8) | frame[13];
    if (claim.address.is_v4()) {
        // ARP: the sender's hardware and protocol addresses, never 0.0.0.0.
        check(ether_type == 0x0806);
        check(bytes_at(frame, 22, claim.mac));
        check(bytes_at(frame, 28, claim.address.to_v4().to_bytes()));
        check(!claim.address.is_unspecified());
    } else {
        // NA: the target, the MAC from an option or the Ethernet source.
        check(ether_type == 0x86DD);
        check(frame[14 + 7] == 255);
        check(frame[14 + 40] == 136);
        check(bytes_at(frame, 14 + 40 + 8, claim.address.to_v6().to_bytes()));
        check(!claim.address.is_multicast());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> frame(data, size);
    const auto claim = parse_address_claim(frame);
    if (!claim) return 0;
    check_claim(frame, *claim);
    // Bytes after the packet are Ethernet padding: they never change the claim.
    std::vector<std::uint8_t> padded(frame.begin(), frame.end());
    padded.resize(size + 18, 0xA5);
    check(parse_address_claim(padded) == claim);
    return 0;
}
