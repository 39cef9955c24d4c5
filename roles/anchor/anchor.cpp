#include "roles/anchor/anchor.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/host_name.hpp"
#include "roles/anchor/event_pacing.hpp"

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::roles::anchor {
namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
/// A float that ran this long was healthy: its death is recreated without delay.
constexpr auto kHealthyRun = std::chrono::milliseconds(10s);
/// A safety net only: events drive the anchor, this catches anything they could miss.
constexpr auto kResync = std::chrono::milliseconds(60s);
/// Reconciles run at once up to this many in a row, then one a second: a storm of events costs
/// one reconcile a second instead of one per event.
constexpr int kReconcileBurst = 3;
constexpr auto kReconcileInterval = std::chrono::milliseconds(1s);
/// A Docker call without an answer after this long is logged while it still waits.
constexpr auto kSlowCallWarning = std::chrono::milliseconds(5s);
/// How long a float left running for a rolling update waits for the next anchor: the new task
/// may first have to pull its image.
constexpr auto kHandoverWait = std::chrono::seconds(120);
/// Between two attempts to remove the float on stop.
constexpr auto kShutdownRetryPause = std::chrono::milliseconds(500ms);

void warn_slow_call(const std::string& call, std::chrono::milliseconds waited) {
    log::warn("the Docker Engine has not answered yet; still waiting",
              {{"call", call},
               {"waited_s", waited.count() / 1000},
               {"check",
                "the engine on this node: `docker info` and the dockerd log (an engine that "
                "answers /_ping but nothing else is hung)"}});
}

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

long long milliseconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
}

std::string label_value(const docker::Labels& labels, const std::string& name) {
    auto it = labels.find(name);
    return it == labels.end() ? std::string() : it->second;
}

ObservedFloat observed_float(const std::string& id, const std::string& name,
                             const std::string& state, const docker::Labels& labels) {
    ObservedFloat observed;
    observed.id = id;
    observed.name = name;
    observed.state = state;
    observed.owned = label_value(labels, kRoleLabel) == kRoleValue;
    observed.config_hash = label_value(labels, kHashLabel);
    return observed;
}

/// GCC 12 miscompiles braced Filters inside coroutines ("array used as initializer"): they are
/// built here, outside.
docker::Filters owned_filter() {
    return {{"label", {std::string(kRoleLabel) + "=" + kRoleValue}}};
}

docker::Filters float_events_filter() {
    return {{"type", {"container"}},
            {"label", {std::string(kRoleLabel) + "=" + kRoleValue}},
            {"event", {"die", "destroy", "stop", "oom"}}};
}

}  // namespace

Anchor::Anchor(asio::io_context& io, AnchorConfig config)
    : io_(io),
      config_(std::move(config)),
      docker_(io.get_executor(), config_.docker_host),
      tether_(io.get_executor(), config_.run_directory + "/anchor.sock"),
      tracking_(io.get_executor(), config_.track_services, tether_),
      reconcile_signal_(io.get_executor()),
      sleeps_(io.get_executor()) {
    docker_.set_slow_call_handler(kSlowCallWarning, warn_slow_call);
}

void Anchor::stop() {
    if (stopping_) return;
    log::info("stopping: the float is stopped and removed first");
    stopping_ = true;
    // A call the engine never answers must not hold the stop: end it, and fail at once any call
    // still made on this client (shutdown_float() uses a client of its own, with a deadline).
    docker_.set_deadline(Clock::now());
    docker_.cancel();
    if (container_events_) container_events_->cancel();
    if (swarm_watch_) swarm_watch_->stop();
    tracking_.stop();
    if (tracking_requests_) tracking_requests_->cancel();
    if (tracking_events_) tracking_events_->cancel();
    reconcile_signal_.notify();
    sleeps_.cancel_all();
}

awaitable<void> Anchor::sleep(std::chrono::milliseconds duration) {
    co_await sleeps_.sleep(duration);
}

std::unique_ptr<docker::Client> Anchor::separate_client() {
    auto client = docker_.another_connection(io_.get_executor());
    client->set_slow_call_handler(kSlowCallWarning, warn_slow_call);
    return client;
}

