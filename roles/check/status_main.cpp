// keepalived-swarm status [URL]: the cluster view of a buoy in a terminal, with an exit status a
// script or a monitoring check can act on.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>

#include "keepalived_swarm/status/cluster.hpp"
#include "roles/check/ask.hpp"
#include "roles/check/status_config.hpp"
#include "roles/roles.hpp"

namespace ks::roles {
namespace {

/// The exit status when the buoy cannot be asked (0-2 are the cluster's health).
constexpr int kCannotAsk = 3;

/// Prints the answer and returns the exit status it calls for.
int report(const check::StatusConfig& config, const http::Response& answer) {
    const std::string where = config.endpoint.to_string() + config.endpoint.target;
    if (answer.status != 200) {
        std::cerr << "keepalived-swarm status: " << where << " answered HTTP " << answer.status
                  << "; is it a keepalived-swarm buoy of this version (with GET /cluster)?\n";
        return kCannotAsk;
    }
    boost::system::error_code ec;
    const auto document = boost::json::parse(answer.body, ec);
    auto view = ec ? boost::system::result<status::ClusterView>(ec)
                   : status::cluster_view_from_json(document);
    if (!view) {
        std::cerr << "keepalived-swarm status: " << where << " did not answer a cluster view ("
                  << view.error().message()
                  << "); is it a keepalived-swarm buoy of this version?\n";
        return kCannotAsk;
    }
    if (config.json) {
        std::cout << boost::json::serialize(document) << "\n";
    } else {
        std::cout << status::cluster_table(*view);
    }
    return static_cast<int>(status::health(*view));
}

}  // namespace

int run_status(const std::vector<std::string>& args) {
    auto loaded = config::load_role_config<check::StatusConfig>(check::status_role_description(),
                                                                args, config::process_environment(),
                                                                check::parse_status_config);
    // A wrong command line must not read as exit status 2, split brain.
    if (auto* exit_code = std::get_if<int>(&loaded)) return *exit_code == 0 ? 0 : kCannotAsk;
    const auto& config = std::get<check::StatusConfig>(loaded);

    const auto answer =
        check::ask_once(config.endpoint, config.timeout, "status", config.url,
                        "is the buoy running there (docker service ps <stack>_buoy)?");
    return answer ? report(config, *answer) : kCannotAsk;
}

}  // namespace ks::roles
