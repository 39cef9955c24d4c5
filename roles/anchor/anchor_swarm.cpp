// The anchor and its own service: whether a rolling update goes on, whether the float holds the
// VIP meanwhile, and whether a newer anchor has taken over the node. (This node's place in the
// swarm is swarm::Watch's.)
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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

/// The float's own status socket answers at once; an outdated float kept for a rolling update
/// is looked at again this often.
constexpr auto kFloatStatusTimeout = std::chrono::milliseconds(1s);
constexpr auto kDeferredRecheck = std::chrono::milliseconds(2s);

}  // namespace

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
