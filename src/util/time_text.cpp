#include "keepalived_swarm/util/time_text.hpp"

#include <cstdio>
#include <ctime>

namespace ks::util {

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
    using namespace std::chrono;
    const auto whole_seconds = floor<seconds>(time);
    const auto millis = duration_cast<milliseconds>(time - whole_seconds).count();
    const std::time_t t = system_clock::to_time_t(whole_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(millis));
    return buffer;
}

std::string hours_minutes_seconds(std::chrono::seconds elapsed) {
    // By hand rather than snprintf: the buoy's busiest route prints this on every request.
    const long long total = elapsed.count() < 0 ? 0 : elapsed.count();
    std::string text = std::to_string(total / 3600);
    if (text.size() < 2) text.insert(text.begin(), '0');
    for (const long long part : {total / 60 % 60, total % 60}) {
        text += ':';
        text += static_cast<char>('0' + part / 10);
        text += static_cast<char>('0' + part % 10);
    }
    return text;
}

}  // namespace ks::util
