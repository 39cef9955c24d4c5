// Feeds arbitrary bytes to every Docker Engine answer parser (version, info, nodes, images,
// containers, tasks, services, create, wait, errors) as a whole body, and to the event and pull
// parsers as a stream split into lines by the client's LineSplitter, handed over in pieces as the
// bytes arrive. Nothing may crash, hang or trip a sanitizer; failures must be protocol errors;
// the splitter must give the same lines however the stream is cut.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "keepalived_swarm/docker/models.hpp"
#include "keepalived_swarm/http/client.hpp"

using namespace ks::docker;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

/// A failed parse of a body must say the answer was unexpected, nothing else.
template <typename T>
void check_failure_kind(const Result<T>& result) {
    if (!result) check(result.error().kind == ErrorKind::protocol);
}

void parse_whole_body(std::string_view body) {
    check_failure_kind(parse_version(body));
    check_failure_kind(parse_system_info(body));
    if (const auto node = parse_node(body)) node->reachable_address();
    if (const auto nodes = parse_node_list(body)) {
        for (const auto& node : *nodes) node.reachable_address();
    } else {
        check_failure_kind(nodes);
    }
    check_failure_kind(parse_image(body));
    if (const auto container = parse_container(body)) {
        check(container->name.empty() || container->name.front() != '/');
    } else {
        check_failure_kind(container);
    }
    check_failure_kind(parse_container_list(body));
    check_failure_kind(parse_task_list(body));
    check_failure_kind(parse_service(body));
    if (const auto id = parse_created_id(body)) check(!id->empty());
    if (const auto status = parse_wait_status(body); !status) {
        // A wait answer may carry the daemon's own error: a stream error.
        check(status.error().kind == ErrorKind::protocol ||
              status.error().kind == ErrorKind::stream);
    }
    check(!parse_error_message(body).empty());
}

/// The lines of `stream` as the events and pull calls see them, handed over in pieces of
/// `piece` bytes.
std::vector<std::string> split_lines(std::string_view stream, std::size_t piece,
                                     std::size_t max_line, std::string& rest) {
    ks::http::LineSplitter splitter(max_line);
    std::vector<std::string> lines;
    for (std::size_t offset = 0; offset < stream.size(); offset += piece) {
        splitter.feed(stream.substr(offset, piece),
                      [&lines](std::string_view line) { lines.emplace_back(line); });
    }
    rest = splitter.rest();
    return lines;
}

void parse_stream(std::string_view stream, std::size_t piece) {
    constexpr std::size_t kMaxLine = 256;  // small, so that inputs reach the overflow path
    std::string rest;
    const auto lines = split_lines(stream, piece, kMaxLine, rest);
    std::string whole_rest;
    check(split_lines(stream, stream.size() + 1, kMaxLine, whole_rest) == lines);
    check(rest == whole_rest);
    check(rest.size() <= kMaxLine);
    for (const auto& line : lines) {
        check(line.size() <= kMaxLine);
        check(line.find('\n') == std::string::npos);
        if (const auto event = parse_event(line)) {
            check(!event->action.empty());
        } else {
            check_failure_kind(event);
        }
        check_failure_kind(parse_pull_progress(line));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    parse_whole_body(input);
    // The same bytes as a stream arriving 1 to 64 bytes at a time (the length chooses, so that a
    // recorded answer seeds both the whole-body and the stream parsers).
    parse_stream(input, size % 64 + 1);
    return 0;
}
