#include "keepalived_swarm/http/server_support.hpp"

#include <boost/beast/http/error.hpp>

namespace ks::http::detail {
namespace beast_http = boost::beast::http;
using boost::system::error_code;

std::optional<ServerResponse> response_to_read_error(const error_code& ec,
                                                     const ServerLimits& limits) {
    if (ec == beast_http::error::header_limit || ec == beast_http::error::buffer_overflow) {
        return text_response(Status::request_header_fields_too_large,
                             "Request header too large: at most " +
                                 std::to_string(limits.max_header_bytes) + " bytes are read.\n");
    }
    if (ec == beast_http::error::body_limit) {
        return text_response(Status::payload_too_large, "Request body too large: at most " +
                                                            std::to_string(limits.max_body_bytes) +
                                                            " bytes are read.\n");
    }
    static const auto& parser_errors = make_error_code(beast_http::error::bad_method).category();
    if (ec.category() == parser_errors && ec != beast_http::error::partial_message &&
        ec != beast_http::error::end_of_stream) {
        return text_response(Status::bad_request,
                             "Malformed HTTP request (" + ec.message() + "); send HTTP/1.1.\n");
    }
    return std::nullopt;
}

/// The status line and header fields of `response`, as sent. Beast's generic serializer costs
/// more than the rest of a small request together; responses here are whole strings.
void write_head(const ServerResponse& response, std::string& out) {
    out.clear();
    out += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    const unsigned code = response.result_int();
    out += static_cast<char>('0' + code / 100 % 10);
    out += static_cast<char>('0' + code / 10 % 10);
    out += static_cast<char>('0' + code % 10);
    out += ' ';
    const auto reason = response.reason();
    out.append(reason.data(), reason.size());
    out += "\r\n";
    for (const auto& field : response) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.append(name.data(), name.size());
        out += ": ";
        out.append(value.data(), value.size());
        out += "\r\n";
    }
    out += "\r\n";
}

}  // namespace ks::http::detail
