#pragma once
// "Report now" at most once per interval, with how many events went unreported: a flood of
// refused connections or broken lines costs one log line per interval instead of one per event.

#include <chrono>
#include <cstdint>

namespace ks::util {

struct ReportThrottle {
    using Clock = std::chrono::steady_clock;
    Clock::duration interval;
    Clock::time_point last_report{};
    std::uint64_t unreported = 0;

    /// Counts one event; true when it is time to report it with the `unreported` before it
    /// (the caller then sets `unreported` back to 0).
    bool due(Clock::time_point now) {
        ++unreported;
        if (last_report != Clock::time_point{} && now - last_report < interval) return false;
        last_report = now;
        return true;
    }
};

}  // namespace ks::util
