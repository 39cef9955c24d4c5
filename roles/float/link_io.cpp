#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "roles/float/channel_io.hpp"

namespace ks::roles::float_role {

boost::system::result<std::unique_ptr<LinkIo>> LinkIo::open(
    const boost::asio::any_io_executor& executor, const net::Link& link,
    const net::IpAddress& source, bool join_multicast, std::uint8_t vrid,
    net::RouteNetlink& netlink) {
    auto socket =
        net::VrrpSocket::open(executor, {link.index, link.name, source, join_multicast, vrid});
    if (!socket) return socket.error();
    auto announcer = net::Announcer::open(link.index, link.mac);
    if (!announcer) return announcer.error();
    return std::unique_ptr<LinkIo>(
        new LinkIo(executor, link.index, std::move(*socket), std::move(*announcer), netlink));
}

LinkIo::LinkIo(boost::asio::any_io_executor executor, int interface_index, net::VrrpSocket socket,
               net::Announcer announcer, net::RouteNetlink& netlink)
    : executor_(std::move(executor)),
      interface_index_(interface_index),
      socket_(std::move(socket)),
      announcer_(std::move(announcer)),
      netlink_(netlink) {}

void LinkIo::start_receiving(PacketHandler handler) {
    boost::asio::co_spawn(executor_, receive_loop(std::move(handler)), boost::asio::detached);
}

boost::asio::awaitable<void> LinkIo::receive_loop(PacketHandler handler) {
    // `handler` keeps the channel, and so this object, alive while the loop runs; after close()
    // the pending receive ends with operation_aborted and nothing here is touched again.
    while (!closed_) {
        auto packet = co_await socket_.receive();
        if (closed_) break;
        if (!packet && (packet.error() == boost::asio::error::operation_aborted ||
                        packet.error() == boost::asio::error::bad_descriptor)) {
            break;
        }
        handler(std::move(packet));
    }
}

void LinkIo::close() {
    if (closed_) return;
    closed_ = true;
    socket_.close();
}

boost::system::error_code LinkIo::send(std::span<const std::uint8_t> message,
                                       const net::IpAddress& destination) {
    if (closed_) return boost::asio::error::bad_descriptor;
    return socket_.send(message, destination);
}

boost::system::error_code LinkIo::add_address(const net::IpPrefix& vip) {
    return netlink_.add_address(interface_index_, vip);
}

boost::system::error_code LinkIo::remove_address(const net::IpPrefix& vip) {
    return netlink_.remove_address(interface_index_, vip);
}

boost::system::error_code LinkIo::announce(const net::IpAddress& vip) {
    return announcer_.announce(vip);
}

boost::system::error_code LinkIo::forget_neighbour(const net::IpAddress& address) {
    return netlink_.forget_neighbour(interface_index_, address);
}

}  // namespace ks::roles::float_role
