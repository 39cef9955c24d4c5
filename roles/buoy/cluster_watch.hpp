#pragma once
// Keeps the buoy's view of the other managers fresh for GET /cluster: asks each one's buoy for
// GET /status every interval, each on its own connection and with its own deadline, so a node
// that does not answer delays nobody, and a request to /cluster never causes a fetch (a client
// cannot make the buoy hammer its peers).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "keepalived_swarm/http/client.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"
#include "roles/buoy/buoy_state.hpp"

namespace ks::roles::buoy {

struct ClusterWatchSettings {
    std::vector<net::IpAddress> fixed_peers;  ///< empty: the float's VRRP peers
    unsigned short port = 0;                  ///< the peers' buoys' port
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds timeout{500};
};

/// The addresses whose buoys the cluster view asks: `fixed` when given, else the peers of the
/// float's instances without its own addresses; while the float cannot be read, `previous`
/// (a restarting float must not empty the view). Sorted, each once.
std::vector<std::string> cluster_peer_addresses(const FloatView& float_view,
                                                const std::vector<net::IpAddress>& fixed,
                                                const std::vector<std::string>& previous);

/// Fetches the peers' status in the background until stopped.
class ClusterWatch {
public:
    /// A peer's answer larger than this is refused (a status document is a few KiB).
    static constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;

    ClusterWatch(boost::asio::any_io_executor executor, ClusterWatchSettings settings,
                 BuoyState& state);

    /// Reconciles the peer set and starts a fetch per idle peer every interval until stop();
    /// run it with co_spawn on the executor the handlers run on.
    boost::asio::awaitable<void> run();
    void stop();

private:
    struct Peer;
    void reconcile();
    boost::asio::awaitable<void> fetch(std::shared_ptr<Peer> peer);

    boost::asio::any_io_executor executor_;
    ClusterWatchSettings settings_;
    BuoyState& state_;
    boost::asio::steady_timer timer_;
    std::map<std::string, std::shared_ptr<Peer>> peers_;
    bool stopped_ = false;
};

}  // namespace ks::roles::buoy
