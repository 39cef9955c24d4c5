#include "roles/buoy/cluster_watch.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <set>

#include "keepalived_swarm/log/log.hpp"

namespace ks::roles::buoy {

struct ClusterWatch::Peer {
    Peer(boost::asio::any_io_executor executor, http::Endpoint endpoint, std::string peer_address)
        : address(std::move(peer_address)), client(executor, std::move(endpoint), limits()) {}

    static http::ClientLimits limits() {
        http::ClientLimits limits;
        limits.max_body = kMaxAnswerBytes;
        limits.max_header = 16 * 1024;
        return limits;
    }

    std::string address;
    http::Client client;
    bool in_flight = false;
    bool removed = false;
    bool was_readable = false;
    bool logged = false;
};

std::vector<std::string> cluster_peer_addresses(const FloatView& float_view,
                                                const std::vector<net::IpAddress>& fixed,
                                                const std::vector<std::string>& previous) {
    std::set<std::string> addresses;
    if (!fixed.empty()) {
        for (const auto& address : fixed) addresses.insert(address.to_string());
    } else if (!float_view.status) {
        return previous;
    } else {
        std::set<std::string> own;
        for (const auto& instance : float_view.status->instances) {
            own.insert(instance.primary_address);
        }
        for (const auto& instance : float_view.status->instances) {
            for (const auto& peer : instance.peers) {
                if (own.count(peer) == 0) addresses.insert(peer);
            }
        }
    }
    return {addresses.begin(), addresses.end()};
}

ClusterWatch::ClusterWatch(boost::asio::any_io_executor executor, ClusterWatchSettings settings,
                           BuoyState& state)
    : executor_(executor), settings_(std::move(settings)), state_(state), timer_(executor) {}

void ClusterWatch::reconcile() {
    std::vector<std::string> current;
    for (const auto& [address, peer] : peers_) current.push_back(address);
    const auto wanted = cluster_peer_addresses(state_.float_view, settings_.fixed_peers, current);
    if (wanted == current) return;
    for (auto it = peers_.begin(); it != peers_.end();) {
        if (std::find(wanted.begin(), wanted.end(), it->first) != wanted.end()) {
            ++it;
            continue;
        }
        it->second->removed = true;
        it->second->client.cancel();
        state_.peers.erase(it->first);
        it = peers_.erase(it);
    }
    for (const auto& address : wanted) {
        if (peers_.count(address) != 0) continue;
        http::Endpoint endpoint;
        endpoint.transport = http::Endpoint::Transport::tcp;
        endpoint.host = address;
        endpoint.port = std::to_string(settings_.port);
        peers_.emplace(address, std::make_shared<Peer>(executor_, std::move(endpoint), address));
        state_.peers[address].address = address;
    }
    std::string list;
    for (const auto& address : wanted) list += (list.empty() ? "" : ",") + address;
    log::info("the cluster view asks these managers' buoys",
              {{"peers", list.empty() ? std::string("none") : list},
               {"port", static_cast<int>(settings_.port)}});
}

boost::asio::awaitable<void> ClusterWatch::fetch(std::shared_ptr<Peer> peer) {
    peer->in_flight = true;
    http::Request request;
    request.target = "/status";
    auto answer = co_await peer->client.request(std::move(request), settings_.timeout);
    peer->in_flight = false;
    if (peer->removed || stopped_) co_return;
    auto found = state_.peers.find(peer->address);
    if (found == state_.peers.end()) co_return;
    auto& view = found->second;
    const auto now = std::chrono::system_clock::now();
    if (answer) {
        record_peer_answer(view, answer->status, answer->body, now);
    } else {
        // A connection that failed is not reused: the next fetch connects anew.
        peer->client.close();
        record_peer_failure(view,
                            peer->client.last_error() + "; is its buoy running, and is TCP port " +
                                std::to_string(settings_.port) + " open between the managers?",
                            now);
    }
    const bool readable = view.answered;
    if (readable != peer->was_readable || !peer->logged) {
        if (readable) {
            log::info("a manager's buoy answers", {{"peer", peer->address}, {"node", view.name}});
        } else {
            log::warn("a manager's buoy cannot be read; /cluster shows it unreachable",
                      {{"peer", peer->address}, {"error", view.error}});
        }
        peer->was_readable = readable;
        peer->logged = true;
    }
}

boost::asio::awaitable<void> ClusterWatch::run() {
    while (!stopped_) {
        reconcile();
        for (auto& [address, peer] : peers_) {
            if (!peer->in_flight)
                boost::asio::co_spawn(executor_, fetch(peer), boost::asio::detached);
        }
        timer_.expires_after(settings_.interval);
        co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

void ClusterWatch::stop() {
    stopped_ = true;
    timer_.cancel();
    for (auto& [address, peer] : peers_) peer->client.cancel();
}

}  // namespace ks::roles::buoy
