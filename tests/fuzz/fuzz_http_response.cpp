// Feeds arbitrary bytes to the HTTP client's answer readers, as a server's side of the connection:
// the Beast parsers with the client's limits (response_reading.hpp, what src/http/client.cpp
// reads with), over Beast's in-memory test stream, handed over a few bytes per read as a slow
// server would. request() reads whole answers, several in a row while the connection is kept
// alive; stream() reads the head, then the body piece by piece (chunked or not), or keeps the
// start of an error answer. Nothing may crash, hang or trip a sanitizer, and the limits must hold.

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "keepalived_swarm/http/response_reading.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace ks::http;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
/// A kept-alive connection answers one request after another; a few are enough to reach the
/// bytes an answer leaves in the buffer for the next.
constexpr int kAnswersPerConnection = 4;

void check(bool condition) {
    if (!condition) std::abort();
}

asio::awaitable<void> read_whole_answers(beast::test::stream& stream, bool head_request) {
    const ClientLimits limits;
    beast::flat_buffer buffer;
    for (int answer = 0; answer < kAnswersPerConnection; ++answer) {
        WholeResponseParser parser;
        apply_limits(parser, limits, head_request);
        auto [ec, read] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
        if (ec) co_return;
        Response response;
        copy_head(parser.get().base(), response);
        response.body = std::move(parser.get().body());
        check(response.body.size() <= limits.max_body);
        check(!head_request || response.body.empty());
        response.ok();
        if (!parser.keep_alive()) co_return;
    }
}

asio::awaitable<void> read_streamed_answer(beast::test::stream& stream) {
    const ClientLimits limits;
    beast::flat_buffer buffer;
    StreamedResponseParser parser;
    apply_limits(parser, limits);
    auto [ec, read] = co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow);
    if (ec) co_return;
    Response response;
    copy_head(parser.get().base(), response);
    bool stopped = false;
    if (response.ok()) {
        std::size_t pieces = 0;
        co_await read_streamed_body(
            stream, buffer, parser,
            [&pieces](std::string_view data) {
                check(!data.empty());
                return ++pieces < 1000;
            },
            stopped);
    } else {
        // As the client keeps the start of an error answer's body.
        const std::size_t limit = limits.max_error_body;
        co_await read_streamed_body(
            stream, buffer, parser,
            [&response, limit](std::string_view data) {
                response.body.append(data.substr(0, limit - response.body.size()));
                return response.body.size() < limit;
            },
            stopped);
        check(response.body.size() <= limit);
    }
}

/// Runs `reader` against a server that sends `bytes`, `read_size` at a time, then closes.
template <typename Reader>
void serve(std::string_view bytes, std::size_t read_size, Reader reader) {
    asio::io_context context;
    beast::test::stream stream(context);
    stream.append(bytes);
    stream.read_size(read_size);
    stream.close_remote();
    asio::co_spawn(context, reader(stream), asio::detached);
    context.run();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte says how the server sends: how many bytes a read gets (a quarter of the
    // inputs all at once), and whether the request was a HEAD. Long inputs come in no more than
    // 64 reads: a byte a read through an oversized head only slows the search down.
    const std::uint8_t how = data[0];
    const std::size_t read_size =
        (how & 0x60) == 0 ? size : std::max<std::size_t>((how & 0x1F) + 1, size / 64);
    const bool head_request = (how & 0x80) != 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

    serve(bytes, read_size, [head_request](beast::test::stream& stream) {
        return read_whole_answers(stream, head_request);
    });
    serve(bytes, read_size,
          [](beast::test::stream& stream) { return read_streamed_answer(stream); });
    return 0;
}
