// An abusive HTTP client for the buoy's abuse test and benchmark: holds COUNT connections from
// one source address to a loopback server for SECONDS, re-opening (once a second) those the
// server closed, so the pressure stays on. Modes:
//   slowloris    sends half a request line, then nothing
//   idle         one whole request, reads its answer, then keeps the connection idle
//   slow-reader  pipelines requests for /ui and reads the answers one byte a second
//
//   ks_http_abuser MODE SOURCE_ADDRESS PORT COUNT SECONDS
//
// Prints "opened=N closed_by_server=M" at the end. Raises its own descriptor limit to the hard
// limit; run it under a large `ulimit -n`.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

enum class Mode { slowloris, idle, slow_reader };

struct Target {
    in_addr source{};
    in_addr destination{};
    unsigned short port = 0;
};

constexpr std::string_view kHalfRequestLine = "GET /heal";
constexpr std::string_view kHealthRequest = "GET /health HTTP/1.1\r\nHost: buoy\r\n\r\n";
constexpr std::string_view kPageRequest = "GET /ui HTTP/1.1\r\nHost: buoy\r\n\r\n";

void send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent <= 0) return;  // a full buffer or a closed connection: the abuse is done
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
}

/// A connected socket that has sent what `mode` sends first; -1 when the connect failed.
int open_connection(const Target& target, Mode mode) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (mode == Mode::slow_reader) {
        // A small receive window, so the server's writes stall on us.
        const int bytes = 4096;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr = target.source;
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_addr = target.destination;
    remote.sin_port = htons(target.port);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0) {
        ::close(fd);
        return -1;
    }
    switch (mode) {
        case Mode::slowloris:
            send_all(fd, kHalfRequestLine);
            break;
        case Mode::idle:
            send_all(fd, kHealthRequest);
            break;
        case Mode::slow_reader:
            for (int i = 0; i < 64; ++i) send_all(fd, kPageRequest);
            break;
    }
    return fd;
}

/// True when the server closed `fd`. Reads what `mode` reads now: all (idle) or one byte.
bool closed_by_server(int fd, Mode mode) {
    pollfd poll_fd{fd, POLLIN, 0};
    if (::poll(&poll_fd, 1, 0) <= 0) return false;
    char buffer[4096];
    const std::size_t wanted = mode == Mode::slow_reader ? 1 : sizeof buffer;
    const auto received = ::recv(fd, buffer, wanted, MSG_DONTWAIT);
    return received == 0 || (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr,
                     "usage: ks_http_abuser slowloris|idle|slow-reader SOURCE_ADDRESS PORT COUNT "
                     "SECONDS\n");
        return 2;
    }
    const std::string mode_name = argv[1];
    Mode mode = Mode::slowloris;
    if (mode_name == "idle") {
        mode = Mode::idle;
    } else if (mode_name == "slow-reader") {
        mode = Mode::slow_reader;
    } else if (mode_name != "slowloris") {
        std::fprintf(stderr, "ks_http_abuser: unknown mode %s\n", argv[1]);
        return 2;
    }
    Target target;
    if (::inet_pton(AF_INET, argv[2], &target.source) != 1) {
        std::fprintf(stderr, "ks_http_abuser: %s is not an IPv4 address\n", argv[2]);
        return 2;
    }
    target.destination.s_addr = htonl(INADDR_LOOPBACK);
    target.port = static_cast<unsigned short>(std::atoi(argv[3]));
    const auto count = static_cast<std::size_t>(std::atol(argv[4]));
    const auto duration = std::chrono::seconds(std::atol(argv[5]));

    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }

    std::vector<int> connections(count, -1);
    std::size_t opened = 0;
    std::size_t closed = 0;
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
        for (auto& fd : connections) {
            if (fd >= 0 && closed_by_server(fd, mode)) {
                ::close(fd);
                fd = -1;
                ++closed;
            }
            if (fd < 0) {
                fd = open_connection(target, mode);
                if (fd >= 0) ++opened;
            }
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    for (const int fd : connections) {
        if (fd >= 0) ::close(fd);
    }
    std::printf("opened=%zu closed_by_server=%zu\n", opened, closed);
    return 0;
}
