#include "keepalived_swarm/util/time_text.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using ks::util::hours_minutes_seconds;

TEST_CASE("uptimes print as HH:MM:SS with hours counting past a day", "[util]") {
    CHECK(hours_minutes_seconds(0s) == "00:00:00");
    CHECK(hours_minutes_seconds(59s) == "00:00:59");
    CHECK(hours_minutes_seconds(3725s) == "01:02:05");
    CHECK(hours_minutes_seconds(36000s + 600s + 10s) == "10:10:10");
    CHECK(hours_minutes_seconds(100h + 59min + 59s) == "100:59:59");
    CHECK(hours_minutes_seconds(-5s) == "00:00:00");
}

TEST_CASE("times print as ISO 8601 UTC with milliseconds", "[util]") {
    const auto time = std::chrono::system_clock::time_point{} + 86400s + 3723s + 45ms;
    CHECK(ks::util::iso8601_utc(time) == "1970-01-02T01:02:03.045Z");
}
