#include "keepalived_swarm/docker/client.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <cctype>

// GCC 12 reports Asio's coroutine frame allocator as mismatched once it inlines it (a false
// positive: both halves are Asio's own operator new/delete of the frame).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace ks::docker {
namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;

namespace {

/// A pull that takes longer than this is given up (and retried by the caller).
constexpr std::chrono::minutes kPullTimeout{15};

/// fromImage and tag of a pull: "name:tag" -> (name, tag); no tag means "latest" (an empty tag
/// would pull every tag of the repository).
std::pair<std::string, std::string> split_reference(std::string reference) {
    if (reference.find('@') != std::string::npos) return {reference, ""};
    const auto slash = reference.rfind('/');
    const auto colon = reference.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
        return {reference.substr(0, colon), reference.substr(colon + 1)};
    }
    return {reference, "latest"};
}

/// Tells `on_slow` once, if the call it watches is still waiting after `after`.
class SlowCallWatch {
public:
    SlowCallWatch(const asio::any_io_executor& executor, std::chrono::milliseconds after,
                  std::function<void()> on_slow)
        : timer_(executor) {
        if (!on_slow || after.count() <= 0) return;
        timer_.expires_after(after);
        timer_.async_wait([on_slow = std::move(on_slow)](boost::system::error_code ec) {
            if (!ec) on_slow();
        });
    }
    ~SlowCallWatch() { timer_.cancel(); }
    SlowCallWatch(const SlowCallWatch&) = delete;
    SlowCallWatch& operator=(const SlowCallWatch&) = delete;

private:
    asio::steady_timer timer_;
};

}  // namespace

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0F];
        }
    }
    return out;
}

std::string filters_json(const Filters& filters) {
    boost::json::object object;
    for (const auto& [key, values] : filters) {
        boost::json::array array;
        for (const auto& value : values) array.emplace_back(value);
        object[key] = std::move(array);
    }
    return boost::json::serialize(object);
}

Client::Client(asio::any_io_executor executor, http::Endpoint endpoint)
    : http_(std::move(executor), std::move(endpoint)) {}

std::unique_ptr<Client> Client::another_connection(asio::any_io_executor executor) const {
    auto client = std::make_unique<Client>(std::move(executor), endpoint());
    client->set_api_version(version_);
    return client;
}

std::string Client::versioned(const std::string& path) const {
    return "/v" + version_.to_string() + path;
}

Error Client::to_error(const boost::system::error_code& ec) const {
    ErrorKind kind = ErrorKind::protocol;
    if (ec == http::Errc::unreachable || ec == http::Errc::disconnected) {
        kind = ErrorKind::unreachable;
    } else if (ec == http::Errc::timeout) {
        kind = ErrorKind::timeout;
    } else if (ec == http::Errc::cancelled) {
        kind = ErrorKind::cancelled;
    }
    std::string message = "Docker daemon: " + http_.last_error();
    if (kind == ErrorKind::unreachable) {
        message += "; check --docker-host and that the Docker socket is mounted";
    }
    return Error{kind, 0, std::move(message)};
}

awaitable<Result<http::Response>> Client::call(std::string method, std::string path,
                                               std::string body,
                                               std::chrono::milliseconds timeout) {
    http::Request request{std::move(method), std::move(path), std::move(body)};
    // A stop or a wait may take the time it adds to an ordinary call's timeout: not slow.
    const auto slow_after =
        slow_after_ + std::max(std::chrono::milliseconds(0), timeout - kCallTimeout);
    if (deadline_) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now());
        if (left.count() <= 0) {
            co_return Error{ErrorKind::timeout, 0,
                            "Docker daemon: " + request.method + " " + request.target +
                                " not sent: the time allowed for these calls has run out"};
        }
        timeout = std::min(timeout, left);
    }
    const auto executor = co_await asio::this_coro::executor;
    std::function<void()> report_slow;
    if (on_slow_) {
        report_slow = [this, described = request.method + " " + request.target, slow_after] {
            on_slow_(described, slow_after);
        };
    }
    const SlowCallWatch watch(executor, slow_after, std::move(report_slow));
    auto response = co_await http_.request(request, timeout);
    if (!response) co_return to_error(response.error());
    if (response->status >= 400) {
        co_return Error{ErrorKind::status, response->status,
                        parse_error_message(response->body) + " (" + request.method + " " +
                            request.target + ")"};
    }
    co_return std::move(*response);
}

