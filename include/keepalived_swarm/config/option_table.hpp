#pragma once
// One table per settings struct, one row per option: its flag, variable, default and help, how its
// field is written back as the option's text, and what changing it costs a running float. The
// command line, --help, the environment the anchor hands the float (and so the float's hash) and
// what a SIGHUP applies in place all read the same rows, so an option is declared once.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "keepalived_swarm/config/options.hpp"
#include "keepalived_swarm/config/values.hpp"

namespace ks::config {

/// What a running float does when a SIGHUP changes an option.
enum class Reload {
    /// The running instances take the new value: FloatDaemon::reload hands it over, so a new
    /// in_place option needs its line there.
    in_place,
    /// The instances are planned and opened anew: sockets, addresses, adverts.
    restart,
};

/// One option of `Settings`, tied to the field it fills.
template <typename Settings>
struct SettingsOption {
    OptionSpec spec;
    Reload reload = Reload::restart;  ///< restart: never wrong, only slower
    /// The field as the option's text, which reading the options turns back into the same value;
    /// nullopt leaves the option unset, which reads back as the field's value too.
    std::function<std::optional<std::string>(const Settings&)> render;
    /// Whether two settings hold the same value in the field.
    std::function<bool(const Settings&, const Settings&)> same;
    /// The field itself, by address: lets a test check that every field has its option.
    std::function<const void*(const Settings&)> field;
};

/// Renders a field as its option's text (see SettingsOption::render).
template <typename Field>
using FieldRenderer = std::optional<std::string> (*)(const Field&);

/// The option that fills `member`, written back by `render`.
template <typename Settings, typename Field>
SettingsOption<Settings> field_option(Field Settings::*member, Reload reload, OptionSpec spec,
                                      std::type_identity_t<FieldRenderer<Field>> render) {
    return {std::move(spec), reload,
            [member, render](const Settings& settings) { return render(settings.*member); },
            [member](const Settings& a, const Settings& b) { return a.*member == b.*member; },
            [member](const Settings& settings) -> const void* { return &(settings.*member); }};
}

/// The options of the settings held in `member`, as options of the settings that hold them.
template <typename Outer, typename Inner>
std::vector<SettingsOption<Outer>> nested_options(Inner Outer::*member,
                                                  const std::vector<SettingsOption<Inner>>& inner) {
    std::vector<SettingsOption<Outer>> options;
    for (const auto& option : inner) {
        options.push_back(
            {option.spec, option.reload,
             [member, render = option.render](const Outer& outer) { return render(outer.*member); },
             [member, same = option.same](const Outer& a, const Outer& b) {
                 return same(a.*member, b.*member);
             },
             [member, field = option.field](const Outer& outer) { return field(outer.*member); }});
    }
    return options;
}

template <typename Settings>
std::vector<OptionSpec> option_specs(const std::vector<SettingsOption<Settings>>& table) {
    std::vector<OptionSpec> specs;
    for (const auto& option : table) specs.push_back(option.spec);
    return specs;
}

/// VARIABLE=VALUE for each option the settings set, in table order.
template <typename Settings>
std::vector<std::string> option_environment(const std::vector<SettingsOption<Settings>>& table,
                                            const Settings& settings) {
    std::vector<std::string> environment;
    for (const auto& option : table) {
        if (auto value = option.render(settings)) {
            environment.push_back(option.spec.env + "=" + *value);
        }
    }
    return environment;
}

/// Whether `a` and `b` differ only in options a running float takes in place.
template <typename Settings>
bool differ_only_in_place(const std::vector<SettingsOption<Settings>>& table, const Settings& a,
                          const Settings& b) {
    for (const auto& option : table) {
        if (option.reload == Reload::restart && !option.same(a, b)) return false;
    }
    return true;
}

// Renderers the tables share.

inline std::optional<std::string> text_always(const std::string& value) {
    return value;
}
/// Empty: unset.
inline std::optional<std::string> text_unless_empty(const std::string& value) {
    if (value.empty()) return std::nullopt;
    return value;
}
inline std::optional<std::string> duration_text(const std::chrono::microseconds& duration) {
    return format_duration(duration);
}
template <typename Number>
std::optional<std::string> number_text(const Number& number) {
    return std::to_string(number);
}
/// The items' texts, `separator` between them.
template <typename Items, typename ToText>
std::string joined(const Items& items, std::string_view separator, ToText to_text) {
    std::string text;
    for (const auto& item : items) {
        if (!text.empty()) text += separator;
        text += to_text(item);
    }
    return text;
}

}  // namespace ks::config
