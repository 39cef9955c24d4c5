#include <catch2/catch.hpp>

#include "keepalived_swarm/tether/messages.hpp"

using namespace ks::tether;

namespace {

/// The message a line decodes to, or nullopt when it is undecodable.
std::optional<Message> message_of(std::string_view line) {
    auto decoded = decode(line);
    if (auto* message = std::get_if<Message>(&decoded)) return *message;
    return std::nullopt;
}

std::string why_not(std::string_view line) {
    auto decoded = decode(line);
    const auto* problem = std::get_if<Undecodable>(&decoded);
    return problem ? problem->why : std::string("(decoded)");
}

}  // namespace

TEST_CASE("tether messages are one JSON line each and decode back", "[tether]") {
    const PeersMessage peers{
        {*ks::net::parse_ip_address("10.0.0.2"), *ks::net::parse_ip_address("fd00::3")}};
    const auto line = encode(peers);
    CHECK(line == "{\"type\":\"peers\",\"peers\":[\"10.0.0.2\",\"fd00::3\"]}\n");
    CHECK(message_of(std::string_view(line).substr(0, line.size() - 1)) == Message{peers});
    CHECK(message_of(R"({"type":"resign","reason":"node is drained"})") ==
          Message{ResignMessage{"node is drained"}});
    CHECK(message_of(R"({"type":"resume"})") == Message{ResumeMessage{}});
}

TEST_CASE("unknown or malformed tether lines are ignored, never fatal", "[tether]") {
    CHECK_FALSE(message_of(R"({"type":"something-newer","x":1})"));
    CHECK_FALSE(message_of("not json"));
    CHECK_FALSE(message_of("[1,2]"));
    CHECK_FALSE(message_of(R"({"type":7})"));
    CHECK_FALSE(message_of(R"({"type":"peers","peers":["10.0.0.300"]})"));
    CHECK_FALSE(message_of(R"({"type":"peers","peers":"10.0.0.2"})"));
    CHECK_FALSE(message_of(R"({"type":"peers"})"));
    // Extra fields are fine: the anchor may be newer than the float.
    CHECK(message_of(R"({"type":"resume","since":"later"})") == Message{ResumeMessage{}});
}

TEST_CASE("a tracker message carries a name, up and a reason, and decodes back", "[tether]") {
    const TrackerMessage up{"service:traefik_traefik", true, "task 3f2a1b2c3d4e running, healthy"};
    const auto line = encode(up);
    CHECK(line ==
          "{\"type\":\"tracker\",\"name\":\"service:traefik_traefik\",\"up\":true,"
          "\"reason\":\"task 3f2a1b2c3d4e running, healthy\"}\n");
    CHECK(message_of(std::string_view(line).substr(0, line.size() - 1)) == Message{up});
    CHECK(
        message_of(
            R"({"type":"tracker","name":"service:web","up":false,"reason":"service web does not exist"})") ==
        Message{TrackerMessage{"service:web", false, "service web does not exist"}});
    // An empty reason is still a reason; extra fields are fine (a newer anchor).
    CHECK(
        message_of(R"({"type":"tracker","name":"service:web","up":true,"reason":"","weight":5})") ==
        Message{TrackerMessage{"service:web", true, ""}});
}

TEST_CASE("a tracker message of the wrong shape is ignored", "[tether]") {
    CHECK_FALSE(message_of(R"({"type":"tracker","up":true,"reason":"x"})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":"service:web","reason":"x"})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":"service:web","up":true})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":7,"up":true,"reason":"x"})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":"","up":true,"reason":"x"})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":"service:web","up":"true","reason":"x"})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":"service:web","up":1,"reason":"x"})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":"service:web","up":true,"reason":null})"));
    CHECK_FALSE(message_of(R"({"type":"tracker","name":"service:web","up":true,"reason":["x"]})"));
}

TEST_CASE("an undecodable line says why, for the operator's log", "[tether]") {
    CHECK(why_not("not json").starts_with("not JSON ("));
    CHECK(why_not("[1]") == "not a JSON object");
    CHECK(why_not(R"({"type":"resign","reason":123})") ==
          "a resign message whose \"reason\" is not a string");
    CHECK(why_not(R"({"type":"peers","peers":[1]})") == "a peer that is not an IP address string");
    CHECK(why_not(R"({"type":"reboot"})") ==
          "unknown type \"reboot\" (an anchor newer than this float?)");
    // A resign without a reason is still a resignation.
    CHECK(message_of(R"({"type":"resign"})") == Message{ResignMessage{}});
}

TEST_CASE("a peer address with a NUL inside is malformed, not cut short", "[tether]") {
    // The address parser read a C string, so "10.0.0.2\0junk" was 10.0.0.2.
    CHECK_FALSE(message_of(R"({"type":"peers","peers":["10.0.0.2\u0000junk"]})"));
    CHECK_FALSE(ks::net::parse_ip_prefix(std::string_view("10.0.0.2\0/24", 12)));
    CHECK_FALSE(ks::net::parse_ip_address(std::string_view("fd00::2\0", 8)));
}

TEST_CASE("a handover message names how long to wait, within bounds", "[tether]") {
    const ks::tether::Message handover = ks::tether::HandoverMessage{std::chrono::seconds(30)};
    CHECK(ks::tether::encode(handover) == "{\"type\":\"handover\",\"within_s\":30}\n");
    CHECK(std::get<ks::tether::Message>(
              ks::tether::decode(R"({"type":"handover","within_s":30})")) == handover);
    for (const auto* line :
         {R"({"type":"handover"})", R"({"type":"handover","within_s":0})",
          R"({"type":"handover","within_s":"30"})", R"({"type":"handover","within_s":301})",
          R"({"type":"handover","within_s":-5})"}) {
        INFO(line);
        CHECK(std::holds_alternative<ks::tether::Undecodable>(ks::tether::decode(line)));
    }
}
