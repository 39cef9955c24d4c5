#pragma once
// One small leveled logger shared by every role: text for people, JSON lines for collectors.

#include <initializer_list>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace ks::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

/// A key/value pair attached to a log line; values of any streamable type are rendered once.
struct Field {
    template <typename T>
    Field(std::string_view field_key, const T& field_value) : key(field_key) {
        if constexpr (std::is_convertible_v<const T&, std::string_view>) {
            value = std::string(std::string_view(field_value));
        } else if constexpr (std::is_same_v<T, bool>) {
            value = field_value ? "true" : "false";
        } else if constexpr (std::is_arithmetic_v<T>) {
            value = std::to_string(field_value);
        } else {
            std::ostringstream out;
            out << field_value;
            value = out.str();
        }
    }
    std::string_view key;
    std::string value;
};

/// Sets the threshold, the format and the component name printed on every line.
void configure(Level level, Format format, std::string_view component);
/// Redirects output (tests); the default is standard error.
void set_output(std::ostream& out);
bool enabled(Level level);
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view message, std::initializer_list<Field> fields = {}) {
    if (enabled(Level::debug)) write(Level::debug, message, fields);
}
inline void info(std::string_view message, std::initializer_list<Field> fields = {}) {
    write(Level::info, message, fields);
}
inline void warn(std::string_view message, std::initializer_list<Field> fields = {}) {
    write(Level::warn, message, fields);
}
inline void error(std::string_view message, std::initializer_list<Field> fields = {}) {
    write(Level::error, message, fields);
}

std::optional<Level> parse_level(std::string_view text);
std::optional<Format> parse_format(std::string_view text);
std::string_view to_string(Level level);

}  // namespace ks::log