awaitable<int> Anchor::run() {
    if (auto problem = tether_.start()) {
        log::error(*problem);
        co_return 1;
    }
    if (!co_await connect()) co_return 0;
    if (auto problem = co_await discover()) {
        log::error(*problem);
        tether_.stop();
        co_return 1;
    }
    if (!co_await resolve_image()) {
        tether_.stop();
        co_return 0;
    }
    desired_ = make_float_spec(config_, inputs_);
    desired_hash_ = desired_.labels.at(kHashLabel);
    log::info("float configuration", {{"image", inputs_.image_reference},
                                      {"image_id", inputs_.image_id},
                                      {"config_hash", desired_hash_}});

    container_events_ = separate_client();
    asio::co_spawn(
        io_,
        docker::follow_events(*container_events_, float_events_filter(),
                              following(
                                  "float containers", [this] { reconcile_signal_.notify(); },
                                  [this](const docker::Event& event) { on_float_event(event); })),
        asio::detached);
    if (in_swarm_) {
        swarm_watch_ = std::make_unique<swarm::Watch>(
            io_, docker_, [this] { return separate_client(); },
            swarm::Watch::Settings{config_.partition_policy,
                                   config_.instance.peers != config::PeersMode::fixed},
            swarm::Watch::Reports{
                [this](const std::vector<net::IpAddress>& peers) { tether_.set_peers(peers); },
                [this](const std::optional<std::string>& reason) { tether_.set_resign(reason); }});
        swarm_watch_->start(node_id_);
    }
    start_tracking();
    co_await supervise();
    const bool clean = co_await shutdown_float();
    tether_.stop();
    co_return clean ? 0 : 1;
}

awaitable<bool> Anchor::connect() {
    util::Backoff backoff(200ms, 10s);
    while (!stopping_) {
        auto version = co_await docker_.negotiate();
        if (version) {
            auto details = co_await docker_.version();
            log::info("connected to the Docker Engine",
                      {{"host", config_.docker_host.to_string()},
                       {"api_version", version->to_string()},
                       {"engine", details ? details->engine_version : "unknown"}});
            co_return true;
        }
        if (stopping_) break;
        if (version.error().kind == docker::ErrorKind::unsupported) {
            log::error(version.error().describe());
        } else {
            log::warn("cannot reach the Docker Engine; retrying",
                      {{"error", version.error().describe()}});
        }
        co_await sleep(backoff.next_delay());
    }
    co_return false;
}

awaitable<std::optional<std::string>> Anchor::discover() {
    util::Backoff backoff(200ms, 10s);
    docker::Result<docker::SystemInfo> info = docker::Error{};
    bool reported_unsettled = false;
    while (!stopping_) {
        info = co_await docker_.info();
        if (stopping_) break;
        if (!info) {
            log::warn("GET /info failed; retrying", {{"error", info.error().describe()}});
        } else if (swarm::membership_settled(info->swarm.local_node_state)) {
            break;
        } else if (!reported_unsettled) {
            // Joining, just promoted, or a raft error (a node promoted again right after its
            // demotion): neither in a swarm nor outside one yet. Deciding now would start the
            // float standalone, or fail.
            log::warn("this node's swarm membership is not settled; waiting",
                      {{"state", info->swarm.local_node_state},
                       {"error", info->swarm.error},
                       {"check", "docker info (Swarm), and the dockerd log"}});
            reported_unsettled = true;
        }
        co_await sleep(backoff.next_delay());
    }
    if (!info || stopping_) co_return std::nullopt;
    in_swarm_ = info->swarm.local_node_state == "active" && !info->swarm.node_id.empty();
    node_id_ = info->swarm.node_id;
    inputs_.node_address = in_swarm_ ? info->swarm.node_addr : "";
    inputs_.in_swarm = in_swarm_;
    inputs_.node_hostname = config_.node_hostname.empty() ? info->name : config_.node_hostname;
    log::info("this node", {{"name", info->name},
                            {"swarm", in_swarm_ ? "active" : info->swarm.local_node_state},
                            {"node_id", node_id_},
                            {"node_address", inputs_.node_address},
                            {"manager", info->swarm.control_available}});
    if (config_.instance.interface.empty() && !config_.instance.node_address &&
        inputs_.node_address.empty()) {
        co_return "the Docker Engine is not in a swarm, so the anchor cannot give the float this "
                  "node's address; set --interface (KEEPALIVED_INTERFACE) or --node-address "
                  "(KEEPALIVED_NODE_ADDRESS)";
    }

    // In a container, the host name is the container's short id (unless it shares the host's
    // network); the container's own files are mounted from a folder named after its full id.
    const std::string hostname = util::host_name().value_or("");
    inputs_.anchor_id = hostname;
    std::vector<std::string> candidates;
    if (auto id = container_id_from_mountinfo(read_file("/proc/self/mountinfo"))) {
        candidates.push_back(*id);
    }
    if (!hostname.empty()) candidates.push_back(hostname);
    for (const auto& candidate : candidates) {
        auto own = co_await docker_.inspect_container(candidate);
        if (!own || !*own || !(*own)->id.starts_with(candidate)) continue;
        inputs_.anchor_id = (*own)->id;
        if (config_.float_image.empty()) {
            inputs_.image_id = (*own)->image_id;
            inputs_.image_reference = (*own)->config_image;
        }
        if (auto service = (*own)->labels.find("com.docker.swarm.service.name");
            service != (*own)->labels.end()) {
            service_name_ = service->second;
        }
        log::info(
            "the anchor's own container",
            {{"id", (*own)->id}, {"image", (*own)->config_image}, {"service", service_name_}});
        break;
    }
    if (config_.float_image.empty() && inputs_.image_id.empty()) {
        co_return "the anchor is not running in a container of this Docker Engine (no container "
                  "with id '" + hostname + "'), so it cannot use its own image for the float; "
                  "set --float-image (KEEPALIVED_IMAGE)";
    }
    co_return std::nullopt;
}