awaitable<Result<std::optional<ApiVersion>>> Client::ping() {
    auto response = co_await call("GET", "/_ping", {}, kQuickCallTimeout);
    if (!response) co_return response.error();
    std::optional<ApiVersion> version;
    if (auto header = response->header("API-Version")) version = parse_api_version(*header);
    co_return version;
}

awaitable<Result<VersionInfo>> Client::version() {
    auto response = co_await call("GET", "/version", {}, kQuickCallTimeout);
    if (!response) co_return response.error();
    co_return parse_version(response->body);
}

awaitable<Result<ApiVersion>> Client::negotiate() {
    auto announced = co_await ping();
    if (!announced) co_return announced.error();
    // /version is unversioned here: it also answers clients older than the daemon's minimum.
    auto details = co_await version();
    std::optional<ApiVersion> newest = *announced;
    std::optional<ApiVersion> oldest;
    if (details) {
        if (!newest) newest = details->api_version;
        oldest = details->min_api_version;
    }
    auto chosen = negotiate_api_version(newest, oldest);
    if (chosen) version_ = *chosen;
    co_return chosen;
}

awaitable<Result<SystemInfo>> Client::info() {
    auto response = co_await call("GET", versioned("/info"), {}, kQuickCallTimeout);
    if (!response) co_return response.error();
    co_return parse_system_info(response->body);
}

awaitable<Result<NodeInfo>> Client::inspect_node(std::string id) {
    auto response = co_await call("GET", versioned("/nodes/" + url_encode(id)));
    if (!response) co_return response.error();
    co_return parse_node(response->body);
}

awaitable<Result<std::vector<NodeInfo>>> Client::list_nodes(bool managers_only,
                                                            std::chrono::milliseconds timeout) {
    std::string path = "/nodes";
    if (managers_only) path += "?filters=" + url_encode(filters_json({{"role", {"manager"}}}));
    auto response = co_await call("GET", versioned(path), {}, timeout);
    if (!response) co_return response.error();
    co_return parse_node_list(response->body);
}

awaitable<Result<std::optional<ServiceInfo>>> Client::inspect_service(std::string name_or_id) {
    auto response = co_await call("GET", versioned("/services/" + url_encode(name_or_id)));
    if (!response) {
        if (response.error().is_status(404)) co_return std::optional<ServiceInfo>{};
        co_return response.error();
    }
    auto service = parse_service(response->body);
    if (!service) co_return service.error();
    co_return std::optional<ServiceInfo>(std::move(*service));
}

awaitable<Result<std::vector<TaskInfo>>> Client::list_tasks(Filters filters) {
    auto response =
        co_await call("GET", versioned("/tasks?filters=" + url_encode(filters_json(filters))));
    if (!response) co_return response.error();
    co_return parse_task_list(response->body);
}

awaitable<Result<std::optional<ImageInfo>>> Client::inspect_image(std::string reference) {
    auto response = co_await call("GET", versioned("/images/" + reference + "/json"));
    if (!response) {
        if (response.error().is_status(404)) co_return std::optional<ImageInfo>{};
        co_return response.error();
    }
    auto image = parse_image(response->body);
    if (!image) co_return image.error();
    co_return std::optional<ImageInfo>(std::move(*image));
}

awaitable<Result<void>> Client::pull_image(std::string reference,
                                           std::function<void(const PullProgress&)> on_progress) {
    const auto [name, tag] = split_reference(reference);
    std::string path = "/images/create?fromImage=" + url_encode(name);
    if (!tag.empty()) path += "&tag=" + url_encode(tag);
    http::Request request{"POST", versioned(path)};
    std::optional<Error> stream_error;
    http::LineSplitter lines;
    auto on_line = [&](std::string_view line) {
        if (line.empty()) return true;
        auto progress = parse_pull_progress(line);
        if (!progress) return true;  // an unknown line is no reason to abandon a pull
        if (!progress->error.empty()) {
            stream_error =
                Error{ErrorKind::stream, 0, "pulling " + reference + " failed: " + progress->error};
            return false;
        }
        if (on_progress) on_progress(*progress);
        return true;
    };
    asio::steady_timer deadline(co_await asio::this_coro::executor, kPullTimeout);
    bool timed_out = false;
    deadline.async_wait([this, &timed_out](boost::system::error_code ec) {
        if (ec) return;
        timed_out = true;
        http_.cancel();
    });
    auto response = co_await http_.stream(
        request, [&](std::string_view data) { return lines.feed(data, on_line); }, kCallTimeout);
    deadline.cancel();
    if (stream_error) co_return *stream_error;
    if (!response) {
        if (timed_out) {
            co_return Error{ErrorKind::timeout, 0,
                            "pulling " + reference + " took longer than 15 minutes"};
        }
        co_return to_error(response.error());
    }
    if (!response->ok()) {
        co_return Error{ErrorKind::status, response->status,
                        "pulling " + reference + ": " + parse_error_message(response->body)};
    }
    if (!lines.rest().empty()) on_line(lines.rest());
    if (stream_error) co_return *stream_error;
    co_return Result<void>{};
}

