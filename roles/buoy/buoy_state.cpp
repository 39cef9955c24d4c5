#include "roles/buoy/buoy_state.hpp"

#include "keepalived_swarm/util/time_text.hpp"

namespace ks::roles::buoy {

void record_float_answer(FloatView& view, unsigned http_status, std::string_view body,
                         std::chrono::system_clock::time_point now) {
    ++view.fetches;
    view.checked_at = now;
    if (http_status == 200 && view.status && body == view.document) return;
    ++view.generation;
    view.document.clear();
    if (http_status != 200) {
        ++view.failures;
        view.status.reset();
        view.error = "the float's status socket answered HTTP " + std::to_string(http_status) +
                     " to GET /status; is a float of the same version behind it?";
        return;
    }
    auto parsed = status::parse_float_status(body);
    if (!parsed) {
        ++view.failures;
        view.status.reset();
        view.error = "the float's status document is not valid (" + parsed.error().message() +
                     "); is a float of the same version behind the socket?";
        return;
    }
    view.status = std::move(*parsed);
    view.document = body;
    view.error.clear();
}

void record_float_failure(FloatView& view, std::string error,
                          std::chrono::system_clock::time_point now) {
    ++view.fetches;
    ++view.failures;
    view.checked_at = now;
    if (view.status) ++view.generation;
    view.document.clear();
    view.status.reset();
    view.error = std::move(error);
}

void record_peer_answer(PeerView& peer, unsigned http_status, std::string_view body,
                        std::chrono::system_clock::time_point now) {
    peer.checked_at = now;
    if (http_status == 200 && peer.answered && body == peer.document) return;
    peer.document.clear();
    peer.float_status.reset();
    if (http_status != 200) {
        peer.answered = false;
        peer.error = "its buoy answered HTTP " + std::to_string(http_status) +
                     " to GET /status; is a keepalived-swarm buoy of the same version listening "
                     "there?";
        return;
    }
    auto answer = status::read_node_answer(body);
    if (!answer) {
        peer.answered = false;
        peer.error = "its buoy's status document is not valid (" + answer.error().message() +
                     "); is a keepalived-swarm buoy of the same version listening there?";
        return;
    }
    peer.answered = true;
    peer.name = answer->name;
    peer.float_status = std::move(answer->float_status);
    peer.error = peer.float_status ? std::string() : answer->float_error;
    peer.document = body;
}

void record_peer_failure(PeerView& peer, std::string error,
                         std::chrono::system_clock::time_point now) {
    peer.checked_at = now;
    peer.answered = false;
    peer.float_status.reset();
    peer.document.clear();
    peer.error = std::move(error);
}

std::chrono::seconds BuoyState::uptime() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now() - started);
}

status::ClusterView BuoyState::cluster_view(std::chrono::system_clock::time_point at) const {
    std::vector<status::ClusterNode> nodes;
    status::ClusterNode self;
    self.name = node_hostname;
    self.self = true;
    self.reachable = true;
    self.float_status = float_view.status;
    self.error = float_view.status ? std::string() : float_view.error;
    if (float_view.status && !float_view.status->instances.empty()) {
        self.address = float_view.status->instances.front().primary_address;
    }
    if (float_view.checked_at != std::chrono::system_clock::time_point{}) {
        self.checked_at = util::iso8601_utc(float_view.checked_at);
    }
    nodes.push_back(std::move(self));
    for (const auto& [address, peer] : peers) {
        status::ClusterNode node;
        node.name = peer.name.empty() ? address : peer.name;
        node.address = address;
        node.reachable = peer.answered;
        node.error = peer.error;
        node.float_status = peer.float_status;
        if (peer.checked_at != std::chrono::system_clock::time_point{}) {
            node.checked_at = util::iso8601_utc(peer.checked_at);
        }
        nodes.push_back(std::move(node));
    }
    return status::summarize(std::move(nodes), util::iso8601_utc(at));
}

}  // namespace ks::roles::buoy
