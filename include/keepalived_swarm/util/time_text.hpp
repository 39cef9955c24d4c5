#pragma once
// Wall-clock times as text, for logs and status documents.

#include <chrono>
#include <string>

namespace ks::util {

/// "2026-11-26T22:18:17.123Z"
std::string iso8601_utc(std::chrono::system_clock::time_point time);

/// "HH:MM:SS" (hours keep counting past 24), as the original buoy printed uptimes.
std::string hours_minutes_seconds(std::chrono::seconds elapsed);

}  // namespace ks::util
