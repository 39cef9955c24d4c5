#include "keepalived_swarm/net/netlink.hpp"

#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <variant>

#include "keepalived_swarm/net/netlink_reply.hpp"
#include "keepalived_swarm/util/system_error.hpp"

namespace ks::net {
namespace {

using boost::system::error_code;
using boost::system::result;

/// Appends a netlink message piece by piece, fixing up nlmsg_len at the end.
class MessageBuilder {
public:
    MessageBuilder(std::uint16_t type, std::uint16_t flags, std::uint32_t sequence) {
        nlmsghdr header{};
        header.nlmsg_type = type;
        header.nlmsg_flags = flags;
        header.nlmsg_seq = sequence;
        append(&header, sizeof header);
    }
    void append(const void* data, std::size_t size) {
        const auto* bytes = static_cast<const std::uint8_t*>(data);
        buffer_.insert(buffer_.end(), bytes, bytes + size);
        buffer_.resize(NLMSG_ALIGN(buffer_.size()), 0);
    }
    void attribute(std::uint16_t type, const void* data, std::size_t size) {
        rtattr attr{};
        attr.rta_type = type;
        attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
        const auto start = buffer_.size();
        buffer_.resize(start + RTA_SPACE(size), 0);
        std::memcpy(buffer_.data() + start, &attr, sizeof attr);
        std::memcpy(buffer_.data() + start + RTA_LENGTH(0), data, size);
    }
    /// An attribute holding `address` in network byte order (4 or 16 bytes).
    void attribute(std::uint16_t type, const IpAddress& address) {
        if (address.is_v4()) {
            const auto bytes = address.to_v4().to_bytes();
            attribute(type, bytes.data(), bytes.size());
        } else {
            const auto bytes = address.to_v6().to_bytes();
            attribute(type, bytes.data(), bytes.size());
        }
    }
    std::vector<std::uint8_t> finish() {
        auto* header = reinterpret_cast<nlmsghdr*>(buffer_.data());
        header->nlmsg_len = static_cast<std::uint32_t>(buffer_.size());
        return std::move(buffer_);
    }

private:
    std::vector<std::uint8_t> buffer_;
};

std::vector<std::uint8_t> address_message(std::uint16_t type, std::uint16_t flags,
                                          std::uint32_t sequence, int interface_index,
                                          const IpPrefix& prefix) {
    MessageBuilder builder(type, flags, sequence);
    ifaddrmsg payload{};
    const bool v4 = prefix.address.is_v4();
    payload.ifa_family = static_cast<std::uint8_t>(v4 ? AF_INET : AF_INET6);
    payload.ifa_prefixlen = static_cast<std::uint8_t>(prefix.prefix_length);
    payload.ifa_scope = RT_SCOPE_UNIVERSE;
    payload.ifa_index = static_cast<std::uint32_t>(interface_index);
    builder.append(&payload, sizeof payload);
    if (v4) builder.attribute(IFA_LOCAL, prefix.address);
    builder.attribute(IFA_ADDRESS, prefix.address);
    if (!v4) {
        const std::uint32_t address_flags = IFA_F_NODAD;
        builder.attribute(IFA_FLAGS, &address_flags, sizeof address_flags);
    }
    // Kernels before 5.18 ignore the attribute (kernel_keeps_address_protocol says which).
    if (type == RTM_NEWADDR) builder.attribute(kIfaProtocol, &kVipAddressProtocol, 1);
    return builder.finish();
}

std::vector<std::uint8_t> neighbour_message(std::uint16_t type, std::uint16_t flags,
                                            std::uint32_t sequence, int interface_index,
                                            const IpAddress& address) {
    MessageBuilder builder(type, flags, sequence);
    ndmsg payload{};
    payload.ndm_family = static_cast<std::uint8_t>(address.is_v4() ? AF_INET : AF_INET6);
    payload.ndm_ifindex = interface_index;
    builder.append(&payload, sizeof payload);
    builder.attribute(NDA_DST, address);
    return builder.finish();
}

}  // namespace

result<RouteNetlink> RouteNetlink::open() {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return util::last_system_error();
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
        const auto error = util::last_system_error();
        ::close(fd);
        return error;
    }
    // Ask for extended acks so failures carry the kernel's reason where it gives one.
    const int one = 1;
    ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    return RouteNetlink(fd);
}

namespace {
// A dump's datagrams are at most a page or two (the kernel's NLMSG_GOODSIZE); the rest is margin.
constexpr std::size_t kReplyBufferBytes = 64 * 1024;
}  // namespace

RouteNetlink::RouteNetlink(int fd)
    : fd_(fd), reply_buffer_(std::make_unique_for_overwrite<std::uint8_t[]>(kReplyBufferBytes)) {}

