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
    } else {
        object = {{"type", "resume"}};
    }
    return json::serialize(object) + "\n";
}

std::optional<Message> decode(std::string_view line) {
    json::error_code ec;
    const json::value value = json::parse(line, ec);
    if (ec) return std::nullopt;
    const auto* object = value.if_object();
    if (object == nullptr) return std::nullopt;
    const auto* type_value = object->if_contains("type");
    if (type_value == nullptr || !type_value->is_string()) return std::nullopt;
    const std::string_view type = type_value->get_string();
    if (type == "peers") {
        const auto* list = object->if_contains("peers");
        if (list == nullptr || !list->is_array()) return std::nullopt;
        PeersMessage message;
        for (const auto& item : list->get_array()) {
            if (!item.is_string()) return std::nullopt;
            auto address = net::parse_ip_address(item.get_string());
            if (!address) return std::nullopt;
            message.peers.push_back(*address);
        }
        return message;
    }
    if (type == "resign") {
        ResignMessage message;
        if (const auto* reason = object->if_contains("reason"); reason && reason->is_string()) {
            message.reason = std::string(reason->get_string());
        }
        return message;
    }
    if (type == "resume") return ResumeMessage{};
    if (type == "tracker") {
        // Every field is required: a tracker half understood would be applied wrongly.
        const auto* name = object->if_contains("name");
        const auto* up = object->if_contains("up");
        const auto* reason = object->if_contains("reason");
        if (name == nullptr || !name->is_string() || name->get_string().empty()) {
            return std::nullopt;
        }
        if (up == nullptr || !up->is_bool()) return std::nullopt;
        if (reason == nullptr || !reason->is_string()) return std::nullopt;
        return TrackerMessage{std::string(name->get_string()), up->get_bool(),
                              std::string(reason->get_string())};
    }
    return std::nullopt;
}

}  // namespace ks::tether