awaitable<bool> Anchor::resolve_image() {
    if (!inputs_.image_id.empty()) co_return true;  // the anchor's own image, present already
    const std::string reference = config_.float_image;
    inputs_.image_reference = reference;
    util::Backoff backoff(1s, 30s);
    bool pull_first = config_.pull == PullPolicy::always;
    while (!stopping_) {
        if (pull_first) {
            log::info("pulling the float image", {{"image", reference}});
            std::string last_status;
            auto pulled = co_await docker_.pull_image(
                reference, [&last_status](const docker::PullProgress& progress) {
                    if (progress.status == last_status) return;
                    last_status = progress.status;
                    if (progress.progress.empty()) {
                        log::info("pull", {{"status", progress.status}, {"id", progress.id}});
                    }
                });
            if (!pulled) {
                if (stopping_) break;
                log::error("cannot pull the float image; retrying",
                           {{"image", reference}, {"error", pulled.error().describe()}});
                // --pull always: a float from the local copy beats no float (a registry outage
                // must not take the VIP down); --pull missing: the image may be loaded by hand.
                auto local = co_await docker_.inspect_image(reference);
                if (local && *local) {
                    log::warn("the pull failed; using the image already on this node",
                              {{"image", reference}, {"image_id", (*local)->id}});
                    inputs_.image_id = (*local)->id;
                    co_return true;
                }
                if (config_.pull == PullPolicy::missing) pull_first = false;
                co_await sleep(backoff.next_delay());
                continue;
            }
        }
        auto image = co_await docker_.inspect_image(reference);
        if (image && *image) {
            inputs_.image_id = (*image)->id;
            co_return true;
        }
        if (stopping_) break;
        if (!image) {
            log::warn("cannot inspect the float image; retrying",
                      {{"image", reference}, {"error", image.error().describe()}});
        } else if (config_.pull == PullPolicy::never) {
            log::error(
                "the float image is not on this node and --pull is never; load it or "
                "allow pulling; retrying",
                {{"image", reference}});
        } else {
            pull_first = true;
            continue;
        }
        co_await sleep(backoff.next_delay());
    }
    co_return false;
}

