#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "keepalived_swarm/status/float_status.hpp"

using namespace ks::status;

namespace {

FloatStatus sample_status() {
    FloatStatus status;
    status.version = "1.2.3";
    status.node = "node-1";
    status.started_at = "2026-11-26T22:00:00.000Z";
    status.tether = "connected";
    InstanceStatus instance;
    instance.name = "VI_51";
    instance.interface = "eth0";
    instance.vrid = 51;
    instance.family = "ipv4";
    instance.state = "MASTER";
    instance.priority = 150;
    instance.effective_priority = 150;
    instance.advert_interval_ms = 100;
    instance.vips = {"10.0.0.100/24"};
    instance.master = "10.0.0.1";
    instance.mode = "unicast";
    instance.peers = {"10.0.0.2"};
    instance.adverts_sent = 12345678901ULL;
    instance.adverts_dropped = {{"ttl", 2}, {"bad_checksum", 1}};
    instance.transitions_total = 2;
    instance.transitions = {{"2026-11-26T22:00:01.000Z", "INIT", "BACKUP", "startup"},
                            {"2026-11-26T22:00:02.000Z", "BACKUP", "MASTER", "master down"}};
    status.instances.push_back(instance);
    return status;
}

}  // namespace

TEST_CASE("the float status survives JSON both ways", "[status]") {
    const auto status = sample_status();
    const auto parsed =
        float_status_from_json(boost::json::parse(boost::json::serialize(to_json(status))));
    REQUIRE(parsed.has_value());
    CHECK(parsed->node == "node-1");
    CHECK(parsed->tether == "connected");
    REQUIRE(parsed->instances.size() == 1);
    const auto& instance = parsed->instances[0];
    CHECK(instance.state == "MASTER");
    CHECK(instance.adverts_sent == 12345678901ULL);
    CHECK(instance.adverts_dropped.at("ttl") == 2);
    CHECK(instance.peers == std::vector<std::string>{"10.0.0.2"});
    REQUIRE(instance.transitions.size() == 2);
    CHECK(instance.transitions[1].to == "MASTER");
}

TEST_CASE("status reading ignores unknown keys and rejects wrong shapes", "[status]") {
    const auto reads = [](const char* text) { return parse_float_status(text).has_value(); };
    CHECK_FALSE(reads("{\"node\":"));  // not JSON at all
    CHECK(
        reads(R"({"node":"n","future":{"x":1},"instances":[{"state":"BACKUP","new_field":[1]}]})"));
    CHECK_FALSE(reads("[]"));
    CHECK_FALSE(reads(R"({"instances":{}})"));
    CHECK_FALSE(reads(R"({"instances":[{"vrid":"x"}]})"));
    CHECK_FALSE(reads(R"({"node":5})"));
}

TEST_CASE("Prometheus exposition has one series per state and exact counters", "[status]") {
    const auto text = to_prometheus(sample_status(), {{"node", "node-1"}});
    CHECK(text.find("keepalived_swarm_vrrp_state{node=\"node-1\",instance=\"VI_51\","
                    "interface=\"eth0\",vrid=\"51\",state=\"MASTER\"} 1\n") != std::string::npos);
    CHECK(text.find("state=\"BACKUP\"} 0\n") != std::string::npos);
    CHECK(text.find("keepalived_swarm_vrrp_adverts_sent_total{node=\"node-1\",instance=\"VI_51\","
                    "interface=\"eth0\",vrid=\"51\"} 12345678901\n") != std::string::npos);
    CHECK(text.find("reason=\"ttl\"} 2\n") != std::string::npos);
    CHECK(text.find("# TYPE keepalived_swarm_vrrp_adverts_dropped_total counter\n") !=
          std::string::npos);
}

TEST_CASE("Prometheus label values are cut at a character boundary", "[status]") {
    PrometheusBounds bounds;
    bounds.max_label_value_bytes = 3;
    PrometheusWriter out({}, bounds);
    out.family("m", "gauge", "help");
    out.sample({{"name", "ab\xC3\xA9xyz"}}, 1);  // "abéxyz": a cut at 3 bytes falls inside "é"
    out.sample({{"name", "abc"}}, 2);
    CHECK(out.str().find("m{name=\"ab\"} 1\n") != std::string::npos);
    CHECK(out.str().find("m{name=\"abc\"} 2\n") != std::string::npos);
    CHECK(out.cuts().label_values_shortened == 1);
}

TEST_CASE("Prometheus series beyond a family's or the document's bound are dropped, counted",
          "[status]") {
    PrometheusBounds bounds;
    bounds.max_series_per_family = 2;
    PrometheusWriter out({}, bounds);
    out.family("a", "gauge", "help");
    for (int i = 0; i < 5; ++i) out.sample({{"i", std::to_string(i)}}, i);
    out.family("b", "gauge", "help");
    out.sample({}, 7);
    CHECK(out.cuts().series_dropped == 3);
    CHECK(out.str().find("a{i=\"1\"} 1\n") != std::string::npos);
    CHECK(out.str().find("a{i=\"2\"}") == std::string::npos);
    CHECK(out.str().find("b 7\n") != std::string::npos);

    bounds = {};
    bounds.max_document_bytes = 100;
    PrometheusWriter small({}, bounds);
    small.family("c", "counter", "help");
    for (int i = 0; i < 100; ++i) small.sample({{"i", std::to_string(i)}}, i);
    CHECK(small.str().size() < 200);
    CHECK(small.cuts().series_dropped > 90);
}
