#include <catch2/catch.hpp>

#include "keepalived_swarm/tether/messages.hpp"

using namespace ks::tether;

TEST_CASE("tether messages are one JSON line each and decode back", "[tether]") {
    const PeersMessage peers{
        {*ks::net::parse_ip_address("10.0.0.2"), *ks::net::parse_ip_address("fd00::3")}};
    const auto line = encode(peers);
    CHECK(line == "{\"type\":\"peers\",\"peers\":[\"10.0.0.2\",\"fd00::3\"]}\n");
    CHECK(decode(std::string_view(line).substr(0, line.size() - 1)) == Message{peers});
    CHECK(decode(R"({"type":"resign","reason":"node is drained"})") ==
          Message{ResignMessage{"node is drained"}});
    CHECK(decode(R"({"type":"resume"})") == Message{ResumeMessage{}});
}

TEST_CASE("unknown or malformed tether lines are ignored, never fatal", "[tether]") {
    CHECK_FALSE(decode(R"({"type":"something-newer","x":1})"));
    CHECK_FALSE(decode("not json"));
    CHECK_FALSE(decode("[1,2]"));
    CHECK_FALSE(decode(R"({"type":7})"));
    CHECK_FALSE(decode(R"({"type":"peers","peers":["10.0.0.300"]})"));
    CHECK_FALSE(decode(R"({"type":"peers","peers":"10.0.0.2"})"));
    CHECK_FALSE(decode(R"({"type":"peers"})"));
    // Extra fields are fine: the anchor may be newer than the float.
    CHECK(decode(R"({"type":"resume","since":"later"})") == Message{ResumeMessage{}});
}
