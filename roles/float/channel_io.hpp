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
#include <map>
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

/// The raw VRRP socket of one link, shared by every channel on it. The kernel hands each VRRP
/// packet to every protocol-112 socket of the link, a copy for each, so one socket per instance
/// made a spread float pay for each advert once per instance; here it is read once and handed to
/// the channel of its VRID. A kernel filter keeps other virtual routers' adverts out.
class LinkSocket : public std::enable_shared_from_this<LinkSocket> {
public:
    /// Opens the socket (needs CAP_NET_RAW) for the channels of VRIDs `vrids`.
    static boost::system::result<std::shared_ptr<LinkSocket>> open(
        const boost::asio::any_io_executor& executor, const net::Link& link,
        const net::IpAddress& source, bool join_multicast, net::VridRange vrids);

    /// Hands the packets of `vrid` (and every receive error) to `handler` until unsubscribe();
    /// the first subscriber starts the receive loop.
    void subscribe(std::uint8_t vrid, ChannelIo::PacketHandler handler);
    /// Releases `vrid`'s handler; after the last one the socket closes.
    void unsubscribe(std::uint8_t vrid);
    boost::system::error_code send(std::span<const std::uint8_t> message,
                                   const net::IpAddress& destination);

private:
    LinkSocket(boost::asio::any_io_executor executor, net::VrrpSocket socket);
    boost::asio::awaitable<void> receive_loop();

    boost::asio::any_io_executor executor_;
    net::VrrpSocket socket_;
    std::map<std::uint8_t, ChannelIo::PacketHandler> handlers_;
    bool receiving_ = false;
    bool closed_ = false;
};

/// The real link for one channel: the link's shared VRRP socket, rtnetlink and a packet socket
/// for announcements.
class LinkIo final : public ChannelIo {
public:
    /// Opens the announcement socket (needs CAP_NET_RAW); the error says which failed. The
    /// channel of `vrid` receives its adverts through `socket`.
    static boost::system::result<std::unique_ptr<LinkIo>> open(std::shared_ptr<LinkSocket> socket,
                                                               const net::Link& link,
                                                               std::uint8_t vrid,
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
    LinkIo(std::shared_ptr<LinkSocket> socket, int interface_index, std::uint8_t vrid,
           net::Announcer announcer, net::RouteNetlink& netlink);

    std::shared_ptr<LinkSocket> socket_;
    int interface_index_;
    std::uint8_t vrid_;
    net::Announcer announcer_;
    net::RouteNetlink& netlink_;
    bool closed_ = false;
};

}  // namespace ks::roles::float_role
