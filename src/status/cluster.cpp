#include "keepalived_swarm/status/cluster.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <tuple>

#include "json_fields.hpp"
#include "keepalived_swarm/net/ip_prefix.hpp"

namespace ks::status {
namespace json = boost::json;
using json_fields::read_objects;
using json_fields::read_transition;
using json_fields::Reader;
using json_fields::strings_json;
using json_fields::transition_json;
namespace {

std::string join(const std::vector<std::string>& values, std::string_view separator = ", ") {
    std::string out;
    for (const auto& value : values) {
        if (!out.empty()) out += separator;
        out += value;
    }
    return out;
}

/// The VIPs a node's instance holds: what the float reports, or, from a float that does not
/// report it, its VIPs while MASTER.
std::vector<std::string> held_vips(const InstanceStatus& instance) {
    if (instance.vips_held) return *instance.vips_held;
    return instance.state == "MASTER" ? instance.vips : std::vector<std::string>{};
}

std::string group_label(const ClusterInstance& group) {
    return group.name + " (VRID " + std::to_string(group.vrid) + ", " + group.family + ")";
}

void note_node_problems(const ClusterNode& node, std::vector<std::string>& problems) {
    const std::string who = "node " + node.name + " (" + node.address + ")";
    if (!node.reachable) {
        problems.push_back(who + " does not answer: " + node.error);
        return;
    }
    if (!node.float_status) {
        problems.push_back(who + ": its float cannot be read: " + node.error);
        return;
    }
    if (node.float_status->tether == "disconnected") {
        problems.push_back(who + ": the float lost its anchor (tether disconnected)");
    }
    for (const auto& instance : node.float_status->instances) {
        if (instance.state != "MASTER" && instance.state != "BACKUP") {
            std::string reason = instance.transitions.empty() ? std::string("no transition yet")
                                                              : instance.transitions.back().reason;
            problems.push_back(who + ": " + instance.name + " is " + instance.state + " (" +
                               reason + ")");
        }
        for (const auto& tracker : instance.trackers) {
            if (tracker.up) continue;
            problems.push_back(who + ": " + instance.name + "'s tracker " + tracker.name +
                               " is down (" + tracker.reason + ")");
        }
    }
}

/// Nodes in the order of their addresses (10.0.0.2 before 10.0.0.10), which is known even for
/// a node that never answered; one without an address (a float that cannot be read) first.
bool address_order(const ClusterNode& a, const ClusterNode& b) {
    const auto left = net::parse_ip_address(a.address);
    const auto right = net::parse_ip_address(b.address);
    if (left && right && *left != *right) return *left < *right;
    if (left.has_value() != right.has_value()) return right.has_value();
    return std::tie(a.address, a.name) < std::tie(b.address, b.name);
}

}  // namespace

namespace {

/// --spread: each VIP's home node, by name when a readable node has that address. A VIP away
/// from home is normal for a preempt delay after its node returns, so it is shown, not judged.
void note_homes(ClusterView& view) {
    std::map<std::string, std::string> names;  // primary address -> node name
    for (const auto& node : view.nodes) {
        if (!node.float_status) continue;
        for (const auto& instance : node.float_status->instances) {
            names.emplace(instance.primary_address, node.name);
        }
    }
    for (const auto& node : view.nodes) {
        if (!node.reachable || !node.float_status) continue;
        for (const auto& instance : node.float_status->instances) {
            if (instance.home.empty()) continue;
            const auto name = names.find(instance.home);
            for (const auto& vip : instance.vips) {
                view.homes.emplace(vip, name == names.end() ? instance.home : name->second);
            }
        }
    }
}

}  // namespace

ClusterView summarize(std::vector<ClusterNode> nodes, std::string gathered_at) {
    ClusterView view;
    view.gathered_at = std::move(gathered_at);
    std::stable_sort(nodes.begin(), nodes.end(), address_order);
    view.nodes = std::move(nodes);

    std::map<std::pair<int, std::string>, ClusterInstance> groups;
    for (const auto& node : view.nodes) {
        if (!node.reachable || !node.float_status) continue;
        for (const auto& instance : node.float_status->instances) {
            auto& group = groups[{instance.vrid, instance.family}];
            if (group.nodes.empty()) {
                group.name = instance.name;
                group.vrid = instance.vrid;
                group.family = instance.family;
            }
            group.nodes.push_back(node.name);
            if (instance.state == "MASTER") group.masters.push_back(node.name);
            for (const auto& vip : instance.vips) view.holders[vip];
            for (const auto& vip : held_vips(instance)) view.holders[vip].push_back(node.name);
        }
    }
    for (auto& [key, group] : groups) view.instances.push_back(std::move(group));
    note_homes(view);

    std::vector<std::string> verdict;
    for (const auto& group : view.instances) {
        if (group.masters.size() > 1) {
            view.split_brain = true;
            verdict.push_back("split brain: " + join(group.masters) + " all claim MASTER for " +
                              group_label(group) + "; check that VRRP passes between them");
        } else if (group.masters.empty()) {
            view.no_master = true;
            verdict.push_back("no master: no node claims MASTER for " + group_label(group) +
                              "; its VIPs are down");
        }
    }
    for (const auto& [vip, holders] : view.holders) {
        if (holders.size() > 1) {
            view.split_brain = true;
            verdict.push_back("split brain: VIP " + vip + " is held by " + join(holders));
        }
    }
    if (view.instances.empty()) {
        view.no_master = true;
        verdict.push_back("no node's float can be read: who holds the VIPs is unknown");
    }
    for (const auto& node : view.nodes) note_node_problems(node, verdict);
    view.problems = std::move(verdict);
    return view;
}

ClusterHealth health(const ClusterView& view) {
    if (view.split_brain || view.no_master) return ClusterHealth::split_brain;
    if (!view.problems.empty()) return ClusterHealth::degraded;
    return ClusterHealth::healthy;
}

std::string_view to_string(ClusterHealth health) {
    switch (health) {
        case ClusterHealth::healthy:
            return "healthy";
        case ClusterHealth::degraded:
            return "degraded";
        case ClusterHealth::split_brain:
            return "split brain or no master";
    }
    return "unknown";
}

namespace {

/// What the view shows of one instance on one node: its state, priority, the master it hears,
/// what it holds, its trackers and its last transition.
json::object instance_summary_json(const InstanceStatus& s) {
    json::array trackers;
    for (const auto& t : s.trackers) {
        trackers.emplace_back(json::object{
            {"name", t.name}, {"up", t.up}, {"weight", t.weight}, {"reason", t.reason}});
    }
    json::value last = nullptr;
    if (!s.transitions.empty()) last = transition_json(s.transitions.back());
    return json::object{{"name", s.name},
                        {"vrid", s.vrid},
                        {"family", s.family},
                        {"interface", s.interface},
                        {"state", s.state},
                        {"since", s.since},
                        {"priority", s.priority},
                        {"effective_priority", s.effective_priority},
                        {"master", s.master},
                        {"home", s.home},
                        {"vips", strings_json(s.vips)},
                        {"vips_held", strings_json(held_vips(s))},
                        {"trackers", std::move(trackers)},
                        {"last_transition", std::move(last)}};
}

bool read_instance_summary(Reader& r, InstanceStatus& s) {
    r.read("name", s.name);
    r.read("vrid", s.vrid);
    r.read("family", s.family);
    r.read("interface", s.interface);
    r.read("state", s.state);
    r.read("since", s.since);
    r.read("priority", s.priority);
    r.read("effective_priority", s.effective_priority);
    r.read("master", s.master);
    r.read("home", s.home);
    r.read("vips", s.vips);
    if (r.find("vips_held") != nullptr) r.read("vips_held", s.vips_held.emplace());
    bool ok = read_objects(r, "trackers", s.trackers, [](Reader& tr, TrackerStatus& t) {
        tr.read("name", t.name);
        tr.read("up", t.up);
        tr.read("weight", t.weight);
        tr.read("reason", t.reason);
    });
    if (const auto* last = r.find("last_transition"); last != nullptr && !last->is_null()) {
        const auto* object = last->if_object();
        if (object == nullptr) return false;
        Reader tr(*object);
        Transition t;
        read_transition(tr, t);
        ok = ok && tr.ok();
        s.transitions.push_back(std::move(t));
    }
    return ok && r.ok();
}

json::object node_json(const ClusterNode& node) {
    json::object out{{"name", node.name},   {"address", node.address},
                     {"self", node.self},   {"reachable", node.reachable},
                     {"error", node.error}, {"checked_at", node.checked_at}};
    if (node.float_status) {
        json::array instances;
        for (const auto& instance : node.float_status->instances) {
            instances.emplace_back(instance_summary_json(instance));
        }
        out["float"] = json::object{{"version", node.float_status->version},
                                    {"tether", node.float_status->tether},
                                    {"started_at", node.float_status->started_at},
                                    {"instances", std::move(instances)}};
    } else {
        out["float"] = nullptr;
    }
    return out;
}

bool read_node(Reader& r, ClusterNode& node) {
    r.read("name", node.name);
    r.read("address", node.address);
    r.read("self", node.self);
    r.read("reachable", node.reachable);
    r.read("error", node.error);
    r.read("checked_at", node.checked_at);
    const auto* float_json = r.find("float");
    if (float_json == nullptr || float_json->is_null()) return r.ok();
    const auto* object = float_json->if_object();
    if (object == nullptr) return false;
    Reader fr(*object);
    FloatStatus status;
    fr.read("version", status.version);
    fr.read("tether", status.tether);
    fr.read("started_at", status.started_at);
    const bool ok =
        read_objects(fr, "instances", status.instances, [](Reader& ir, InstanceStatus& s) {
            if (!read_instance_summary(ir, s)) ir.fail();
        });
    node.float_status = std::move(status);
    return ok && fr.ok() && r.ok();
}

/// Reads the object `key` (VIP -> value) into `out`; absent or null leaves it empty. False when
/// it is not an object of such values.
template <typename Value>
bool read_map(Reader& r, std::string_view key, std::map<std::string, Value>& out) {
    const auto* found = r.find(key);
    if (found == nullptr || found->is_null()) return true;
    const auto* map = found->if_object();
    if (map == nullptr) return false;
    Reader entries(*map);
    for (const auto& entry : *map) entries.read(entry.key(), out[std::string(entry.key())]);
    return entries.ok();
}

}  // namespace

json::value to_json(const ClusterView& view) {
    json::object masters;
    json::array instances;
    for (const auto& group : view.instances) {
        masters[group.name] = group.masters.size();
        instances.emplace_back(json::object{{"name", group.name},
                                            {"vrid", group.vrid},
                                            {"family", group.family},
                                            {"masters", strings_json(group.masters)},
                                            {"nodes", strings_json(group.nodes)}});
    }
    json::object holders;
    for (const auto& [vip, nodes] : view.holders) holders[vip] = strings_json(nodes);
    json::object homes;
    for (const auto& [vip, node] : view.homes) homes[vip] = node;
    json::array nodes;
    for (const auto& node : view.nodes) nodes.emplace_back(node_json(node));
    return json::object{
        {"gathered_at", view.gathered_at},   {"health", to_string(health(view))},
        {"split_brain", view.split_brain},   {"no_master", view.no_master},
        {"masters", std::move(masters)},     {"holders", std::move(holders)},
        {"homes", std::move(homes)},         {"problems", strings_json(view.problems)},
        {"instances", std::move(instances)}, {"nodes", std::move(nodes)}};
}

boost::system::result<ClusterView> cluster_view_from_json(const json::value& value) {
    const auto* object = value.if_object();
    if (object == nullptr) return json::make_error_code(json::error::not_object);
    ClusterView view;
    Reader r(*object);
    r.read("gathered_at", view.gathered_at);
    r.read("split_brain", view.split_brain);
    r.read("no_master", view.no_master);
    r.read("problems", view.problems);
    bool ok = read_objects(r, "instances", view.instances, [](Reader& ir, ClusterInstance& g) {
        ir.read("name", g.name);
        ir.read("vrid", g.vrid);
        ir.read("family", g.family);
        ir.read("masters", g.masters);
        ir.read("nodes", g.nodes);
    });
    ok = ok && read_objects(r, "nodes", view.nodes, [](Reader& nr, ClusterNode& node) {
             if (!read_node(nr, node)) nr.fail();
         });
    ok = ok && read_map(r, "holders", view.holders) && read_map(r, "homes", view.homes);
    if (!ok || !r.ok()) return json::make_error_code(json::error::not_object);
    return view;
}

boost::system::result<NodeAnswer> read_node_answer(std::string_view body) {
    boost::system::error_code ec;
    const auto document = json::parse(body, ec);
    if (ec) return ec;
    const auto* object = document.if_object();
    if (object == nullptr) return json::make_error_code(json::error::not_object);
    NodeAnswer answer;
    const auto* buoy = object->if_contains("buoy");
    if (buoy == nullptr || !buoy->is_object())
        return json::make_error_code(json::error::not_object);
    Reader br(buoy->get_object());
    br.read("hostname", answer.name);
    if (!br.ok()) return json::make_error_code(json::error::not_string);
    Reader r(*object);
    r.read("floatError", answer.float_error);
    if (!r.ok()) return json::make_error_code(json::error::not_string);
    if (const auto* float_json = object->if_contains("float");
        float_json && float_json->is_object()) {
        auto status = float_status_from_json(*float_json);
        if (!status) return status.error();
        answer.float_status = std::move(*status);
    } else if (answer.float_error.empty()) {
        answer.float_error = "its buoy reports no float status";
    }
    return answer;
}

std::string cluster_prometheus(const ClusterView& view, const Labels& labels) {
    PrometheusWriter out(labels);
    std::size_t unreadable = 0;
    for (const auto& node : view.nodes) {
        if (!node.reachable || !node.float_status) ++unreadable;
    }
    out.family("keepalived_swarm_cluster_split_brain", "gauge",
               "1 when more than one node holds a VIP or claims MASTER for the same VRID.");
    out.sample({}, view.split_brain ? 1 : 0);
    out.family("keepalived_swarm_cluster_no_master", "gauge",
               "1 when no readable node claims MASTER for a VRRP group (its VIPs are down).");
    out.sample({}, view.no_master ? 1 : 0);
    out.family("keepalived_swarm_cluster_masters", "gauge",
               "Nodes that claim MASTER, per VRRP group (1 is right).");
    for (const auto& group : view.instances) {
        out.sample({{"instance", group.name}, {"vrid", std::to_string(group.vrid)}},
                   static_cast<double>(group.masters.size()));
    }
    out.family("keepalived_swarm_cluster_nodes", "gauge",
               "Nodes per VRRP group by state; \"unreachable\" counts nodes whose buoy or float "
               "cannot be read.");
    for (const auto& group : view.instances) {
        std::map<std::string, std::size_t> by_state{
            {"INIT", 0}, {"BACKUP", 0}, {"MASTER", 0}, {"FAULT", 0}};
        for (const auto& node : view.nodes) {
            if (!node.reachable || !node.float_status) continue;
            for (const auto& instance : node.float_status->instances) {
                if (instance.vrid == group.vrid && instance.family == group.family) {
                    ++by_state[instance.state];
                }
            }
        }
        by_state["unreachable"] = unreadable;
        for (const auto& [state, count] : by_state) {
            out.sample(
                {{"instance", group.name}, {"vrid", std::to_string(group.vrid)}, {"state", state}},
                static_cast<double>(count));
        }
    }
    if (view.instances.empty()) {
        out.sample({{"instance", ""}, {"vrid", ""}, {"state", "unreachable"}},
                   static_cast<double>(unreadable));
    }
    out.family("keepalived_swarm_cluster_vip_holders", "gauge",
               "Nodes holding each VIP (1 is right, 0 is down, 2 or more is split brain).");
    for (const auto& [vip, holders] : view.holders) {
        out.sample({{"vip", vip}}, static_cast<double>(holders.size()));
    }
    out.family("keepalived_swarm_cluster_vip_at_home", "gauge",
               "--spread: 1 while the VIP is held by its home node alone, 0 while it is away "
               "(normal for the preempt delay after its node returns).");
    for (const auto& [vip, home] : view.homes) {
        const auto held = view.holders.find(vip);
        const bool at_home =
            held != view.holders.end() && held->second.size() == 1 && held->second.front() == home;
        out.sample({{"vip", vip}, {"home", home}}, at_home ? 1 : 0);
    }
    out.family("keepalived_swarm_cluster_node_reachable", "gauge",
               "1 when the node's buoy and float answered the last time they were asked.");
    for (const auto& node : view.nodes) {
        out.sample({{"peer", node.name}, {"address", node.address}},
                   node.reachable && node.float_status ? 1 : 0);
    }
    return out.str();
}

}  // namespace ks::status
