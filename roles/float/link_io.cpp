#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "roles/float/channel_io.hpp"

namespace ks::roles::float_role {

boost::system::result<std::shared_ptr<LinkSocket>> LinkSocket::open(
    const boost::asio::any_io_executor& executor, const net::Link& link,
    const net::IpAddress& source, bool join_multicast, net::VridRange vrids) {
    auto socket =
        net::VrrpSocket::open(executor, {link.index, link.name, source, join_multicast, vrids});
    if (!socket) return socket.error();
    return std::shared_ptr<LinkSocket>(new LinkSocket(executor, std::move(*socket)));
}

LinkSocket::LinkSocket(boost::asio::any_io_executor executor, net::VrrpSocket socket)
    : executor_(std::move(executor)), socket_(std::move(socket)) {}

void LinkSocket::subscribe(std::uint8_t vrid, ChannelIo::PacketHandler handler) {
    if (closed_) return;
    handlers_[vrid] = std::move(handler);
    if (receiving_) return;
    receiving_ = true;
    boost::asio::co_spawn(executor_, receive_loop(), boost::asio::detached);
}

void LinkSocket::unsubscribe(std::uint8_t vrid) {
    handlers_.erase(vrid);
    if (!handlers_.empty() || closed_) return;
    closed_ = true;
    socket_.close();
}

boost::system::error_code LinkSocket::send(std::span<const std::uint8_t> message,
                                           const net::IpAddress& destination) {
    if (closed_) return boost::asio::error::bad_descriptor;
    return socket_.send(message, destination);
}

boost::asio::awaitable<void> LinkSocket::receive_loop() {
    // Keeps the socket alive while the loop runs; after the last unsubscribe() the pending
    // receive ends with operation_aborted and nothing here is touched again. A handler is copied
    // before it runs: the channel it serves may unsubscribe from inside it.
    const auto self = shared_from_this();
    while (!closed_) {
        auto packet = co_await socket_.receive();
        if (closed_) break;
        if (!packet && (packet.error() == boost::asio::error::operation_aborted ||
                        packet.error() == boost::asio::error::bad_descriptor)) {
            break;
        }
        if (!packet || packet->message.size() < 2) {
            // Nobody's in particular: every channel counts it, as with a socket of its own.
            std::vector<ChannelIo::PacketHandler> everyone;
            for (const auto& [vrid, handler] : handlers_) everyone.push_back(handler);
            for (const auto& handler : everyone) handler(packet);
            continue;
        }
        const auto found = handlers_.find(packet->message[1]);
        if (found == handlers_.end()) continue;  // a VRID in the filter's range nobody serves
        const auto handler = found->second;
        handler(std::move(packet));
    }
}

boost::system::result<std::unique_ptr<LinkIo>> LinkIo::open(std::shared_ptr<LinkSocket> socket,
                                                            const net::Link& link,
                                                            std::uint8_t vrid,
                                                            net::RouteNetlink& netlink) {
    auto announcer = net::Announcer::open(link.index, link.mac);
    if (!announcer) return announcer.error();
    return std::unique_ptr<LinkIo>(
        new LinkIo(std::move(socket), link.index, vrid, std::move(*announcer), netlink));
}

LinkIo::LinkIo(std::shared_ptr<LinkSocket> socket, int interface_index, std::uint8_t vrid,
               net::Announcer announcer, net::RouteNetlink& netlink)
    : socket_(std::move(socket)),
      interface_index_(interface_index),
      vrid_(vrid),
      announcer_(std::move(announcer)),
      netlink_(netlink) {}

void LinkIo::start_receiving(PacketHandler handler) {
    socket_->subscribe(vrid_, std::move(handler));
}

void LinkIo::close() {
    if (closed_) return;
    closed_ = true;
    socket_->unsubscribe(vrid_);
}

boost::system::error_code LinkIo::send(std::span<const std::uint8_t> message,
                                       const net::IpAddress& destination) {
    if (closed_) return boost::asio::error::bad_descriptor;
    return socket_->send(message, destination);
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
