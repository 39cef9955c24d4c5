// The cluster view as a terminal table, for `keepalived-swarm status`.

#include <algorithm>
#include <sstream>

#include "keepalived_swarm/status/cluster.hpp"

namespace ks::status {
namespace {

using Row = std::vector<std::string>;

std::string or_dash(const std::string& text) {
    return text.empty() ? "-" : text;
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& value : values) out += (out.empty() ? "" : ",") + value;
    return or_dash(out);
}

std::string last_transition(const InstanceStatus& instance) {
    if (instance.transitions.empty()) return "-";
    const auto& t = instance.transitions.back();
    return t.at + " " + t.from + "->" + t.to + " (" + t.reason + ")";
}

std::string trackers_text(const InstanceStatus& instance) {
    if (instance.trackers.empty()) return "-";
    std::size_t up = 0;
    std::string down;
    for (const auto& tracker : instance.trackers) {
        if (tracker.up) {
            ++up;
        } else {
            down += (down.empty() ? " down: " : ",") + tracker.name;
        }
    }
    return std::to_string(up) + "/" + std::to_string(instance.trackers.size()) + " up" + down;
}

std::vector<Row> rows_of(const ClusterView& view) {
    std::vector<Row> rows;
    rows.push_back({"NODE", "ADDRESS", "INSTANCE", "STATE", "PRIO", "HEARS", "HOLDS", "TRACKERS",
                    "LAST TRANSITION"});
    for (const auto& node : view.nodes) {
        const std::string name = node.name + (node.self ? " *" : "");
        if (!node.reachable || !node.float_status) {
            rows.push_back({name, or_dash(node.address), "-",
                            node.reachable ? "NO FLOAT" : "UNREACHABLE", "-", "-", "-", "-",
                            or_dash(node.error)});
            continue;
        }
        for (const auto& instance : node.float_status->instances) {
            const auto held = instance.vips_held           ? *instance.vips_held
                              : instance.state == "MASTER" ? instance.vips
                                                           : std::vector<std::string>{};
            rows.push_back({name, or_dash(node.address), instance.name, instance.state,
                            std::to_string(instance.effective_priority), or_dash(instance.master),
                            joined(held), trackers_text(instance), last_transition(instance)});
        }
    }
    return rows;
}

}  // namespace

std::string cluster_table(const ClusterView& view) {
    const auto rows = rows_of(view);
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::ostringstream out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        out << line << "\n";
    }
    out << "\n";
    for (const auto& [vip, holders] : view.holders) {
        const auto home = view.homes.find(vip);
        out << "VIP " << vip << ": "
            << (holders.empty() ? std::string("held by nobody") : "held by " + joined(holders))
            << (home == view.homes.end() ? "" : ", home " + home->second) << "\n";
    }
    out << "(* this node; gathered " << or_dash(view.gathered_at) << ")\n\n";
    const auto verdict = health(view);
    out << (verdict == ClusterHealth::healthy ? "healthy" : std::string(to_string(verdict)))
        << "\n";
    for (const auto& problem : view.problems) out << "  - " << problem << "\n";
    return out.str();
}

}  // namespace ks::status
