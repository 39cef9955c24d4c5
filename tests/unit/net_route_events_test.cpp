// The rtnetlink parser on messages built here byte by byte: link and address notifications, several
// per datagram, control messages, and every way a datagram can be cut short or lie about lengths.

#include <net/if.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "keepalived_swarm/net/netlink.hpp"
#include "keepalived_swarm/net/route_events.hpp"

// <linux/if.h> after glibc's <net/if.h> (which Asio includes too), so that it leaves out the flags
// and structures the two both define.
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

using namespace ks;
using boost::asio::ip::make_address;

namespace {

using Bytes = std::vector<std::uint8_t>;

/// One netlink message, laid out as the kernel does: header, fixed payload, attributes, each
/// padded to 4 bytes; nlmsg_len covers it all.
class Message {
public:
    explicit Message(std::uint16_t type) {
        nlmsghdr header{};
        header.nlmsg_type = type;
        append(&header, sizeof header);
    }
    template <typename Fixed>
    Message& payload(const Fixed& fixed) {
        append(&fixed, sizeof fixed);
        return *this;
    }
    Message& attribute(std::uint16_t type, const void* data, std::size_t size) {
        rtattr attr{};
        attr.rta_type = type;
        attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
        append(&attr, sizeof attr);
        append(data, size);
        return *this;
    }
    Message& attribute(std::uint16_t type, std::string_view text) {
        return attribute(type, text.data(), text.size());
    }
    Message& attribute(std::uint16_t type, const net::IpAddress& address) {
        if (address.is_v4()) {
            const auto bytes = address.to_v4().to_bytes();
            return attribute(type, bytes.data(), bytes.size());
        }
        const auto bytes = address.to_v6().to_bytes();
        return attribute(type, bytes.data(), bytes.size());
    }
    Bytes bytes() const {
        Bytes out = bytes_;
        const auto length = static_cast<std::uint32_t>(out.size());
        std::memcpy(out.data(), &length, sizeof length);  // nlmsg_len comes first
        return out;
    }

private:
    void append(const void* data, std::size_t size) {
        const auto* first = static_cast<const std::uint8_t*>(data);
        bytes_.insert(bytes_.end(), first, first + size);
        bytes_.resize(NLMSG_ALIGN(bytes_.size()), 0);
    }
    Bytes bytes_;
};

// As unsigned: glibc and the kernel define these flags in different enumerations.
constexpr unsigned kUp = IFF_UP;
constexpr unsigned kCarrier = IFF_LOWER_UP;
constexpr unsigned kMulticast = IFF_MULTICAST;
constexpr unsigned kBroadcast = IFF_BROADCAST;

const net::MacAddress kMac = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};
constexpr std::uint32_t kMtu = 1450;

Bytes link_message(std::uint16_t type, int index, unsigned flags, std::string_view name = "eth0") {
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    info.ifi_index = index;
    info.ifi_flags = flags;
    return Message(type)
        .payload(info)
        .attribute(IFLA_IFNAME, std::string(name) + '\0')
        .attribute(IFLA_ADDRESS, kMac.data(), kMac.size())
        .attribute(IFLA_MTU, &kMtu, sizeof kMtu)
        .bytes();
}

