#pragma once
// --track-service: whether each named swarm service has a task running (and healthy, when it has
// a healthcheck) on this node, told to the float as the tracker "service:NAME". Docker events
// about the services and their containers trigger a look, and so does a timer (events can be
// missed while the stream reconnects); the rules themselves are service_health().

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "keepalived_swarm/docker/client.hpp"
#include "keepalived_swarm/tether/server.hpp"
#include "keepalived_swarm/util/signal.hpp"
#include "roles/anchor/decisions.hpp"

namespace ks::roles::anchor {

class ServiceTracking {
public:
    ServiceTracking(boost::asio::any_io_executor executor, std::vector<std::string> services,
                    tether::Server& tether);

    bool enabled() const { return !services_.empty(); }
    /// Outside a swarm there are no services: each one is down, for good.
    void report_outside_swarm();
    /// Looks at every tracked service at once, then on each wake-up and every 10 s (every
    /// second while a task is settling), until stop(). `client` must be free for this loop alone
    /// (its calls would wait behind others).
    boost::asio::awaitable<void> run(docker::Client& client, std::string node_id);
    /// An event of the stream filtered by events_filter(): wakes run() when it concerns a
    /// tracked service.
    void on_event(const docker::Event& event);
    /// Wakes run(): the event stream was (re)subscribed, anything may have changed meanwhile.
    void resync() { wake_.notify(); }
    void stop();

    /// The events that can change a service's health on this node.
    static docker::Filters events_filter();

private:
    /// Looks at every service; true when one of them is settling (service_settling()).
    boost::asio::awaitable<bool> look(docker::Client& client, const std::string& node_id);
    boost::asio::awaitable<docker::Result<ServiceObservation>> observe(docker::Client& client,
                                                                       const std::string& service,
                                                                       const std::string& node_id);
    void report(const std::string& service, const ServiceHealth& health);

    std::vector<std::string> services_;
    tether::Server& tether_;
    util::Signal wake_;
    boost::asio::steady_timer pause_;
    std::map<std::string, std::string> service_ids_;  ///< id -> tracked name, as last seen
    std::set<std::string> reported_;  ///< services the float was told about at least once
    std::set<std::string> missing_;   ///< services last seen not to exist (warned once)
    bool stopping_ = false;
};

}  // namespace ks::roles::anchor
