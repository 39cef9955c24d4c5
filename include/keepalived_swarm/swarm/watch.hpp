#pragma once
// Watches this node's place in the swarm through the Docker Engine API and says what it means
// for the node's float: its peers (the other managers) and whether it must resign (not a
// manager, drained, or, with the release policy, cut off from the quorum). Hosted by the anchor,
// which passes it on over the tether, or by a float that watches the swarm itself (direct mode).
// Node events drive it; a slow resync, and quick rechecks while the membership settles, catch
// what events cannot say. The decisions themselves are pure (membership.hpp).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keepalived_swarm/docker/client.hpp"
#include "keepalived_swarm/swarm/membership.hpp"
#include "keepalived_swarm/util/signal.hpp"
#include "keepalived_swarm/util/sleeps.hpp"

namespace ks::swarm {

class Watch {
public:
    struct Settings {
        PartitionPolicy policy = PartitionPolicy::hold;
        /// Report the other managers as peers (not when the float's peers are fixed).
        bool report_peers = true;
    };
    /// Called on the first answer and whenever the value changes.
    struct Reports {
        std::function<void(const std::vector<net::IpAddress>&)> peers;
        /// nullopt: the float may compete; otherwise why it must resign.
        std::function<void(const std::optional<std::string>&)> resign;
    };
    /// A client on a connection of its own (the event stream, the quorum reads), speaking the
    /// negotiated API version.
    using ClientFactory = std::function<std::unique_ptr<docker::Client>()>;

    /// `docker` serves the reads of the node's state; it must outlive the watch.
    Watch(boost::asio::io_context& io, docker::Client& docker, ClientFactory separate_client,
          Settings settings, Reports reports);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    /// Starts following the node (`node_id`: its swarm id, as GET /info says); returns at once.
    void start(std::string node_id);
    /// Ends every stream and wait; the coroutines return soon after.
    void stop();

private:
    using Clock = std::chrono::steady_clock;

    boost::asio::awaitable<void> watch_node();
    boost::asio::awaitable<docker::Result<void>> refresh_node();
    /// With the release policy: reads the managers every second (and probes them when no
    /// leader answers) to learn whether this manager is on the quorum's side.
    boost::asio::awaitable<void> watch_quorum();
    /// How many of the managers (this one included) accept a TCP connection on their raft
    /// address within the probe's deadline: the majority test when no leader answers.
    boost::asio::awaitable<std::size_t> probe_managers();
    void publish_resign();
    void publish_peers(std::vector<net::IpAddress> peers);
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds duration);

    boost::asio::io_context& io_;
    docker::Client& docker_;
    ClientFactory separate_client_;
    Settings settings_;
    Reports reports_;
    std::unique_ptr<docker::Client> node_events_;
    std::unique_ptr<docker::Client> quorum_reads_;
    util::Signal node_signal_;
    util::Sleeps sleeps_;

    std::string node_id_;
    NodeView node_view_;
    std::optional<QuorumWatch> quorum_;
    std::vector<boost::asio::ip::tcp::endpoint> raft_peers_;  ///< at the last quorum read
    std::optional<std::optional<std::string>> reported_resign_;
    std::optional<std::vector<net::IpAddress>> reported_peers_;
    bool stopping_ = false;
};

}  // namespace ks::swarm