awaitable<void> Anchor::supervise() {
    util::Backoff failures(100ms, 5s);
    ReconcilePacer pacer(kReconcileBurst, kReconcileInterval);
    reconcile_signal_.notify();
    while (!stopping_) {
        co_await reconcile_signal_.wait(kResync);
        if (stopping_) break;
        const auto now = Clock::now();
        const auto gap =
            std::chrono::duration_cast<std::chrono::milliseconds>(pacer.start_at(now) - now);
        if (gap.count() > 0) co_await sleep(gap);
        if (stopping_) break;
        // Whatever asked for a reconcile until now is covered by this one.
        reconcile_signal_.clear();
        pacer.started(Clock::now());
        auto result = co_await reconcile();
        if (result) {
            failures.reset();
            continue;
        }
        if (stopping_) break;
        log::warn("reconciling the float failed; retrying", {{"error", result.error().describe()}});
        co_await sleep(failures.next_delay());
        reconcile_signal_.notify();
    }
}

awaitable<docker::Result<std::vector<ObservedFloat>>> Anchor::observe(docker::Client& client) {
    const docker::Filters filters = owned_filter();
    auto listed = co_await client.list_containers(filters);
    if (!listed) co_return listed.error();
    // The list can still say "running" right after a die event; inspect waits for the engine to
    // finish handling the exit, so states come from inspect. A container holding the float's
    // name without the label (made by hand or by the original project) is found by name.
    std::vector<std::string> ids = {config_.float_name};
    for (const auto& container : *listed) ids.push_back(container.id);
    std::vector<ObservedFloat> found;
    for (const auto& id : ids) {
        auto inspected = co_await client.inspect_container(id);
        if (!inspected) co_return inspected.error();
        if (!*inspected) continue;  // removed meanwhile
        const auto& info = **inspected;
        const bool known = std::any_of(found.begin(), found.end(),
                                       [&](const ObservedFloat& f) { return f.id == info.id; });
        if (!known) {
            found.push_back(observed_float(info.id, info.name, info.state.status, info.labels));
        }
    }
    co_return found;
}

awaitable<docker::Result<void>> Anchor::reconcile() {
    auto found = co_await observe(docker_);
    if (!found) co_return found.error();
    const ReconcilePlan plan = plan_reconcile(*found, config_.float_name, desired_hash_);
    if (plan.adopt && plan.idle()) {
        if (*plan.adopt != float_id_) {
            log::info("adopted the running float (same configuration)", {{"id", *plan.adopt}});
            float_id_ = *plan.adopt;
            float_started_ = Clock::now() - kHealthyRun;
        }
        co_return docker::Result<void>{};
    }
    if (plan.wait && plan.idle()) {
        log::debug("waiting for a removal to finish", {{"reason", plan.reason}});
        co_return docker::Result<void>{};
    }
    if (co_await keep_outdated_float(*found)) co_return docker::Result<void>{};
    log::info("reconciling the float", {{"reason", plan.reason}});
    const bool ours_died =
        !float_id_.empty() &&
        std::find(plan.remove.begin(), plan.remove.end(), float_id_) != plan.remove.end() &&
        std::find(plan.stop.begin(), plan.stop.end(), float_id_) == plan.stop.end();
    if (ours_died && plan.create) {
        const auto ran_for =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - float_started_);
        const auto delay = restart_delay(ran_for, kHealthyRun, crashes_);
        if (delay.count() > 0) {
            log::warn("the float exited soon after starting; waiting before the next one",
                      {{"ran_ms", ran_for.count()}, {"delay_ms", delay.count()}});
            co_await sleep(delay);
            if (stopping_) co_return docker::Result<void>{};
        }
    }
    co_return co_await apply(docker_, plan);
}

awaitable<docker::Result<void>> Anchor::apply(docker::Client& client, const ReconcilePlan& plan) {
    for (const auto& id : plan.stop) {
        log::info("stopping a float container",
                  {{"id", id}, {"grace_s", config_.stop_timeout.count()}});
        auto stopped = co_await client.stop_container(id, config_.stop_timeout);
        if (!stopped) co_return stopped.error();
    }
    for (const auto& id : plan.remove) {
        auto removed = co_await client.remove_container(id, true);
        if (!removed) co_return removed.error();
        if (id == float_id_) float_id_.clear();
    }
    if (plan.create && !stopping_) co_return co_await create_float();
    co_return docker::Result<void>{};
}