/// An address message: IPv4 sets IFA_LOCAL to the address unless told otherwise, as the kernel.
class AddressMessage {
public:
    AddressMessage(std::uint16_t type, const char* address, unsigned prefix_length)
        : type_(type), address_(make_address(address)), local_(address_) {
        info_.ifa_family = static_cast<std::uint8_t>(address_.is_v4() ? AF_INET : AF_INET6);
        info_.ifa_prefixlen = static_cast<std::uint8_t>(prefix_length);
        info_.ifa_index = 2;
    }
    AddressMessage& index(int index) {
        info_.ifa_index = static_cast<std::uint32_t>(index);
        return *this;
    }
    AddressMessage& local(const char* local) {
        local_ = make_address(local);
        return *this;
    }
    /// The eight bits of ifa_flags.
    AddressMessage& short_flags(std::uint8_t flags) {
        info_.ifa_flags = flags;
        return *this;
    }
    /// IFA_FLAGS.
    AddressMessage& long_flags(std::uint32_t flags) {
        long_flags_ = flags;
        return *this;
    }
    /// IFA_PROTO, of `size` bytes (1 as the kernel sends it).
    AddressMessage& protocol(std::uint8_t protocol, std::size_t size = 1) {
        protocol_ = std::vector<std::uint8_t>(size, protocol);
        return *this;
    }
    Bytes bytes() const {
        Message message(type_);
        message.payload(info_);
        if (address_.is_v4()) message.attribute(IFA_LOCAL, local_);
        message.attribute(IFA_ADDRESS, address_);
        if (long_flags_) message.attribute(IFA_FLAGS, &*long_flags_, sizeof(std::uint32_t));
        if (protocol_) message.attribute(net::kIfaProtocol, protocol_->data(), protocol_->size());
        return message.bytes();
    }

private:
    std::uint16_t type_;
    net::IpAddress address_;
    net::IpAddress local_;
    ifaddrmsg info_{};
    std::optional<std::uint32_t> long_flags_;
    std::optional<std::vector<std::uint8_t>> protocol_;
};

Bytes control_message(std::uint16_t type) {
    Message message(type);
    if (type == NLMSG_ERROR) message.payload(nlmsgerr{});
    if (type == NLMSG_DONE) message.payload(std::int32_t{0});
    return message.bytes();
}

Bytes join(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

template <typename Event>
const Event& only(const std::vector<net::RouteEvent>& events) {
    REQUIRE(events.size() == 1);
    REQUIRE(std::holds_alternative<Event>(events[0]));
    return std::get<Event>(events[0]);
}

void set_length(Bytes& message, std::uint32_t length) {
    std::memcpy(message.data(), &length, sizeof length);
}

}  // namespace

TEST_CASE("a link up with carrier reports its index, name, MAC and flags", "[net]") {
    const auto events =
        net::parse_route_events(link_message(RTM_NEWLINK, 7, kUp | kCarrier | kMulticast));
    const auto& link = only<net::LinkChanged>(events).link;
    CHECK(link.index == 7);
    CHECK(link.name == "eth0");
    CHECK(link.mac == kMac);
    CHECK(link.mtu == kMtu);
    CHECK(link.up);
    CHECK(link.lower_up);
    CHECK(link.multicast);
}

TEST_CASE("a link up without carrier, and a link down, tell the two flags apart", "[net]") {
    const auto no_carrier = net::parse_route_events(link_message(RTM_NEWLINK, 3, kUp));
    CHECK(only<net::LinkChanged>(no_carrier).link.up);
    CHECK_FALSE(only<net::LinkChanged>(no_carrier).link.lower_up);

    const auto down = net::parse_route_events(link_message(RTM_NEWLINK, 3, kBroadcast));
    CHECK_FALSE(only<net::LinkChanged>(down).link.up);
    CHECK_FALSE(only<net::LinkChanged>(down).link.lower_up);
    CHECK_FALSE(only<net::LinkChanged>(down).link.multicast);
}

TEST_CASE("a deleted link is reported as removed", "[net]") {
    const auto events = net::parse_route_events(link_message(RTM_DELLINK, 9, 0, "veth1a2b"));
    const auto& link = only<net::LinkRemoved>(events).link;
    CHECK(link.index == 9);
    CHECK(link.name == "veth1a2b");
}

TEST_CASE("an IPv4 address added and removed", "[net]") {
    const auto added =
        net::parse_route_events(AddressMessage(RTM_NEWADDR, "10.99.0.100", 24).index(4).bytes());
    const auto& address = only<net::AddressAdded>(added).address;
    CHECK(address.interface_index == 4);
    CHECK(address.prefix == net::IpPrefix{make_address("10.99.0.100"), 24});
    CHECK(address.flags == 0);

    const auto removed =
        net::parse_route_events(AddressMessage(RTM_DELADDR, "10.99.0.100", 24).index(4).bytes());
    CHECK(only<net::AddressRemoved>(removed).address == address);
}

