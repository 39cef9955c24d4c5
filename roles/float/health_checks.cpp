#include "roles/float/health_checks.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "keepalived_swarm/log/log.hpp"

namespace ks::roles::float_role {
namespace {

using Result = std::pair<bool, std::string>;

std::string seconds_text(vrrp::Duration duration) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
    return std::to_string(ms) + "ms";
}

std::optional<std::string> read_small_file(const std::string& path) {
    std::ifstream file(path);
    if (!file) return std::nullopt;
    std::string content(64, '\0');
    file.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(file.gcount()));
    return content;
}

}  // namespace

vrrp::Tracker file_tracker(const std::optional<std::string>& content, std::optional<int> weight) {
    if (!content) return {false, weight, "missing or unreadable"};
    std::string_view text = *content;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < -254 ||
        value > 254) {
        return {false, weight, "not a number from -254 to 254"};
    }
    if (value == 0) return {true, weight, "0"};
    // keepalived's track_file: the number itself is what the priority changes by.
    return {false, value, std::to_string(value)};
}

std::vector<std::string> HealthChecks::tracker_names(const config::TrackSettings& settings) {
    std::vector<std::string> names;
    for (const auto& url : settings.http) names.push_back("http:" + url);
    for (const auto& target : settings.tcp) names.push_back("tcp:" + config::to_string(target));
    for (const auto& path : settings.files) names.push_back("file:" + path);
    return names;
}

HealthChecks::HealthChecks(const boost::asio::any_io_executor& executor,
                           const config::TrackSettings& settings, Report report)
    : executor_(executor), settings_(settings), report_(std::move(report)) {
    const vrrp::CheckPolicy policy{settings.fall, settings.rise, settings.weight};
    const auto add = [&](Check::Kind kind, std::string target, std::string prefix) {
        auto check = std::make_unique<Check>(
            Check{kind, target, {}, prefix + target, vrrp::HealthHistory(policy), nullptr});
        checks_.push_back(std::move(check));
    };
    for (const auto& url : settings.http) {
        add(Check::Kind::http, url, "http:");
        if (auto endpoint = http::parse_endpoint(url)) {
            checks_.back()->client = std::make_unique<http::Client>(executor, *endpoint);
        }
    }
    for (const auto& target : settings.tcp) {
        add(Check::Kind::tcp, config::to_string(target), "tcp:");
        checks_.back()->tcp = target;
    }
    for (const auto& path : settings.files) add(Check::Kind::file, path, "file:");
}

void HealthChecks::start() {
    for (auto& check : checks_) {
        boost::asio::co_spawn(executor_, run(shared_from_this(), *check), boost::asio::detached);
    }
}

void HealthChecks::stop() {
    stopped_ = true;
    for (auto& timer : timers_) timer->cancel();
    for (auto& check : checks_) {
        if (check->client) check->client->cancel();
    }
}

boost::asio::awaitable<void> HealthChecks::run([[maybe_unused]] std::shared_ptr<HealthChecks> self,
                                               Check& check) {
    auto timer = std::make_shared<boost::asio::steady_timer>(executor_);
    timers_.push_back(timer);
    while (!stopped_) {
        const auto started = std::chrono::steady_clock::now();
        Result result;
        switch (check.kind) {
            case Check::Kind::http:
                result = co_await probe_http(check);
                break;
            case Check::Kind::tcp:
                result = co_await probe_tcp(check);
                break;
            case Check::Kind::file:
                break;
        }
        if (stopped_) break;
        vrrp::Tracker tracker;
        if (check.kind == Check::Kind::file) {
            tracker = file_tracker(read_small_file(check.target), settings_.weight);
            check.history.record(tracker.up, tracker.reason);
        } else {
            if (check.history.record(result.first, result.second)) {
                log::warn(result.first ? "tracked check is up again" : "tracked check is down",
                          {{"check", check.name}, {"result", result.second}});
            }
            tracker = check.history.tracker();
        }
        report_(check.name, tracker);
        timer->expires_at(started + settings_.interval);
        boost::system::error_code ignored;
        co_await timer->async_wait(
            boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
}

boost::asio::awaitable<Result> HealthChecks::probe_http(Check& check) {
    if (!check.client) co_return Result{false, "not a URL the client can reach"};
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.timeout);
    auto response = co_await check.client->request(
        http::Request{"GET", check.client->endpoint().target}, timeout);
    if (!response) {
        if (response.error() == http::make_error_code(http::Errc::timeout)) {
            co_return Result{false, "no answer within " + seconds_text(settings_.timeout)};
        }
        co_return Result{false, check.client->last_error()};
    }
    co_return Result{response->ok(), "HTTP " + std::to_string(response->status)};
}

boost::asio::awaitable<Result> HealthChecks::probe_tcp(const Check& check) {
    boost::asio::ip::tcp::socket socket(executor_);
    // The deadline cancels the name lookup and closes the socket: a hung check fails on time.
    boost::asio::steady_timer deadline(executor_, settings_.timeout);
    bool timed_out = false;
    boost::asio::ip::tcp::resolver resolver(executor_);
    deadline.async_wait([&](const boost::system::error_code& error) {
        if (error) return;
        timed_out = true;
        resolver.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
    });
    boost::system::error_code error;
    auto endpoints = co_await resolver.async_resolve(
        check.tcp.host, check.tcp.port,
        boost::asio::redirect_error(boost::asio::use_awaitable, error));
    if (!error && !timed_out) {
        co_await boost::asio::async_connect(
            socket, endpoints, boost::asio::redirect_error(boost::asio::use_awaitable, error));
    }
    deadline.cancel();
    if (timed_out)
        co_return Result{false, "no connection within " + seconds_text(settings_.timeout)};
    if (error) co_return Result{false, "connect: " + error.message()};
    co_return Result{true, "connected"};
}

}  // namespace ks::roles::float_role
