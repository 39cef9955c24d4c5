#pragma once
// Entry points of the subcommands. Each takes the arguments after its own name and returns the
// process exit code: 0 success, 1 runtime failure, 2 bad command line or configuration.

#include <string>
#include <vector>

namespace ks::roles {

int run_anchor(const std::vector<std::string>& args);
int run_float(const std::vector<std::string>& args);
int run_buoy(const std::vector<std::string>& args);
int run_probe(const std::vector<std::string>& args);
int run_status(const std::vector<std::string>& args);

}  // namespace ks::roles
