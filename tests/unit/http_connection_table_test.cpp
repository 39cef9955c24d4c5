#include <boost/asio/ip/address.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "keepalived_swarm/http/connection_table.hpp"

using namespace ks;
using http::Admission;
using http::ClientAddress;
using http::ConnectionTable;

namespace {

ClientAddress client(const char* text) {
    return http::client_address_of(boost::asio::ip::make_address(text));
}

const ClientAddress kUnixPeer = std::nullopt;

}  // namespace

TEST_CASE("an IPv4 client is the same client on an IPv6 listener", "[http][connections]") {
    CHECK(client("192.0.2.7") == client("::ffff:192.0.2.7"));
    CHECK(client("192.0.2.7") != client("192.0.2.8"));
    CHECK(client("2001:db8::1").has_value());
    CHECK(http::to_string(client("192.0.2.7")) == "192.0.2.7");
    CHECK(http::to_string(client("2001:db8::1")) == "2001:db8::1");
    CHECK(http::to_string(kUnixPeer) == "unix socket");
}

TEST_CASE("a client over its limit is refused while others get in", "[http][connections]") {
    ConnectionTable<int> table(100, 3);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(table.admission(client("127.0.0.1")) == Admission::admit);
        table.insert(i, client("127.0.0.1"));
    }
    CHECK(table.admission(client("127.0.0.1")) == Admission::refuse_client_limit);
    CHECK(table.admission(client("127.0.0.2")) == Admission::admit);
    CHECK(table.count(client("127.0.0.1")) == 3);
    CHECK(table.clients() == 1);
}

TEST_CASE("a closed connection gives its client's slot back", "[http][connections]") {
    ConnectionTable<int> table(100, 1);
    auto handle = table.insert(1, client("127.0.0.1"));
    CHECK(table.admission(client("127.0.0.1")) == Admission::refuse_client_limit);
    table.erase(handle);
    CHECK(table.admission(client("127.0.0.1")) == Admission::admit);
    CHECK(table.clients() == 0);
    CHECK(table.empty());
}

TEST_CASE("unix-socket peers are exempt from the per-client limit", "[http][connections]") {
    ConnectionTable<int> table(10, 1);
    for (int i = 0; i < 5; ++i) {
        REQUIRE(table.admission(kUnixPeer) == Admission::admit);
        table.insert(i, kUnixPeer);
    }
    CHECK(table.clients() == 0);
    CHECK(table.size() == 5);
}

TEST_CASE("no per-client limit with 0", "[http][connections]") {
    ConnectionTable<int> table(100, 0);
    for (int i = 0; i < 50; ++i) table.insert(i, client("127.0.0.1"));
    CHECK(table.admission(client("127.0.0.1")) == Admission::admit);
}

TEST_CASE("at the cap the connection longest without a completed request is evicted",
          "[http][connections]") {
    ConnectionTable<int> table(3, 0);
    auto first = table.insert(1, client("127.0.0.1"));
    table.insert(2, client("127.0.0.2"));
    table.insert(3, client("127.0.0.3"));
    CHECK(table.admission(client("127.0.0.4")) == Admission::admit_after_evicting);
    CHECK(table.stalest() == 1);
    // The oldest connection completes a request: the next oldest becomes the stalest.
    table.mark_active(first);
    CHECK(table.stalest() == 2);
    std::vector<int> order;
    table.for_each([&](int member) { order.push_back(member); });
    CHECK(order == std::vector<int>{2, 3, 1});
}

TEST_CASE("for_each lets the visitor erase the member it visits", "[http][connections]") {
    ConnectionTable<int> table(10, 0);
    std::vector<ConnectionTable<int>::Handle> handles;
    for (int i = 0; i < 4; ++i) handles.push_back(table.insert(i, client("127.0.0.1")));
    table.for_each([&](int member) {
        if (member % 2 == 0) table.erase(handles[static_cast<std::size_t>(member)]);
    });
    CHECK(table.size() == 2);
    CHECK(table.count(client("127.0.0.1")) == 2);
}
