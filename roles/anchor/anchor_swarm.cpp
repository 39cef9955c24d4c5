// The anchor and the swarm: this node's membership, role and availability, whether this manager
// still reaches the quorum, who the float's peers are, and whether a newer anchor has taken over
// the node. What they mean for the float is decided in decisions.cpp.
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "keepalived_swarm/http/client.hpp"
#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/status/float_status.hpp"
#include "roles/anchor/anchor.hpp"

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::roles::anchor {
namespace asio = boost::asio;
using boost::asio::awaitable;
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
/// The float's own status socket answers at once; an outdated float kept for a rolling update
/// is looked at again this often.
constexpr auto kFloatStatusTimeout = std::chrono::milliseconds(1s);
constexpr auto kDeferredRecheck = std::chrono::milliseconds(2s);

}  // namespace

awaitable<void> Anchor::watch_node() {
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

awaitable<docker::Result<void>> Anchor::refresh_node() {
    auto info = co_await docker_.info();
    if (!info) co_return info.error();
    NodeView view;
    view.membership = info->swarm.local_node_state;
    view.manager = info->swarm.control_available;
    if (view.in_swarm() && view.manager) {
        auto node = co_await docker_.inspect_node(info->swarm.node_id);
        if (!node) co_return node.error();
        view.availability = node->availability;
        // Sent in multicast mode too: the float then hears only the managers. A failed read
        // sends nothing, so the float keeps the last complete list.
        if (config_.instance.peers != config::PeersMode::fixed) {
            auto managers = co_await docker_.list_nodes(true);
            if (!managers) co_return managers.error();
            tether_.set_peers(peer_addresses(*managers, info->swarm.node_id));
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

void Anchor::publish_resign() {
    tether_.set_resign(resign_reason(node_view_, config_.partition_policy));
}

awaitable<void> Anchor::watch_quorum() {
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

awaitable<std::size_t> Anchor::probe_managers() {
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

awaitable<std::string> Anchor::own_update_state(docker::Client& client) {
    if (service_name_.empty()) co_return "";
    auto service = co_await client.inspect_service(service_name_);
    if (!service || !*service) co_return "";
    co_return (**service).update_state;
}

awaitable<bool> Anchor::float_is_master() {
    http::Client client(io_.get_executor(),
                        http::unix_endpoint(config_.run_directory + "/float.sock"));
    http::Request request;
    request.target = "/status";
    auto answer = co_await client.request(std::move(request), kFloatStatusTimeout);
    if (!answer || !answer->ok()) co_return false;
    auto status = status::parse_float_status(answer->body);
    if (!status) co_return false;
    co_return std::any_of(status->instances.begin(), status->instances.end(),
                          [](const status::InstanceStatus& i) { return i.state == "MASTER"; });
}

awaitable<bool> Anchor::keep_outdated_float(const std::vector<ObservedFloat>& found) {
    const auto outdated = std::find_if(found.begin(), found.end(), [&](const ObservedFloat& f) {
        return f.owned && f.name == config_.float_name && f.state == "running" &&
               f.config_hash != desired_hash_;
    });
    if (outdated == found.end()) {
        replacement_deferred_since_.reset();
        co_return false;
    }
    const auto now = Clock::now();
    const auto deferred_for =
        replacement_deferred_since_ ? now - *replacement_deferred_since_ : Clock::duration{};
    const std::string update_state = co_await own_update_state(docker_);
    const bool master = update_in_progress(update_state) && co_await float_is_master();
    if (!defer_replacement(master, update_state, deferred_for)) {
        if (replacement_deferred_since_) {
            log::info("replacing the outdated float now", {{"update", update_state}});
        }
        replacement_deferred_since_.reset();
        co_return false;
    }
    if (!replacement_deferred_since_) {
        log::info(
            "keeping the outdated float while the rolling update goes on: it holds the VIP, "
            "and replacing it now could move the VIP twice",
            {{"update", update_state}});
        replacement_deferred_since_ = now;
    }
    float_id_ = outdated->id;  // its events are this anchor's to follow meanwhile
    boost::asio::co_spawn(
        io_,
        [this]() -> awaitable<void> {
            co_await sleep(kDeferredRecheck);
            reconcile_signal_.notify();
        },
        boost::asio::detached);
    co_return true;
}

awaitable<std::optional<std::string>> Anchor::newer_anchor_on_node(docker::Client& client) {
    if (service_name_.empty() || inputs_.anchor_id.empty()) co_return std::nullopt;
    const docker::Filters filters = {
        {"label", std::vector<std::string>{"com.docker.swarm.service.name=" + service_name_}},
        {"status", std::vector<std::string>{"running"}}};
    auto listed = co_await client.list_containers(filters);
    if (!listed) {
        log::warn("cannot list this service's anchors; removing the float as usual",
                  {{"error", listed.error().describe()}});
        co_return std::nullopt;
    }
    std::vector<AnchorContainer> running;
    for (const auto& container : *listed) running.push_back({container.id, container.created});
    co_return newer_anchor(running, inputs_.anchor_id);
}

}  // namespace ks::roles::anchor
