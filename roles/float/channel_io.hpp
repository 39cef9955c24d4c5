#pragma once
// What a VRRP channel does to the outside world, behind one interface: the raw VRRP socket, the
// interface's addresses, the announcer and the neighbour table of one link. The real one is
// LinkIo; tests give the channel a recording stand-in, so the executor is unit-tested without
// privileges.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "keepalived_swarm/net/announce.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"
#include "keepalived_swarm/net/netlink.hpp"
#include "keepalived_swarm/net/vrrp_socket.hpp"

namespace ks::roles::float_role {

class ChannelIo {
public:
    using PacketHandler = std::function<void(boost::system::result<net::ReceivedPacket>)>;

    virtual ~ChannelIo() = default;
    /// Hands every received packet (or receive error) to `handler` until close(). The handler
    /// is kept until then, so what it captures lives as long as packets may arrive.
    virtual void start_receiving(PacketHandler handler) = 0;
    /// Stops receiving (the handler is released once the pending receive ends) and sending.
    virtual void close() = 0;
    virtual boost::system::error_code send(std::span<const std::uint8_t> message,
                                           const net::IpAddress& destination) = 0;
    virtual boost::system::error_code add_address(const net::IpPrefix& vip) = 0;
    virtual boost::system::error_code remove_address(const net::IpPrefix& vip) = 0;
    virtual boost::system::error_code announce(const net::IpAddress& vip) = 0;
    virtual boost::system::error_code forget_neighbour(const net::IpAddress& address) = 0;
};

/// The real link: a raw protocol-112 socket, rtnetlink and a packet socket for announcements.
class LinkIo final : public ChannelIo {
public:
    /// Opens the sockets (needs CAP_NET_RAW); the error says which failed. The VRRP socket
    /// receives only adverts of `vrid`: the kernel drops the other instances' on the link.
    static boost::system::result<std::unique_ptr<LinkIo>> open(
        const boost::asio::any_io_executor& executor, const net::Link& link,
        const net::IpAddress& source, bool join_multicast, std::uint8_t vrid,
        net::RouteNetlink& netlink);

    void start_receiving(PacketHandler handler) override;
    void close() override;
    boost::system::error_code send(std::span<const std::uint8_t> message,
                                   const net::IpAddress& destination) override;
    boost::system::error_code add_address(const net::IpPrefix& vip) override;
    boost::system::error_code remove_address(const net::IpPrefix& vip) override;
    boost::system::error_code announce(const net::IpAddress& vip) override;
    boost::system::error_code forget_neighbour(const net::IpAddress& address) override;

private:
    LinkIo(boost::asio::any_io_executor executor, int interface_index, net::VrrpSocket socket,
           net::Announcer announcer, net::RouteNetlink& netlink);
    boost::asio::awaitable<void> receive_loop(PacketHandler handler);

    boost::asio::any_io_executor executor_;
    int interface_index_;
    net::VrrpSocket socket_;
    net::Announcer announcer_;
    net::RouteNetlink& netlink_;
    bool closed_ = false;
};

}  // namespace ks::roles::float_role
