#pragma once
// Hears the address claims (ARP, neighbour advertisements) other hosts make on one interface,
// so a master can notice another host answering for one of its VIPs.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "keepalived_swarm/net/address_claim.hpp"
#include "keepalived_swarm/net/netlink.hpp"

namespace ks::net {

/// A packet socket on one interface receiving ARP and neighbour advertisements (needs
/// CAP_NET_RAW, like the Announcer). Frames this host sends, frames from its own MAC and claims
/// naming its own MAC are not another host's claims and never come out of receive().
class AddressClaimWatcher {
public:
    static boost::system::result<AddressClaimWatcher> open(
        const boost::asio::any_io_executor& executor, int interface_index,
        const MacAddress& own_mac);

    /// Waits for the next claim another host makes; frames that claim nothing are skipped.
    /// When the interface goes down it ends once with ENETDOWN; the socket stays bound, and the
    /// next receive hears claims again once the interface is back up.
    boost::asio::awaitable<boost::system::result<AddressClaim>> receive();
    /// Cancels a pending receive (it ends with operation_aborted) and closes the socket.
    void close();

private:
    AddressClaimWatcher(boost::asio::posix::stream_descriptor descriptor, const MacAddress& own_mac)
        : descriptor_(std::move(descriptor)), own_mac_(own_mac) {}
    /// Reads one frame without blocking: its claim, nullopt when it is none of another host's.
    boost::system::result<std::optional<AddressClaim>> read_one();

    boost::asio::posix::stream_descriptor descriptor_;
    MacAddress own_mac_{};
    /// Claims fit in far less; a longer frame comes truncated and parses to nothing.
    std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(2048);
};

}  // namespace ks::net
