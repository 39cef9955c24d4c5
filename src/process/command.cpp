#include "keepalived_swarm/process/command.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>

#include "keepalived_swarm/log/log.hpp"
#include "keepalived_swarm/util/system_error.hpp"

extern char** environ;

namespace ks::process {

std::optional<std::vector<std::string>> split_command_line(std::string_view text) {
    std::vector<std::string> words;
    std::string current;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
                current += text[++i];
            } else {
                current += c;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == '\\' && i + 1 < text.size()) {
            current += text[++i];
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(std::move(current));
            current.clear();
            in_word = false;
        } else {
            current += c;
            in_word = true;
        }
    }
    if (quote != 0) return std::nullopt;
    if (in_word) words.push_back(std::move(current));
    if (words.empty()) return std::nullopt;
    return words;
}

boost::system::result<pid_t> spawn(const std::vector<std::string>& argv) {
    if (argv.empty()) return util::system_error(EINVAL);
    std::vector<char*> pointers;
    pointers.reserve(argv.size() + 1);
    for (const auto& word : argv) pointers.push_back(const_cast<char*>(word.c_str()));
    pointers.push_back(nullptr);
    pid_t pid = 0;
    const int error = ::posix_spawnp(&pid, pointers[0], nullptr, nullptr, pointers.data(), environ);
    if (error != 0) return util::system_error(error);
    return pid;
}

ChildReaper::ChildReaper(const boost::asio::any_io_executor& executor)
    : signals_(executor, SIGCHLD) {
    wait_for_signal();
}

void ChildReaper::stop() {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
}

void ChildReaper::wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& error, int) {
        if (error) return;
        int status = 0;
        pid_t pid = 0;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                log::warn("notify command failed",
                          {{"pid", pid}, {"exit_code", WEXITSTATUS(status)}});
            } else if (WIFSIGNALED(status)) {
                log::warn("notify command killed", {{"pid", pid}, {"signal", WTERMSIG(status)}});
            }
        }
        wait_for_signal();
    });
}

}  // namespace ks::process
