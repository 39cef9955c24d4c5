// keepalived-swarm: one executable, one role per subcommand.

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/version.hpp"
#include "roles/roles.hpp"

namespace {

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    int (*run)(const std::vector<std::string>& args);
};

constexpr Subcommand kSubcommands[] = {
    {"anchor", "Swarm service (global on managers): keeps this node's float container running",
     ks::roles::run_anchor},
    {"float", "Holds the virtual IP with VRRP on the host network (started by the anchor)",
     ks::roles::run_float},
    {"buoy", "HTTP status of this node: health, identity, VRRP state, metrics, a web page",
     ks::roles::run_buoy},
    {"probe", "Exits 0 when a URL answers 2xx (container healthchecks without curl)",
     ks::roles::run_probe},
    {"status", "Every manager's VRRP state and a split-brain verdict, from a buoy's /cluster",
     ks::roles::run_status},
};

void print_usage(std::ostream& out) {
    out << "Usage: keepalived-swarm COMMAND [OPTIONS]\n\n"
           "A floating IP address for a Docker Swarm, without a load balancer in front of it.\n\n"
           "Commands:\n";
    for (const auto& command : kSubcommands) {
        out << "  " << command.name << std::string(8 - command.name.size(), ' ') << command.summary
            << "\n";
    }
    out << "\nOptions:\n  -h, --help   Show this help and exit.\n"
           "  --version    Print the version and exit.\n\n"
           "Run 'keepalived-swarm COMMAND --help' for the options of a command; every option\n"
           "can also be set by the environment variable its help names.\n";
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        print_usage(std::cerr);
        return 2;
    }
    const std::string_view first = args.front();
    if (first == "-h" || first == "--help" || first == "help") {
        print_usage(std::cout);
        return 0;
    }
    if (first == "--version" || first == "version") {
        std::cout << "keepalived-swarm " << ks::kVersion << "\n";
        return 0;
    }
    for (const auto& command : kSubcommands) {
        if (command.name == first) {
            return command.run(std::vector<std::string>(args.begin() + 1, args.end()));
        }
    }
    std::cerr << "keepalived-swarm: unknown command '" << first
              << "'; the commands are anchor, float, buoy, probe and status (see --help)\n";
    return 2;
}
