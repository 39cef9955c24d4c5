#pragma once
// Running user commands (the float's --notify) without a shell and without ever waiting for them:
// the image has no /bin/sh, and the VRRP engine must not block on a slow script.

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ks::process {

/// Splits a command line into words: whitespace separates, '...' and "..." group, backslash
/// escapes. nullopt when a quote is left open or nothing remains.
std::optional<std::vector<std::string>> split_command_line(std::string_view text);

/// Starts `argv` (PATH lookup for argv[0]) and returns its pid without waiting for it.
boost::system::result<pid_t> spawn(const std::vector<std::string>& argv);

/// Reaps finished children on SIGCHLD so none stays a zombie, logging failures.
class ChildReaper {
public:
    explicit ChildReaper(const boost::asio::any_io_executor& executor);
    void stop();

private:
    void wait_for_signal();

    boost::asio::signal_set signals_;
};

}  // namespace ks::process