awaitable<docker::Result<void>> Anchor::create_float() {
    auto created = co_await docker_.create_container(config_.float_name, desired_);
    if (!created) co_return created.error();
    auto started = co_await docker_.start_container(*created);
    if (!started) {
        // Leave nothing half made: the next attempt starts from scratch.
        co_await docker_.remove_container(*created, true);
        co_return started.error();
    }
    float_id_ = *created;
    float_started_ = Clock::now();
    if (death_seen_) {
        log::info("float running again",
                  {{"id", float_id_}, {"ms_since_death", milliseconds_since(*death_seen_)}});
        death_seen_.reset();
    } else {
        log::info("float started", {{"id", float_id_}});
    }
    auto inspected = co_await docker_.inspect_container(float_id_);
    if (inspected && *inspected) {
        for (const auto& difference :
             host_config_differences(desired_, (**inspected).host_config)) {
            log::error("the Docker Engine changed the float's host configuration",
                       {{"difference", difference}});
        }
    }
    co_return docker::Result<void>{};
}

awaitable<bool> Anchor::shutdown_float() {
    // The anchor's own client was cancelled by stop(): one of its own, whose calls all end by
    // the deadline, so that an engine that hangs cannot hold the stop past the stack's grace.
    const auto budget = shutdown_budget(config_.stop_timeout);
    const auto deadline = Clock::now() + budget;
    auto client = separate_client();
    client->set_deadline(deadline);
    if (auto successor = co_await newer_anchor_on_node(*client)) {
        log::info("a newer anchor of this service runs on this node; leaving the float to it",
                  {{"anchor", *successor}, {"float", float_id_}});
        co_return true;
    }
    // A rolling update stops this task before it starts the next (stop-first): the float keeps
    // the VIPs meanwhile, and the next anchor replaces it if it must, when it holds no VIP or
    // the update is over, so the VIP moves at most once.
    if (!float_id_.empty() && update_in_progress(co_await own_update_state(*client))) {
        log::info(
            "this anchor's service is being updated: leaving the float running for the "
            "next anchor",
            {{"float", float_id_}, {"waits_s", kHandoverWait.count()}});
        co_await tether_.hand_over(kHandoverWait);
        co_return true;
    }
    docker::Result<void> result = docker::Result<void>{};
    while (true) {
        auto found = co_await observe(*client);
        result = found ? docker::Result<void>{} : found.error();
        if (found) {
            const ReconcilePlan plan = plan_shutdown(*found);
            for (const auto& id : plan.stop) {
                log::info("stopping the float",
                          {{"id", id}, {"grace_s", config_.stop_timeout.count()}});
            }
            result = co_await apply(*client, plan);
        }
        if (result) {
            log::info("the float is gone; exiting");
            co_return true;
        }
        if (Clock::now() + kShutdownRetryPause >= deadline) break;
        log::error("cannot stop the float; retrying", {{"error", result.error().describe()}});
        asio::steady_timer pause(io_, kShutdownRetryPause);
        co_await pause.async_wait(kNoThrow);
    }
    log::error(
        "could not remove the float before the stop deadline; exiting anyway: the tether closes "
        "now, so the float resigns the VIPs at once. Check the Docker Engine on this node "
        "(`docker info`, the dockerd log), then remove the float by hand (`docker rm -f " +
            config_.float_name + "`) or start the anchor again to adopt it",
        {{"deadline_s", budget.count() / 1000}, {"error", result.error().describe()}});
    co_return false;
}

void Anchor::start_tracking() {
    if (!tracking_.enabled()) return;
    if (!in_swarm_) {
        tracking_.report_outside_swarm();
        return;
    }
    // A connection of its own for the requests too: the anchor's own one waits up to
    // --stop-timeout while a float stops, and a tracker must not lag behind by that much.
    tracking_requests_ = separate_client();
    tracking_events_ = separate_client();
    asio::co_spawn(io_,
                   docker::follow_events(
                       *tracking_events_, ServiceTracking::events_filter(),
                       following(
                           "tracked services", [this] { tracking_.resync(); },
                           [this](const docker::Event& event) { tracking_.on_event(event); })),
                   asio::detached);
    asio::co_spawn(io_, tracking_.run(*tracking_requests_, node_id_), asio::detached);
}

}  // namespace ks::roles::anchor