RouteNetlink::RouteNetlink(RouteNetlink&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      sequence_(other.sequence_),
      reply_buffer_(std::move(other.reply_buffer_)) {}

RouteNetlink& RouteNetlink::operator=(RouteNetlink&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        sequence_ = other.sequence_;
        reply_buffer_ = std::move(other.reply_buffer_);
    }
    return *this;
}

RouteNetlink::~RouteNetlink() {
    if (fd_ >= 0) ::close(fd_);
}

error_code RouteNetlink::dump(
    std::uint16_t type, const std::function<void(std::span<const std::uint8_t>)>& on_message) {
    MessageBuilder builder(type, NLM_F_REQUEST | NLM_F_DUMP, ++sequence_);
    if (type == RTM_GETLINK) {
        ifinfomsg payload{};
        payload.ifi_family = AF_UNSPEC;
        builder.append(&payload, sizeof payload);
    } else {
        ifaddrmsg payload{};
        payload.ifa_family = AF_UNSPEC;
        builder.append(&payload, sizeof payload);
    }
    return exchange(builder.finish(), on_message);
}

error_code RouteNetlink::request_with_ack(const std::vector<std::uint8_t>& message) {
    return exchange(message, [](std::span<const std::uint8_t>) {});
}

error_code RouteNetlink::exchange(
    const std::vector<std::uint8_t>& request,
    const std::function<void(std::span<const std::uint8_t>)>& on_message) {
    if (::send(fd_, request.data(), request.size(), 0) < 0) return util::last_system_error();
    for (;;) {
        const ssize_t received = ::recv(fd_, reply_buffer_.get(), kReplyBufferBytes, 0);
        if (received < 0) {
            if (errno == EINTR) continue;
            return util::last_system_error();
        }
        const auto reply = parse_netlink_reply(
            std::span<const std::uint8_t>(reply_buffer_.get(), static_cast<std::size_t>(received)),
            sequence_);
        for (const auto message : reply.messages) on_message(message);
        if (reply.end) return *reply.end == 0 ? error_code{} : util::system_error(*reply.end);
    }
}

// The dumps and the NetlinkMonitor read link and address messages with the same parser.

result<std::vector<Link>> RouteNetlink::links() {
    std::vector<Link> links;
    const auto error = dump(RTM_GETLINK, [&](std::span<const std::uint8_t> message) {
        for (auto& event : parse_route_events(message)) {
            if (auto* changed = std::get_if<LinkChanged>(&event)) {
                links.push_back(std::move(changed->link));
            }
        }
    });
    if (error) return error;
    return links;
}

result<std::vector<InterfaceAddress>> RouteNetlink::addresses() {
    std::vector<InterfaceAddress> addresses;
    const auto error = dump(RTM_GETADDR, [&](std::span<const std::uint8_t> message) {
        for (auto& event : parse_route_events(message)) {
            if (auto* added = std::get_if<AddressAdded>(&event)) {
                addresses.push_back(std::move(added->address));
            }
        }
    });
    if (error) return error;
    return addresses;
}

error_code RouteNetlink::add_address(int interface_index, const IpPrefix& prefix) {
    auto error = request_with_ack(
        address_message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                        ++sequence_, interface_index, prefix));
    if (error == boost::system::errc::file_exists) return {};
    return error;
}

error_code RouteNetlink::remove_address(int interface_index, const IpPrefix& prefix) {
    auto error = request_with_ack(address_message(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK,
                                                  ++sequence_, interface_index, prefix));
    if (error == boost::system::errc::address_not_available) return {};
    return error;
}

error_code RouteNetlink::forget_neighbour(int interface_index, const IpAddress& address) {
    auto error = request_with_ack(neighbour_message(RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK,
                                                    ++sequence_, interface_index, address));
    if (error == boost::system::errc::no_such_file_or_directory) return {};
    return error;
}

bool kernel_keeps_address_protocol(std::string_view release) {
    unsigned major = 0;
    unsigned minor = 0;
    const char* const end = release.data() + release.size();
    auto [after_major, major_error] = std::from_chars(release.data(), end, major);
    if (major_error != std::errc{} || after_major == end || *after_major != '.') return false;
    auto [after_minor, minor_error] = std::from_chars(after_major + 1, end, minor);
    if (minor_error != std::errc{}) return false;
    return major > 5 || (major == 5 && minor >= 18);
}

bool kernel_keeps_address_protocol() {
    utsname names{};
    if (::uname(&names) != 0) return false;
    return kernel_keeps_address_protocol(names.release);
}

}  // namespace ks::net
