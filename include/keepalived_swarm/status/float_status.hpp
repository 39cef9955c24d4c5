#pragma once
// The float's status document: one struct, one JSON serializer, one parser, one Prometheus
// rendering. The float serves it on its status socket; the buoy reads it and shows it.

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keepalived_swarm/status/prometheus.hpp"

namespace ks::status {

struct Transition {
    std::string at;  ///< ISO 8601 UTC
    std::string from;
    std::string to;
    std::string reason;
};

/// A condition the instance depends on (the tether, the link, a health check).
struct TrackerStatus {
    std::string name;
    std::string kind;    ///< http, tcp, file, service, or the built-in's name (link, tether...)
    std::string target;  ///< what a check looks at (URL, HOST:PORT, path, service); else empty
    bool up = true;
    std::string weight;  ///< "fault" (down = resign), or the signed priority change while down
    std::string reason;
    std::string since;                ///< when `up` last changed, ISO 8601 UTC
    unsigned failures_in_a_row = 0;   ///< checks only: toward --track-fall
    unsigned successes_in_a_row = 0;  ///< checks only: toward --track-rise
};

/// A host outside the peer set whose adverts were dropped.
struct ForeignSource {
    std::string address;
    int priority = 0;  ///< in its latest advert
    std::uint64_t count = 0;
    std::string last_seen;
};

/// Another host that claimed one of our VIPs while we held it.
struct VipConflict {
    std::string vip;
    std::string mac;
    std::uint64_t count = 0;
    std::string last_seen;
};

struct InstanceStatus {
    std::string name;
    std::string interface;
    int vrid = 0;
    int vrrp_version = 3;
    std::string family;  ///< "ipv4" or "ipv6"
    std::string state;   ///< INIT, BACKUP, MASTER, FAULT
    std::string since;   ///< when `state` was entered, ISO 8601 UTC
    int priority = 0;
    int effective_priority = 0;
    bool preempt = false;
    std::int64_t advert_interval_ms = 0;
    std::int64_t master_advert_interval_ms = 0;
    std::vector<std::string> vips;  ///< "10.0.0.100/24"
    /// The VIPs this float has on its interface now (added, not removed since); nullopt when
    /// the float is older than this field (the cluster view then infers it from MASTER).
    std::optional<std::vector<std::string>> vips_held;
    std::string primary_address;
    std::string master;  ///< current master's address, empty when unknown
    /// --spread: the address of the node this instance's VIP belongs on; empty otherwise.
    std::string home;
    std::string mode;  ///< "multicast" or "unicast"
    std::vector<std::string> peers;
    std::string accept_from;  ///< "peers" or "any"
    std::vector<TrackerStatus> trackers;
    std::vector<ForeignSource> foreign_sources;  ///< the most recent, newest first
    std::vector<VipConflict> vip_conflicts;
    std::uint64_t vips_restored = 0;  ///< VIPs put back after someone removed them
    std::uint64_t adverts_sent = 0;
    std::uint64_t adverts_received = 0;
    std::map<std::string, std::uint64_t> adverts_dropped;  ///< by reason
    std::uint64_t transitions_total = 0;
    std::vector<Transition> transitions;  ///< the most recent, oldest first
};

struct FloatStatus {
    std::string version;     ///< keepalived-swarm version
    std::string node;        ///< node host name
    std::string started_at;  ///< ISO 8601 UTC
    std::string tether;      ///< "standalone", "connected" or "disconnected"
    std::vector<InstanceStatus> instances;
};

boost::json::value to_json(const FloatStatus& status);
/// Tolerant reading: unknown keys are ignored, missing ones keep their defaults; only a wrong
/// shape (not an object, a string where a number belongs) is an error.
boost::system::result<FloatStatus> float_status_from_json(const boost::json::value& json);
/// The same from the text of a GET /status answer; an error when it is not JSON either.
boost::system::result<FloatStatus> parse_float_status(std::string_view text);

/// Prometheus text exposition (version 0.0.4) of the status, within the default
/// PrometheusBounds; `labels` are added to every series (the buoy adds the node name). What the
/// bounds cut is stored in `cuts` when given.
std::string to_prometheus(const FloatStatus& status,
                          const std::vector<std::pair<std::string, std::string>>& labels = {},
                          PrometheusCuts* cuts = nullptr);

}  // namespace ks::status
