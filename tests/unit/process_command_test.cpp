#include <catch2/catch.hpp>

#include "keepalived_swarm/process/command.hpp"

using ks::process::split_command_line;

TEST_CASE("notify commands split like a shell would, without a shell", "[process]") {
    using Words = std::vector<std::string>;
    CHECK(split_command_line("/bin/notify") == Words{"/bin/notify"});
    CHECK(split_command_line("  /bin/notify  --flag   x ") == Words{"/bin/notify", "--flag", "x"});
    CHECK(split_command_line(R"(/bin/n "two words" 'single $quoted' a\ b)") ==
          Words{"/bin/n", "two words", "single $quoted", "a b"});
    CHECK(split_command_line(R"(/bin/n "esc \"q\"" '')") == Words{"/bin/n", "esc \"q\"", ""});
    CHECK_FALSE(split_command_line(R"(/bin/n "open)"));
    CHECK_FALSE(split_command_line("'"));
    CHECK_FALSE(split_command_line("   "));
}
