#include "roles/buoy/buoy_state.hpp"

#include <boost/json/parse.hpp>

namespace ks::roles::buoy {

void record_float_answer(FloatView& view, unsigned http_status, std::string_view body,
                         std::chrono::system_clock::time_point now) {
    ++view.fetches;
    view.checked_at = now;
    if (http_status == 200 && view.status && body == view.document) return;
    ++view.generation;
    view.document.clear();
    if (http_status != 200) {
        ++view.failures;
        view.status.reset();
        view.error = "the float's status socket answered HTTP " + std::to_string(http_status) +
                     " to GET /status; is a float of the same version behind it?";
        return;
    }
    boost::system::error_code ec;
    const auto json = boost::json::parse(body, ec);
    auto parsed =
        ec ? boost::system::result<status::FloatStatus>(ec) : status::float_status_from_json(json);
    if (!parsed) {
        ++view.failures;
        view.status.reset();
        view.error = "the float's status document is not valid (" + parsed.error().message() +
                     "); is a float of the same version behind the socket?";
        return;
    }
    view.status = std::move(*parsed);
    view.document = body;
    view.error.clear();
}

void record_float_failure(FloatView& view, std::string error,
                          std::chrono::system_clock::time_point now) {
    ++view.fetches;
    ++view.failures;
    view.checked_at = now;
    if (view.status) ++view.generation;
    view.document.clear();
    view.status.reset();
    view.error = std::move(error);
}

std::chrono::seconds BuoyState::uptime() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now() - started);
}

}  // namespace ks::roles::buoy
