#include "keepalived_swarm/tether/messages.hpp"

#include <boost/json.hpp>

namespace ks::tether {
namespace json = boost::json;

std::string encode(const Message& message) {
    json::object object;
    if (const auto* peers = std::get_if<PeersMessage>(&message)) {
        json::array list;
        for (const auto& peer : peers->peers) list.emplace_back(peer.to_string());
        object = {{"type", "peers"}, {"peers", std::move(list)}};
    } else if (const auto* resign = std::get_if<ResignMessage>(&message)) {
        object = {{"type", "resign"}, {"reason", resign->reason}};
    } else if (const auto* tracker = std::get_if<TrackerMessage>(&message)) {
        object = {{"type", "tracker"},
                  {"name", tracker->name},
                  {"up", tracker->up},
                  {"reason", tracker->reason}};
    } else if (const auto* handover = std::get_if<HandoverMessage>(&message)) {
        object = {{"type", "handover"}, {"within_s", handover->within.count()}};
    } else {
        object = {{"type", "resume"}};
    }
    return json::serialize(object) + "\n";
}

Decoded decode(std::string_view line) {
    json::error_code ec;
    const json::value value = json::parse(line, ec);
    if (ec) return Undecodable{"not JSON (" + ec.message() + ")"};
    const auto* object = value.if_object();
    if (object == nullptr) return Undecodable{"not a JSON object"};
    const auto* type_value = object->if_contains("type");
    if (type_value == nullptr || !type_value->is_string()) {
        return Undecodable{"no \"type\" string"};
    }
    const std::string_view type = type_value->get_string();
    if (type == "peers") {
        const auto* list = object->if_contains("peers");
        if (list == nullptr || !list->is_array()) {
            return Undecodable{"a peers message without a \"peers\" array"};
        }
        PeersMessage message;
        for (const auto& item : list->get_array()) {
            const auto address =
                item.is_string() ? net::parse_ip_address(item.get_string()) : std::nullopt;
            if (!address) return Undecodable{"a peer that is not an IP address string"};
            message.peers.push_back(*address);
        }
        return message;
    }
    if (type == "resign") {
        // A reason of another type is a broken sender: acting on half a message is worse.
        const auto* reason = object->if_contains("reason");
        if (reason != nullptr && !reason->is_string()) {
            return Undecodable{"a resign message whose \"reason\" is not a string"};
        }
        return ResignMessage{reason ? std::string(reason->get_string()) : std::string{}};
    }
    if (type == "resume") return ResumeMessage{};
    if (type == "tracker") {
        // Every field is required: a tracker half understood would be applied wrongly.
        const auto* name = object->if_contains("name");
        const auto* up = object->if_contains("up");
        const auto* reason = object->if_contains("reason");
        if (name == nullptr || !name->is_string() || name->get_string().empty() || up == nullptr ||
            !up->is_bool() || reason == nullptr || !reason->is_string()) {
            return Undecodable{
                "a tracker message without a non-empty \"name\", a boolean \"up\" and a "
                "\"reason\" string"};
        }
        return TrackerMessage{std::string(name->get_string()), up->get_bool(),
                              std::string(reason->get_string())};
    }
    if (type == "handover") {
        const auto* within = object->if_contains("within_s");
        const auto seconds = within ? within->if_int64() : nullptr;
        if (seconds == nullptr || *seconds < 1 || *seconds > kMaxHandoverWait.count()) {
            return Undecodable{"a handover message without \"within_s\" from 1 to " +
                               std::to_string(kMaxHandoverWait.count())};
        }
        return HandoverMessage{std::chrono::seconds(*seconds)};
    }
    return Undecodable{"unknown type \"" + std::string(type.substr(0, 40)) +
                       "\" (an anchor newer than this float?)"};
}

}  // namespace ks::tether
