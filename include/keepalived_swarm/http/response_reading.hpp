#pragma once
// How the HTTP client reads an answer off its stream: the Beast parsers with the client's limits,
// and the loop that hands a streamed body over as it arrives. Shared by the client and its fuzz
// target, so that the target exercises exactly what reads the servers' bytes.

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string_view>

#include "keepalived_swarm/http/client.hpp"

namespace ks::http {

/// The parser of request(): the whole body, up to limits.max_body.
using WholeResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;
/// The parser of stream(): the body in pieces, no limit (events flow for as long as they last).
using StreamedResponseParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

/// Sets the limits request() reads an answer with; `head_request`: the answer has no body.
inline void apply_limits(WholeResponseParser& parser, const ClientLimits& limits,
                         bool head_request) {
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    parser.body_limit(limits.max_body);
    if (head_request) parser.skip(true);
}

/// Sets the limits stream() reads an answer with.
inline void apply_limits(StreamedResponseParser& parser, const ClientLimits& limits) {
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header));
    parser.body_limit(boost::none);
}

/// Status and headers of a parsed head.
template <typename Fields>
void copy_head(const boost::beast::http::header<false, Fields>& head, Response& response) {
    response.status = head.result_int();
    for (const auto& field : head) {
        response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
}

/// Reads what is left of a streamed body (the head already read), handing each piece to
/// `on_data` as it arrives; `stopped` is set when `on_data` asked to stop.
template <typename Stream, typename OnData>
boost::asio::awaitable<boost::system::error_code> read_streamed_body(
    Stream& stream, boost::beast::flat_buffer& buffer, StreamedResponseParser& parser,
    const OnData& on_data, bool& stopped) {
    namespace bhttp = boost::beast::http;
    std::array<char, 16384> chunk{};
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        // read_some, not read: hand over what arrived instead of waiting for a full buffer.
        auto [ec, read] = co_await bhttp::async_read_some(
            stream, buffer, parser, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) co_return ec;
        const std::size_t got = chunk.size() - parser.get().body().size;
        if (got > 0 && !on_data(std::string_view(chunk.data(), got))) {
            stopped = true;
            co_return boost::system::error_code{};
        }
    }
    co_return boost::system::error_code{};
}

}  // namespace ks::http
