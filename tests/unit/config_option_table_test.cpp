// The option table is the one place an option of the float is declared. These tests fail when a
// field of InstanceSettings has no option in the table, when an option's text does not read back
// as its field, and when an option moves between what a SIGHUP applies in place and what restarts
// the VRRP instances.

#include <algorithm>
#include <boost/pfr.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <type_traits>

#include "keepalived_swarm/config/float_config.hpp"

using namespace ks::config;

namespace {

using OptionValues = std::vector<std::pair<std::string, std::string>>;

/// The least a float starts with.
const OptionValues kMinimal = {{"interface", "eth0"}, {"vip", "10.0.0.100/24"}};

/// A value other than the default for every option (--peers becomes fixed by --unicast-peer);
/// "every option differs from its default" below fails when the table grows and this does not.
const OptionValues kEveryOption = {
    {"interface", "eth1"},
    {"node-address", "10.0.0.1"},
    {"vip", "10.0.0.100/24,10.0.0.101"},
    {"vrid", "51"},
    {"priority", "150"},
    {"advert-interval", "2s"},
    {"vrrp-version", "2"},
    {"unicast-peer", "10.0.0.2,10.0.0.3"},
    {"accept-from", "any"},
    {"preempt", "true"},
    {"preempt-delay", "2s"},
    {"instance-name", "web"},
    {"garp-repeat", "3"},
    {"garp-refresh-delay", "0s"},
    {"notify", "/bin/notify 'a b'"},
    {"track-http", "http://127.0.0.1:8080/health"},
    {"track-tcp", "127.0.0.1:443,[::1]:80"},
    {"track-file", "/run/ok"},
    {"track-interval", "2s"},
    {"track-timeout", "500ms"},
    {"track-fall", "3"},
    {"track-rise", "4"},
    {"track-weight", "-50"},
    {"spread", "true"},
};

InstanceSettings parse_flags(const OptionValues& values) {
    std::vector<std::string> args;
    for (const auto& [flag, value] : values) {
        args.push_back("--" + flag);
        args.push_back(value);
    }
    const auto command_line =
        parse_command_line(float_role_description().specs, args,
                           [](const std::string&) { return std::optional<std::string>(); });
    auto parsed = parse_float_config(command_line);
    INFO(format_problems(parsed.problems));
    REQUIRE(parsed.problems.empty());
    return parsed.config.instance;
}

/// What a float reads from the environment the anchor renders for `settings`.
InstanceSettings read_back(const InstanceSettings& settings) {
    std::map<std::string, std::string> variables;
    for (const auto& entry : instance_environment(settings)) {
        const auto equals = entry.find('=');
        variables[entry.substr(0, equals)] = entry.substr(equals + 1);
    }
    const auto command_line =
        parse_command_line(float_role_description().specs, {},
                           [&](const std::string& name) -> std::optional<std::string> {
                               const auto found = variables.find(name);
                               if (found == variables.end()) return std::nullopt;
                               return found->second;
                           });
    auto parsed = parse_float_config(command_line);
    INFO(format_problems(parsed.problems));
    REQUIRE(parsed.problems.empty());
    return parsed.config.instance;
}

/// The address of every field of `settings`. Boost.PFR finds an aggregate's fields by counting how
/// many values brace-initialise it (the field-count trick), so a field added to InstanceSettings
/// turns up here without anyone listing it. A nested aggregate (TrackSettings) is taken field by
/// field, as its options are: its first field shares its address, so it cannot stand for them.
/// Comparing addresses rather than counts also catches two options filling one field while
/// another field has none.
template <typename Settings>
void collect_fields(const Settings& settings, std::vector<const void*>& fields) {
    boost::pfr::for_each_field(settings, [&](const auto& field) {
        using Field = std::remove_cvref_t<decltype(field)>;
        if constexpr (std::is_class_v<Field> && std::is_aggregate_v<Field>) {
            collect_fields(field, fields);
        } else {
            fields.push_back(&field);
        }
    });
}

}  // namespace

TEST_CASE("every field of InstanceSettings has exactly one option in the table",
          "[config][options]") {
    const InstanceSettings settings;
    std::vector<const void*> fields;
    collect_fields(settings, fields);
    std::map<const void*, std::vector<std::string>> flags_of_field;
    for (const auto& option : instance_options()) {
        flags_of_field[option.field(settings)].push_back(option.spec.flag);
    }
    for (std::size_t index = 0; index < fields.size(); ++index) {
        INFO("field " << index << " of InstanceSettings, counting nested fields one by one");
        CHECK(flags_of_field[fields[index]].size() == 1);
    }
    CHECK(instance_options().size() == fields.size());
}

TEST_CASE("every option differs from its default in the values the round trip uses",
          "[config][options]") {
    const auto minimal = parse_flags(kMinimal);
    const auto every = parse_flags(kEveryOption);
    for (const auto& option : instance_options()) {
        INFO(option.spec.flag);
        CHECK_FALSE(option.same(every, minimal));
        CHECK(option.render(every) != option.render(minimal));
    }
}

TEST_CASE("settings read back exactly from the environment the table renders",
          "[config][options]") {
    auto multicast = kMinimal;
    multicast.emplace_back("peers", "multicast");
    for (const auto& values : {kMinimal, kEveryOption, multicast}) {
        const auto settings = parse_flags(values);
        CHECK(read_back(settings) == settings);
    }
}

TEST_CASE("a SIGHUP applies priority, preemption and the checks in place; all else restarts",
          "[config][options]") {
    std::set<std::string> in_place;
    for (const auto& option : instance_options()) {
        if (option.reload == Reload::in_place) in_place.insert(option.spec.flag);
    }
    CHECK(in_place == std::set<std::string>{"priority", "preempt", "preempt-delay", "track-http",
                                            "track-tcp", "track-file", "track-interval",
                                            "track-timeout", "track-fall", "track-rise",
                                            "track-weight"});

    const auto minimal = parse_flags(kMinimal);
    for (const auto& [flag, value] : kEveryOption) {
        INFO(flag);
        auto values = kMinimal;
        std::erase_if(values, [&](const auto& entry) { return entry.first == flag; });
        values.emplace_back(flag, value);
        const auto changed = parse_flags(values);
        CHECK(differ_only_in_place(instance_options(), minimal, changed) ==
              in_place.contains(flag));
    }
}
