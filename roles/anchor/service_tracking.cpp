#include "roles/anchor/service_tracking.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "keepalived_swarm/log/log.hpp"

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
/// A look this often whatever the events say: a missed event costs this much at most.
constexpr auto kRecheck = std::chrono::milliseconds(10s);
/// A look this often while a task is on its way to running: the swarm's report that it runs
/// comes with no event of its own.
constexpr auto kSettlingRecheck = std::chrono::milliseconds(1s);
/// The least time between two looks: a storm of events (a service scaled to 50, a healthcheck
/// flapping) makes one look per gap, not one per event.
constexpr auto kLeastGap = std::chrono::milliseconds(300ms);
/// The label Docker gives every container of a swarm task.
constexpr const char* kServiceNameLabel = "com.docker.swarm.service.name";

std::string tracker_name(const std::string& service) {
    return "service:" + service;
}

/// GCC 12 miscompiles braced Filters inside coroutines ("array used as initializer"): they are
/// built here, outside.
docker::Filters tasks_filter(const std::string& service_id, const std::string& node_id) {
    return {{"service", {service_id}}, {"node", {node_id}}, {"desired-state", {"running"}}};
}

}  // namespace

ServiceTracking::ServiceTracking(asio::any_io_executor executor, std::vector<std::string> services,
                                 tether::Server& tether)
    : services_(std::move(services)), tether_(tether), wake_(executor), pause_(executor) {}

docker::Filters ServiceTracking::events_filter() {
    // Both types in one stream: the daemon ORs values of one key and ANDs keys. Container events
    // are not narrowed by label on the daemon's side, since a label filter would drop every
    // service event (they carry no labels); on_event() picks.
    return {{"type", {"container", "service"}},
            {"event", {"start", "die", "health_status", "destroy", "create", "update", "remove"}}};
}

void ServiceTracking::report_outside_swarm() {
    ServiceObservation outside;
    outside.in_swarm = false;
    for (const auto& service : services_) report(service, service_health(service, outside));
}

void ServiceTracking::stop() {
    stopping_ = true;
    wake_.notify();
    pause_.cancel();
}

void ServiceTracking::on_event(const docker::Event& event) {
    std::string service;
    if (event.type == "container") {
        auto label = event.attributes.find(kServiceNameLabel);
        if (label != event.attributes.end()) service = label->second;
    } else if (event.type == "service") {
        auto name = event.attributes.find("name");
        if (name != event.attributes.end()) {
            service = name->second;
        } else if (auto known = service_ids_.find(event.actor_id); known != service_ids_.end()) {
            service = known->second;
        }
    }
    if (std::find(services_.begin(), services_.end(), service) == services_.end()) return;
    log::debug("event of a tracked service",
               {{"service", service}, {"type", event.type}, {"action", event.action}});
    wake_.notify();
}

awaitable<void> ServiceTracking::run(docker::Client& client, std::string node_id) {
    log::info("tracking services on this node", {{"count", services_.size()}});
    wake_.notify();
    bool settling = false;
    while (!stopping_) {
        co_await wake_.wait(settling ? kSettlingRecheck : kRecheck);
        if (stopping_) break;
        settling = co_await look(client, node_id);
        // Events that arrive during the look or this pause make one more look after it.
        pause_.expires_after(kLeastGap);
        co_await pause_.async_wait(kNoThrow);
    }
}

awaitable<bool> ServiceTracking::look(docker::Client& client, const std::string& node_id) {
    bool settling = false;
    for (const auto& service : services_) {
        auto observed = co_await observe(client, service, node_id);
        if (stopping_) co_return false;
        if (!observed) {
            // No answer is no news: the float keeps the last state it was told (a Docker hiccup
            // must not move the VIP). Only a service never told about is reported down.
            log::warn("cannot read a tracked service; trying again shortly",
                      {{"service", service}, {"error", observed.error().describe()}});
            if (!reported_.contains(service)) {
                report(service,
                       {false, "cannot ask the Docker Engine: " + observed.error().describe()});
            }
            continue;
        }
        if (!observed->exists && !missing_.contains(service)) {
            log::warn(
                "a tracked service does not exist; it counts as down until it is created "
                "(check --track-service: `docker service ls` shows the names)",
                {{"service", service}});
            missing_.insert(service);
        } else if (observed->exists) {
            missing_.erase(service);
        }
        report(service, service_health(service, *observed));
        settling = settling || service_settling(*observed);
    }
    log::debug("looked at the tracked services", {{"settling", settling}});
    co_return settling;
}

awaitable<docker::Result<ServiceObservation>> ServiceTracking::observe(docker::Client& client,
                                                                       const std::string& service,
                                                                       const std::string& node_id) {
    ServiceObservation observed;
    auto inspected = co_await client.inspect_service(service);
    if (!inspected) co_return inspected.error();
    // The engine also finds a service by a prefix of its id: another service's, then.
    if (!*inspected || (*inspected)->name != service) co_return observed;
    const auto& info = **inspected;
    observed.exists = true;
    observed.has_healthcheck = info.has_healthcheck;
    service_ids_[info.id] = service;
    // Filtered by id, not name: the id cannot be another service's.
    auto tasks = co_await client.list_tasks(tasks_filter(info.id, node_id));
    if (!tasks) co_return tasks.error();
    for (const auto& task : *tasks) {
        TrackedTask tracked{task.id, task.state, ""};
        if (task.state == "running" && !task.container_id.empty()) {
            auto container = co_await client.inspect_container(task.container_id);
            if (!container) co_return container.error();
            // The task's state can lag behind its container's (the die event brings another
            // look): a container that no longer runs does not count.
            if (!*container) {
                tracked.state = "removed";
            } else if (!(*container)->state.running) {
                tracked.state = (*container)->state.status;
            } else {
                tracked.health = (*container)->state.health_status;
            }
        }
        observed.tasks.push_back(std::move(tracked));
    }
    co_return observed;
}

void ServiceTracking::report(const std::string& service, const ServiceHealth& health) {
    tether_.set_tracker(tracker_name(service), health.up, health.reason);
    reported_.insert(service);
}

}  // namespace ks::roles::anchor
