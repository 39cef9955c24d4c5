#include "keepalived_swarm/util/backoff.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using ks::util::Backoff;

TEST_CASE("backoff doubles to its limit and starts over", "[util]") {
    Backoff backoff(100ms, 1s);
    CHECK(backoff.next_delay() == 100ms);
    CHECK(backoff.next_delay() == 200ms);
    CHECK(backoff.next_delay() == 400ms);
    CHECK(backoff.next_delay() == 800ms);
    CHECK(backoff.next_delay() == 1s);
    CHECK(backoff.next_delay() == 1s);
    backoff.reset();
    CHECK(backoff.next_delay() == 100ms);
}
