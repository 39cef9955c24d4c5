// Feeds arbitrary bytes to what the cluster view reads from other hosts: a peer buoy's GET
// /status answer (read by every buoy) and a GET /cluster document (read by the status command),
// and to the reading of the float's own status socket (by the buoy and the anchor).
// Nothing may crash, hang or trip a sanitizer; a view that was read must render (JSON, table,
// metrics), be judged again from its nodes, and read back the same from its own JSON.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "keepalived_swarm/status/cluster.hpp"
#include "keepalived_swarm/status/float_status.hpp"

using namespace ks::status;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void read_as_node_answer(std::string_view bytes) {
    auto answer = read_node_answer(bytes);
    if (!answer) return;
    ClusterNode node;
    node.name = answer->name;
    node.reachable = true;
    node.float_status = answer->float_status;
    node.error = answer->float_error;
    const auto view = summarize({node}, "t");
    (void)cluster_table(view);
    (void)cluster_prometheus(view, {{"node", "fuzz"}});
}

void read_as_float_status(std::string_view bytes) {
    auto status = parse_float_status(bytes);
    if (!status) return;
    (void)to_prometheus(*status, {});
    const auto again = parse_float_status(boost::json::serialize(to_json(*status)));
    check(again.has_value());
    check(again->instances.size() == status->instances.size());
}

void read_as_cluster_document(std::string_view bytes) {
    boost::system::error_code ec;
    const auto document = boost::json::parse(bytes, ec);
    if (ec) return;
    auto view = cluster_view_from_json(document);
    if (!view) return;
    (void)cluster_table(*view);
    (void)cluster_prometheus(*view, {});
    (void)health(*view);
    const auto again =
        cluster_view_from_json(boost::json::parse(boost::json::serialize(to_json(*view))));
    check(again.has_value());
    check(again->gathered_at == view->gathered_at);
    check(again->split_brain == view->split_brain && again->no_master == view->no_master);
    check(again->problems == view->problems);
    check(again->holders == view->holders);
    check(again->nodes.size() == view->nodes.size());
    (void)summarize(view->nodes, view->gathered_at);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    read_as_node_answer(bytes);
    read_as_cluster_document(bytes);
    read_as_float_status(bytes);
    return 0;
}
