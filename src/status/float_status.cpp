#include "keepalived_swarm/status/float_status.hpp"

#include <boost/json.hpp>

#include "json_fields.hpp"
#include "keepalived_swarm/status/prometheus.hpp"

namespace ks::status {
namespace json = boost::json;
using json_fields::read_objects;
using json_fields::read_transition;
using json_fields::Reader;
using json_fields::strings_json;
using json_fields::transition_json;
namespace {

json::value instance_to_json(const InstanceStatus& s) {
    json::object dropped;
    for (const auto& [reason, count] : s.adverts_dropped) dropped[reason] = count;
    json::array transitions;
    for (const auto& t : s.transitions) {
        transitions.emplace_back(transition_json(t));
    }
    json::array trackers;
    for (const auto& t : s.trackers) {
        trackers.emplace_back(json::object{{"name", t.name},
                                           {"kind", t.kind},
                                           {"target", t.target},
                                           {"failures_in_a_row", t.failures_in_a_row},
                                           {"successes_in_a_row", t.successes_in_a_row},
                                           {"up", t.up},
                                           {"weight", t.weight},
                                           {"reason", t.reason},
                                           {"since", t.since}});
    }
    json::array foreign;
    for (const auto& f : s.foreign_sources) {
        foreign.emplace_back(json::object{{"address", f.address},
                                          {"priority", f.priority},
                                          {"count", f.count},
                                          {"last_seen", f.last_seen}});
    }
    json::array conflicts;
    for (const auto& c : s.vip_conflicts) {
        conflicts.emplace_back(json::object{
            {"vip", c.vip}, {"mac", c.mac}, {"count", c.count}, {"last_seen", c.last_seen}});
    }
    return json::object{
        {"name", s.name},
        {"interface", s.interface},
        {"vrid", s.vrid},
        {"vrrp_version", s.vrrp_version},
        {"family", s.family},
        {"state", s.state},
        {"since", s.since},
        {"priority", s.priority},
        {"effective_priority", s.effective_priority},
        {"preempt", s.preempt},
        {"advert_interval_ms", s.advert_interval_ms},
        {"master_advert_interval_ms", s.master_advert_interval_ms},
        {"vips", strings_json(s.vips)},
        {"vips_held", strings_json(s.vips_held.value_or(std::vector<std::string>{}))},
        {"primary_address", s.primary_address},
        {"master", s.master},
        {"home", s.home},
        {"mode", s.mode},
        {"peers", strings_json(s.peers)},
        {"accept_from", s.accept_from},
        {"trackers", std::move(trackers)},
        {"foreign_sources", std::move(foreign)},
        {"vip_conflicts", std::move(conflicts)},
        {"vips_restored", s.vips_restored},
        {"adverts_sent", s.adverts_sent},
        {"adverts_received", s.adverts_received},
        {"adverts_dropped", std::move(dropped)},
        {"transitions_total", s.transitions_total},
        {"transitions", std::move(transitions)},
    };
}

bool read_instance(const json::value& value, InstanceStatus& s) {
    const auto* object = value.if_object();
    if (object == nullptr) return false;
    Reader r(*object);
    r.read("name", s.name);
    r.read("interface", s.interface);
    r.read("vrid", s.vrid);
    r.read("vrrp_version", s.vrrp_version);
    r.read("family", s.family);
    r.read("state", s.state);
    r.read("since", s.since);
    r.read("priority", s.priority);
    r.read("effective_priority", s.effective_priority);
    r.read("preempt", s.preempt);
    r.read("advert_interval_ms", s.advert_interval_ms);
    r.read("master_advert_interval_ms", s.master_advert_interval_ms);
    r.read("vips", s.vips);
    if (r.find("vips_held") != nullptr) r.read("vips_held", s.vips_held.emplace());
    r.read("primary_address", s.primary_address);
    r.read("master", s.master);
    r.read("home", s.home);
    r.read("mode", s.mode);
    r.read("peers", s.peers);
    r.read("accept_from", s.accept_from);
    r.read("vips_restored", s.vips_restored);
    r.read("adverts_sent", s.adverts_sent);
    r.read("adverts_received", s.adverts_received);
    r.read("transitions_total", s.transitions_total);
    if (const auto* dropped = r.find("adverts_dropped")) {
        if (const auto* o = dropped->if_object()) {
            for (const auto& [reason, count] : *o) {
                json::error_code ec;
                const auto n = count.to_number<std::uint64_t>(ec);
                if (ec) return false;
                s.adverts_dropped[std::string(reason)] = n;
            }
        } else {
            r.fail();
        }
    }
    const bool lists_ok =
        read_objects(r, "transitions", s.transitions, read_transition) &&
        read_objects(r, "trackers", s.trackers,
                     [](Reader& tr, TrackerStatus& t) {
                         tr.read("name", t.name);
                         tr.read("kind", t.kind);
                         tr.read("target", t.target);
                         tr.read("failures_in_a_row", t.failures_in_a_row);
                         tr.read("successes_in_a_row", t.successes_in_a_row);
                         tr.read("up", t.up);
                         tr.read("weight", t.weight);
                         tr.read("reason", t.reason);
                         tr.read("since", t.since);
                     }) &&
        read_objects(r, "foreign_sources", s.foreign_sources,
                     [](Reader& fr, ForeignSource& f) {
                         fr.read("address", f.address);
                         fr.read("priority", f.priority);
                         fr.read("count", f.count);
                         fr.read("last_seen", f.last_seen);
                     }) &&
        read_objects(r, "vip_conflicts", s.vip_conflicts, [](Reader& cr, VipConflict& c) {
            cr.read("vip", c.vip);
            cr.read("mac", c.mac);
            cr.read("count", c.count);
            cr.read("last_seen", c.last_seen);
        });
    return lists_ok && r.ok();
}

}  // namespace

json::value to_json(const FloatStatus& status) {
    json::array instances;
    for (const auto& instance : status.instances) instances.push_back(instance_to_json(instance));
    return json::object{{"version", status.version},
                        {"node", status.node},
                        {"started_at", status.started_at},
                        {"tether", status.tether},
                        {"instances", std::move(instances)}};
}

boost::system::result<FloatStatus> parse_float_status(std::string_view text) {
    boost::system::error_code ec;
    const auto document = json::parse(text, ec);
    if (ec) return ec;
    return float_status_from_json(document);
}

boost::system::result<FloatStatus> float_status_from_json(const json::value& value) {
    const auto* object = value.if_object();
    if (object == nullptr) return json::make_error_code(json::error::not_object);
    FloatStatus status;
    Reader r(*object);
    r.read("version", status.version);
    r.read("node", status.node);
    r.read("started_at", status.started_at);
    r.read("tether", status.tether);
    if (const auto* instances = r.find("instances")) {
        const auto* array = instances->if_array();
        if (array == nullptr) return json::make_error_code(json::error::not_array);
        for (const auto& item : *array) {
            InstanceStatus instance;
            if (!read_instance(item, instance)) {
                return json::make_error_code(json::error::not_object);
            }
            status.instances.push_back(std::move(instance));
        }
    }
    if (!r.ok()) return json::make_error_code(json::error::not_string);
    return status;
}

std::string to_prometheus(const FloatStatus& status,
                          const std::vector<std::pair<std::string, std::string>>& labels,
                          PrometheusCuts* cuts) {
    PrometheusWriter e(labels);
    e.family("keepalived_swarm_tether_connected", "gauge",
             "1 while the float's tether to its anchor is open (standalone floats report 1).");
    e.sample({}, status.tether == "disconnected" ? 0 : 1);

    const auto base = [](const InstanceStatus& s) {
        return Labels{
            {"instance", s.name}, {"interface", s.interface}, {"vrid", std::to_string(s.vrid)}};
    };
    e.family("keepalived_swarm_vrrp_state", "gauge",
             "1 for the state the VRRP instance is in, 0 for the others.");
    for (const auto& s : status.instances) {
        for (const char* state : {"INIT", "BACKUP", "MASTER", "FAULT"}) {
            auto l = base(s);
            l.emplace_back("state", state);
            e.sample(l, s.state == state ? 1 : 0);
        }
    }
    e.family("keepalived_swarm_vrrp_priority", "gauge", "Configured VRRP priority.");
    for (const auto& s : status.instances) e.sample(base(s), s.priority);
    e.family("keepalived_swarm_vrrp_effective_priority", "gauge",
             "Priority advertised now (0 while resigned).");
    for (const auto& s : status.instances) e.sample(base(s), s.effective_priority);
    e.family("keepalived_swarm_vrrp_adverts_sent_total", "counter", "Advertisements sent.");
    for (const auto& s : status.instances) e.sample(base(s), static_cast<double>(s.adverts_sent));
    e.family("keepalived_swarm_vrrp_adverts_received_total", "counter",
             "Valid advertisements received.");
    for (const auto& s : status.instances) {
        e.sample(base(s), static_cast<double>(s.adverts_received));
    }
    e.family("keepalived_swarm_vrrp_adverts_dropped_total", "counter",
             "Advertisements dropped, by reason.");
    for (const auto& s : status.instances) {
        for (const auto& [reason, count] : s.adverts_dropped) {
            auto l = base(s);
            l.emplace_back("reason", reason);
            e.sample(l, static_cast<double>(count));
        }
    }
    e.family("keepalived_swarm_vrrp_foreign_adverts_total", "counter",
             "Advertisements dropped from hosts outside the peer set, by source (the most "
             "recent few sources).");
    for (const auto& s : status.instances) {
        for (const auto& foreign : s.foreign_sources) {
            auto l = base(s);
            l.emplace_back("source", foreign.address);
            e.sample(l, static_cast<double>(foreign.count));
        }
    }
    e.family("keepalived_swarm_vrrp_tracker_up", "gauge",
             "1 while the tracker is up; a fault tracker down keeps the instance in FAULT.");
    for (const auto& s : status.instances) {
        for (const auto& tracker : s.trackers) {
            auto l = base(s);
            l.emplace_back("tracker", tracker.name);
            l.emplace_back("weight", tracker.weight);
            e.sample(l, tracker.up ? 1 : 0);
        }
    }
    e.family("keepalived_swarm_vrrp_vip_conflicts_total", "counter",
             "Claims of a VIP by another host (ARP / NDP) while this node was master.");
    for (const auto& s : status.instances) {
        std::uint64_t total = 0;
        for (const auto& conflict : s.vip_conflicts) total += conflict.count;
        e.sample(base(s), static_cast<double>(total));
    }
    e.family("keepalived_swarm_vrrp_vips_restored_total", "counter",
             "VIPs put back on the interface after something else removed them.");
    for (const auto& s : status.instances) {
        e.sample(base(s), static_cast<double>(s.vips_restored));
    }
    e.family("keepalived_swarm_vrrp_home", "gauge",
             "--spread: 1 on the instance's series naming its home node's address.");
    for (const auto& s : status.instances) {
        if (s.home.empty()) continue;
        auto l = base(s);
        l.emplace_back("home", s.home);
        e.sample(l, 1);
    }
    e.family("keepalived_swarm_vrrp_transitions_total", "counter", "State transitions.");
    for (const auto& s : status.instances) {
        e.sample(base(s), static_cast<double>(s.transitions_total));
    }
    if (cuts != nullptr) *cuts = e.cuts();
    return e.str();
}

}  // namespace ks::status