TEST_CASE("an IPv4 point-to-point address is its local end, not the peer", "[net]") {
    const auto events = net::parse_route_events(
        AddressMessage(RTM_DELADDR, "192.0.2.2", 32).local("192.0.2.1").bytes());
    CHECK(only<net::AddressRemoved>(events).address.prefix.address == make_address("192.0.2.1"));
}

TEST_CASE("an IPv6 address takes its flags from IFA_FLAGS when present", "[net]") {
    const auto with_long_flags =
        net::parse_route_events(AddressMessage(RTM_NEWADDR, "fd00:99::100", 64)
                                    .index(5)
                                    .short_flags(IFA_F_PERMANENT)
                                    .long_flags(IFA_F_NODAD | IFA_F_NOPREFIXROUTE)
                                    .bytes());
    const auto& address = only<net::AddressAdded>(with_long_flags).address;
    CHECK(address.interface_index == 5);
    CHECK(address.prefix == net::IpPrefix{make_address("fd00:99::100"), 64});
    CHECK(address.flags == (IFA_F_NODAD | IFA_F_NOPREFIXROUTE));

    const auto short_only =
        net::parse_route_events(AddressMessage(RTM_DELADDR, "fe80::42:acff:fe11:2", 64)
                                    .short_flags(IFA_F_TENTATIVE)
                                    .bytes());
    const auto& link_local = only<net::AddressRemoved>(short_only).address;
    CHECK(link_local.flags == IFA_F_TENTATIVE);
    CHECK(link_local.link_local());
}

TEST_CASE("an address carries who added it (IFA_PROTO); absent or malformed it is 0", "[net]") {
    const auto marked = net::parse_route_events(
        AddressMessage(RTM_NEWADDR, "10.99.0.100", 24).protocol(net::kVipAddressProtocol).bytes());
    CHECK(only<net::AddressAdded>(marked).address.protocol == net::kVipAddressProtocol);
    const auto unmarked =
        net::parse_route_events(AddressMessage(RTM_NEWADDR, "10.99.0.1", 24).bytes());
    CHECK(only<net::AddressAdded>(unmarked).address.protocol == 0);
    const auto too_long = net::parse_route_events(
        AddressMessage(RTM_NEWADDR, "10.99.0.1", 24).protocol(0x6b, 4).bytes());
    CHECK(only<net::AddressAdded>(too_long).address.protocol == 0);
}

TEST_CASE("one datagram with several messages yields their events in order", "[net]") {
    const auto datagram = join({
        control_message(NLMSG_NOOP),
        link_message(RTM_NEWLINK, 2, kUp),
        AddressMessage(RTM_DELADDR, "10.99.0.100", 24).bytes(),
        Message(RTM_NEWROUTE).payload(rtmsg{}).bytes(),  // not ours: skipped
        AddressMessage(RTM_NEWADDR, "fd00::7", 128).bytes(),
        control_message(NLMSG_ERROR),
        link_message(RTM_DELLINK, 8, 0, "br0"),
        control_message(NLMSG_DONE),
    });
    const auto events = net::parse_route_events(datagram);
    REQUIRE(events.size() == 4);
    CHECK(std::get<net::LinkChanged>(events[0]).link.index == 2);
    CHECK(std::get<net::AddressRemoved>(events[1]).address.prefix.address ==
          make_address("10.99.0.100"));
    CHECK(std::get<net::AddressAdded>(events[2]).address.prefix ==
          net::IpPrefix{make_address("fd00::7"), 128});
    CHECK(std::get<net::LinkRemoved>(events[3]).link.name == "br0");
}

TEST_CASE("a datagram cut anywhere yields the messages that fit whole", "[net]") {
    const auto first = link_message(RTM_NEWLINK, 2, kUp | kCarrier);
    const auto second = AddressMessage(RTM_DELADDR, "10.99.0.100", 24).bytes();
    const auto third = AddressMessage(RTM_NEWADDR, "fd00::7", 64).bytes();
    const auto datagram = join({first, second, third});
    const std::size_t ends[] = {first.size(), first.size() + second.size(), datagram.size()};
    for (std::size_t cut = 0; cut <= datagram.size(); ++cut) {
        // A copy of exactly `cut` bytes, so the sanitizers catch any read past it.
        const Bytes truncated(datagram.begin(), datagram.begin() + static_cast<long>(cut));
        std::size_t whole = 0;
        for (const auto end : ends) whole += end <= cut ? 1 : 0;
        INFO("cut at " << cut);
        CHECK(net::parse_route_events(truncated).size() == whole);
    }
}

