#include "keepalived_swarm/swarm/watch.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "keepalived_swarm/docker/event_stream.hpp"
#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/backoff.hpp"

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::swarm {
namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {

/// A safety net only: node events drive the refresh, this catches anything they could miss.
constexpr auto kNodeResync = std::chrono::milliseconds(60s);
/// A worker gets no node events, and a membership on its way in or out settles without one:
/// both are looked at again this soon.
constexpr auto kWorkerRecheck = std::chrono::milliseconds(5s);
constexpr auto kUnsettledRecheck = std::chrono::milliseconds(1s);
/// The quorum read: once a second, each with a deadline short enough that a hung engine is
/// judged within the grace.
constexpr auto kQuorumReadInterval = std::chrono::milliseconds(1s);
constexpr auto kQuorumReadTimeout = std::chrono::milliseconds(2s);
/// A manager on the same network answers a connect in well under a millisecond; one that does
/// not within this long counts as cut off for this round.
constexpr auto kRaftProbeTimeout = std::chrono::milliseconds(1s);

/// Built outside the coroutines: GCC 12 miscompiles braced Filters inside them.
docker::Filters node_events_filter() {
    return {{"type", {"node"}}};
}

}  // namespace

Watch::Watch(asio::io_context& io, docker::Client& docker, ClientFactory separate_client,
             Settings settings, Reports reports)
    : io_(io),
      docker_(docker),
      separate_client_(std::move(separate_client)),
      settings_(settings),
      reports_(std::move(reports)),
      node_signal_(io.get_executor()),
      sleeps_(io.get_executor()) {}

Watch::~Watch() = default;

void Watch::start(std::string node_id) {
    node_id_ = std::move(node_id);
    node_events_ = separate_client_();
    asio::co_spawn(
        io_,
        docker::follow_events(
            *node_events_, node_events_filter(),
            docker::EventFollowing{"swarm nodes", [this] { node_signal_.notify(); },
                                   [this](const docker::Event&) { node_signal_.notify(); },
                                   [this] { return stopping_; },
                                   [this](std::chrono::milliseconds d) { return sleep(d); }}),
        asio::detached);
    asio::co_spawn(io_, watch_node(), asio::detached);
    if (settings_.policy == PartitionPolicy::release) {
        quorum_.emplace(Clock::now());
        quorum_reads_ = separate_client_();
        asio::co_spawn(io_, watch_quorum(), asio::detached);
    }
}

void Watch::stop() {
    if (stopping_) return;
    stopping_ = true;
    if (node_events_) node_events_->cancel();
    if (quorum_reads_) quorum_reads_->cancel();
    node_signal_.notify();
    sleeps_.cancel_all();
}

awaitable<void> Watch::sleep(std::chrono::milliseconds duration) {
    co_await sleeps_.sleep(duration);
}

awaitable<void> Watch::watch_node() {
    util::Backoff failures(500ms, 10s);
    while (!stopping_) {
        co_await node_signal_.wait(kNodeResync);
        if (stopping_) break;
        auto refreshed = co_await refresh_node();
        if (stopping_) break;
        if (!refreshed) {
            log::warn("cannot read this node's swarm state; retrying",
                      {{"error", refreshed.error().describe()}});
            co_await sleep(failures.next_delay());
            node_signal_.notify();
            continue;
        }
        failures.reset();
    }
}

awaitable<docker::Result<void>> Watch::refresh_node() {
    auto info = co_await docker_.info();
    if (!info) co_return info.error();
    node_id_ = info->swarm.node_id;
    NodeView view;
    view.membership = info->swarm.local_node_state;
    view.manager = info->swarm.control_available;
    if (view.in_swarm() && view.manager) {
        auto node = co_await docker_.inspect_node(info->swarm.node_id);
        if (!node) co_return node.error();
        view.availability = node->availability;
        // Reported in multicast mode too: the float then hears only the managers. A failed read
        // reports nothing, so the float keeps the last complete list.
        if (settings_.report_peers) {
            auto managers = co_await docker_.list_nodes(true);
            if (!managers) co_return managers.error();
            publish_peers(peer_addresses(*managers, info->swarm.node_id));
        }
    }
    if (view.membership != node_view_.membership) {
        log::info("this node's swarm membership", {{"state", view.membership}});
    }
    view.quorum_lost = node_view_.quorum_lost;
    node_view_ = view;
    publish_resign();
    if (!view.settled()) {
        co_await sleep(kUnsettledRecheck);
        node_signal_.notify();
    } else if (view.in_swarm() && !view.manager) {
        co_await sleep(kWorkerRecheck);
        node_signal_.notify();
    }
    co_return docker::Result<void>{};
}

void Watch::publish_resign() {
    auto reason = resign_reason(node_view_, settings_.policy);
    if (reported_resign_ && *reported_resign_ == reason) return;
    reported_resign_ = reason;
    reports_.resign(reason);
}

void Watch::publish_peers(std::vector<net::IpAddress> peers) {
    if (reported_peers_ && *reported_peers_ == peers) return;
    reported_peers_ = peers;
    reports_.peers(peers);
}

awaitable<void> Watch::watch_quorum() {
    while (!stopping_) {
        const auto started = Clock::now();
        auto managers = co_await quorum_reads_->list_nodes(true, kQuorumReadTimeout);
        if (stopping_) break;
        const bool was_lost = quorum_->lost(Clock::now());
        if (managers) {
            raft_peers_ = raft_endpoints(*managers, node_id_);
            quorum_->answered(Clock::now(), reachable_count(*managers), managers->size());
        } else {
            const auto reachable = co_await probe_managers();
            if (stopping_) break;
            quorum_->unanswered(managers.error().message, reachable);
        }
        const auto now = Clock::now();
        const bool lost = quorum_->lost(now);
        if (lost != was_lost || lost != node_view_.quorum_lost) {
            if (lost) {
                log::warn("this manager has lost the swarm's quorum",
                          {{"why", quorum_->reason(now)}, {"policy", "release"}});
            } else {
                log::info("this manager reaches the swarm's quorum again");
            }
            node_view_.quorum_lost = lost;
            publish_resign();
        }
        co_await sleep(std::max<std::chrono::milliseconds>(
            0ms, std::chrono::duration_cast<std::chrono::milliseconds>(kQuorumReadInterval -
                                                                       (Clock::now() - started))));
    }
}

awaitable<std::size_t> Watch::probe_managers() {
    // All at once, each connection abandoned at the deadline: a cut-off peer's SYN is dropped
    // silently, so only the deadline ends its attempt.
    struct Probe {
        explicit Probe(asio::io_context& io) : socket(io) {}
        asio::ip::tcp::socket socket;
        bool connected = false;
    };
    std::vector<std::shared_ptr<Probe>> probes;
    for (const auto& endpoint : raft_peers_) {
        auto probe = std::make_shared<Probe>(io_);
        probe->socket.async_connect(endpoint, [probe](const boost::system::error_code& error) {
            probe->connected = !error;
        });
        probes.push_back(std::move(probe));
    }
    co_await sleep(kRaftProbeTimeout);
    std::size_t reachable = 1;  // this manager
    for (auto& probe : probes) {
        if (probe->connected) ++reachable;
        boost::system::error_code ignored;
        probe->socket.close(ignored);
    }
    co_return reachable;
}

}  // namespace ks::swarm
