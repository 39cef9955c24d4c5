// Feeds arbitrary bytes to the float's end of the tether as the anchor's stream would deliver
// them: split into lines as the client splits them (a line over the client's limit ends the
// connection), each line decoded. Whatever decodes must encode to one line that decodes back to
// the same message. The anchor reads nothing from the float (it only notices the connection
// closing), so this is the tether's only parser.

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "keepalived_swarm/tether/client.hpp"
#include "keepalived_swarm/tether/messages.hpp"

using namespace ks::tether;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_round_trip(const Message& message) {
    const auto line = encode(message);
    check(!line.empty() && line.back() == '\n');
    const std::string_view body(line.data(), line.size() - 1);
    check(body.find('\n') == std::string_view::npos);
    check(body.size() < Client::kMaxLineBytes);
    const auto decoded = decode(body);
    check(std::holds_alternative<Message>(decoded) && std::get<Message>(decoded) == message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    while (true) {
        const auto newline = stream.find('\n');
        // The client reads a line into a buffer of at most kMaxLineBytes, newline included.
        if (newline == std::string_view::npos || newline >= Client::kMaxLineBytes) break;
        // An undecodable line must say why: the float logs it for the operator.
        const auto decoded = decode(stream.substr(0, newline));
        if (const auto* message = std::get_if<Message>(&decoded)) {
            check_round_trip(*message);
        } else {
            check(!std::get<Undecodable>(decoded).why.empty());
        }
        stream.remove_prefix(newline + 1);
    }
    // What follows the last newline is a line still incomplete: the client would wait for more.
    return 0;
}