TEST_CASE("a header whose length is impossible ends the datagram", "[net]") {
    const auto good = link_message(RTM_NEWLINK, 2, kUp);
    for (const std::uint32_t length : {0U, 1U, 15U, 100000U, 0xFFFFFFFFU}) {
        auto bad = link_message(RTM_NEWLINK, 3, kUp);
        set_length(bad, length);
        INFO("nlmsg_len " << length);
        const auto events = net::parse_route_events(join({good, bad, good}));
        CHECK(only<net::LinkChanged>(events).link.index == 2);
    }
}

TEST_CASE("a message too short for its fixed header is skipped, the next one is read", "[net]") {
    // A header that claims 20 bytes: room for part of ifinfomsg, not all of it.
    auto short_link = Message(RTM_NEWLINK).payload(std::uint32_t{0}).bytes();
    REQUIRE(short_link.size() == NLMSG_HDRLEN + 4);
    auto short_address = Message(RTM_DELADDR).payload(std::uint32_t{0}).bytes();
    const auto events = net::parse_route_events(
        join({short_link, short_address, link_message(RTM_NEWLINK, 6, kUp)}));
    CHECK(only<net::LinkChanged>(events).link.index == 6);
}

TEST_CASE("an attribute that overruns its message ends the attributes, not the message", "[net]") {
    auto message = link_message(RTM_NEWLINK, 4, kUp);
    // The first attribute (IFLA_IFNAME) follows the 16-byte header and the 16-byte ifinfomsg.
    const std::size_t name_attribute = NLMSG_HDRLEN + sizeof(ifinfomsg);
    for (const std::uint16_t rta_len : {std::uint16_t{0}, std::uint16_t{3}, std::uint16_t{2000}}) {
        auto broken = message;
        std::memcpy(broken.data() + name_attribute, &rta_len, sizeof rta_len);
        INFO("rta_len " << rta_len);
        const auto events = net::parse_route_events(broken);
        const auto& link = only<net::LinkChanged>(events).link;
        CHECK(link.index == 4);
        CHECK(link.up);
        CHECK(link.name.empty());
        CHECK(link.mac == net::MacAddress{});  // it came after the broken attribute
    }
}

TEST_CASE("a name without its NUL ends with its attribute; a MAC of odd size is ignored", "[net]") {
    ifinfomsg info{};
    info.ifi_index = 5;
    const std::uint8_t short_mac[4] = {1, 2, 3, 4};
    const auto events = net::parse_route_events(Message(RTM_NEWLINK)
                                                    .payload(info)
                                                    .attribute(IFLA_IFNAME, "tun7")
                                                    .attribute(IFLA_ADDRESS, short_mac, 4)
                                                    .bytes());
    const auto& link = only<net::LinkChanged>(events).link;
    CHECK(link.name == "tun7");
    CHECK(link.mac == net::MacAddress{});
}