awaitable<Result<std::string>> Client::create_container(std::string name, ContainerSpec spec) {
    auto response = co_await call("POST", versioned("/containers/create?name=" + url_encode(name)),
                                  spec.to_json());
    if (!response) co_return response.error();
    co_return parse_created_id(response->body);
}

awaitable<Result<void>> Client::start_container(std::string id) {
    auto response = co_await call("POST", versioned("/containers/" + url_encode(id) + "/start"));
    if (!response) co_return response.error();
    co_return Result<void>{};
}

awaitable<Result<std::optional<ContainerInfo>>> Client::inspect_container(std::string id_or_name) {
    auto response =
        co_await call("GET", versioned("/containers/" + url_encode(id_or_name) + "/json"));
    if (!response) {
        if (response.error().is_status(404)) co_return std::optional<ContainerInfo>{};
        co_return response.error();
    }
    auto container = parse_container(response->body);
    if (!container) co_return container.error();
    co_return std::optional<ContainerInfo>(std::move(*container));
}

awaitable<Result<long long>> Client::wait_container(std::string id,
                                                    std::chrono::milliseconds timeout) {
    auto response = co_await call(
        "POST", versioned("/containers/" + url_encode(id) + "/wait?condition=not-running"), {},
        timeout);
    if (!response) co_return response.error();
    co_return parse_wait_status(response->body);
}

awaitable<Result<void>> Client::stop_container(std::string id, std::chrono::seconds grace) {
    auto response = co_await call(
        "POST",
        versioned("/containers/" + url_encode(id) + "/stop?t=" + std::to_string(grace.count())), {},
        kCallTimeout + grace);
    if (!response && !response.error().is_status(404)) co_return response.error();
    co_return Result<void>{};
}

awaitable<Result<void>> Client::kill_container(std::string id, std::string signal) {
    auto response = co_await call(
        "POST", versioned("/containers/" + url_encode(id) + "/kill?signal=" + url_encode(signal)));
    if (!response) co_return response.error();
    co_return Result<void>{};
}

awaitable<Result<void>> Client::remove_container(std::string id, bool force) {
    auto response = co_await call(
        "DELETE", versioned("/containers/" + url_encode(id) + (force ? "?force=true" : "")));
    if (!response && !response.error().is_status(404)) co_return response.error();
    co_return Result<void>{};
}

awaitable<Result<std::vector<ContainerSummary>>> Client::list_containers(Filters filters) {
    auto response = co_await call(
        "GET", versioned("/containers/json?all=true&filters=" + url_encode(filters_json(filters))));
    if (!response) co_return response.error();
    co_return parse_container_list(response->body);
}

awaitable<Result<void>> Client::watch_events(Filters filters, std::function<void()> on_subscribed,
                                             std::function<void(const Event&)> on_event) {
    http::Request request{"GET", versioned("/events?filters=" + url_encode(filters_json(filters)))};
    http::LineSplitter lines;
    auto response = co_await http_.stream(
        request,
        [&](std::string_view data) {
            lines.feed(data, [&](std::string_view line) {
                if (line.empty()) return;
                // A line this client cannot read is skipped: the next one may be fine.
                if (auto event = parse_event(line)) on_event(*event);
            });
            return true;
        },
        kCallTimeout,
        [&](const http::Response&) {
            if (on_subscribed) on_subscribed();
        });
    if (!response) co_return to_error(response.error());
    if (!response->ok()) {
        co_return Error{ErrorKind::status, response->status,
                        parse_error_message(response->body) + " (GET /events)"};
    }
    co_return Error{ErrorKind::unreachable, 0,
                    "the Docker daemon ended the event stream (is it shutting down?)"};
}

}  // namespace ks::docker