TEST_CASE("addresses the parser cannot trust are skipped", "[net]") {
    ifaddrmsg info{};
    info.ifa_family = AF_INET;
    info.ifa_prefixlen = 24;
    const std::uint8_t six_bytes[6] = {10, 99, 0, 1, 0, 0};
    const auto v4_address = make_address("10.99.0.1");
    const Bytes cases[] = {
        Message(RTM_DELADDR).payload(info).bytes(),  // no address attribute at all
        Message(RTM_DELADDR).payload(info).attribute(IFA_ADDRESS, six_bytes, 6).bytes(),
        Message(RTM_DELADDR)  // IPv4 family with an IPv6 address
            .payload(info)
            .attribute(IFA_ADDRESS, make_address("fd00::1"))
            .bytes(),
        AddressMessage(RTM_DELADDR, "10.99.0.1", 33).bytes(),
        AddressMessage(RTM_DELADDR, "fd00::1", 129).bytes(),
        AddressMessage(RTM_DELADDR, "fd00::1", 255).bytes(),
    };
    for (const auto& message : cases) {
        CHECK(net::parse_route_events(message).empty());
    }
    info.ifa_family = AF_UNSPEC;  // a family the parser does not know
    CHECK(net::parse_route_events(
              Message(RTM_DELADDR).payload(info).attribute(IFA_ADDRESS, v4_address).bytes())
              .empty());
    // The longest prefixes that are valid still pass.
    CHECK(net::parse_route_events(AddressMessage(RTM_DELADDR, "10.99.0.1", 32).bytes()).size() ==
          1);
    CHECK(net::parse_route_events(AddressMessage(RTM_DELADDR, "fd00::1", 128).bytes()).size() == 1);
}

TEST_CASE("nothing, or less than a header, yields nothing", "[net]") {
    CHECK(net::parse_route_events({}).empty());
    const auto message = link_message(RTM_NEWLINK, 2, kUp);
    CHECK(net::parse_route_events(std::span(message.data(), NLMSG_HDRLEN - 1)).empty());
}

TEST_CASE("a DELADDR written out byte by byte parses as the kernel means it", "[net]") {
    // Little-endian, as the kernel on x86 and arm64 writes it: 10.99.0.100/24 leaving index 2.
    const Bytes datagram = {
        0x44, 0x00, 0x00, 0x00,  // nlmsg_len 68
        0x15, 0x00,              // nlmsg_type RTM_DELADDR (21)
        0x00, 0x00,              // nlmsg_flags
        0x00, 0x00, 0x00, 0x00,  // nlmsg_seq
        0x00, 0x00, 0x00, 0x00,  // nlmsg_pid: the kernel
        0x02, 0x18, 0x80, 0x00,  // ifa_family AF_INET, ifa_prefixlen 24, ifa_flags PERMANENT, scope
        0x02, 0x00, 0x00, 0x00,  // ifa_index 2
        0x08, 0x00, 0x01, 0x00,  // IFA_ADDRESS, 4 bytes
        0x0a, 0x63, 0x00, 0x64,  //   10.99.0.100
        0x08, 0x00, 0x02, 0x00,  // IFA_LOCAL, 4 bytes
        0x0a, 0x63, 0x00, 0x64,  //   10.99.0.100
        0x08, 0x00, 0x03, 0x00,  // IFA_LABEL, 4 bytes
        0x65, 0x74, 0x30, 0x00,  //   "et0"
        0x08, 0x00, 0x08, 0x00,  // IFA_FLAGS, 4 bytes
        0x80, 0x00, 0x00, 0x00,  //   IFA_F_PERMANENT
        0x0c, 0x00, 0x06, 0x00,  // IFA_CACHEINFO, 8 bytes: not read
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    REQUIRE(datagram.size() == 68);
    const auto events = net::parse_route_events(datagram);
    const auto& address = only<net::AddressRemoved>(events).address;
    CHECK(address.interface_index == 2);
    CHECK(address.prefix == net::IpPrefix{make_address("10.99.0.100"), 24});
    CHECK(address.flags == IFA_F_PERMANENT);
}

TEST_CASE("the address mark is trusted from Linux 5.18 on, never on a release it cannot read",
          "[net]") {
    CHECK(net::kernel_keeps_address_protocol("6.1.0-18-amd64"));
    CHECK(net::kernel_keeps_address_protocol("5.18.0"));
    CHECK(net::kernel_keeps_address_protocol("10.0"));
    CHECK_FALSE(net::kernel_keeps_address_protocol("5.17.15-arch1"));
    CHECK_FALSE(net::kernel_keeps_address_protocol("4.18.0-513.el8.x86_64"));
    CHECK_FALSE(net::kernel_keeps_address_protocol(""));
    CHECK_FALSE(net::kernel_keeps_address_protocol("6"));
    CHECK_FALSE(net::kernel_keeps_address_protocol("linux"));
}
