#include "keepalived_swarm/log/log.hpp"

#include <chrono>
#include <iostream>
#include <mutex>

#include "keepalived_swarm/util/json_text.hpp"
#include "keepalived_swarm/util/time_text.hpp"

namespace ks::log {
namespace {

struct LoggerState {
    std::mutex mutex;
    Level threshold = Level::info;
    Format format = Format::text;
    std::string component;
    std::ostream* out = &std::cerr;
};

LoggerState& state() {
    static LoggerState instance;
    return instance;
}

bool needs_quotes(std::string_view value) {
    if (value.empty()) return true;
    for (char c : value) {
        if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
    }
    return false;
}

}  // namespace

void configure(Level level, Format format, std::string_view component) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.threshold = level;
    s.format = format;
    s.component = std::string(component);
}

void set_output(std::ostream& out) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.out = &out;
}

bool enabled(Level level) {
    return level >= state().threshold;
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
    auto& s = state();
    if (level < s.threshold) return;
    std::string line;
    line.reserve(128);
    const std::string timestamp = util::iso8601_utc(std::chrono::system_clock::now());
    if (s.format == Format::json) {
        line += "{\"ts\":";
        util::append_json_string(line, timestamp);
        line += ",\"level\":";
        util::append_json_string(line, to_string(level));
        if (!s.component.empty()) {
            line += ",\"component\":";
            util::append_json_string(line, s.component);
        }
        line += ",\"msg\":";
        util::append_json_string(line, message);
        for (const auto& field : fields) {
            line += ',';
            util::append_json_string(line, field.key);
            line += ':';
            util::append_json_string(line, field.value);
        }
        line += "}\n";
    } else {
        line += timestamp;
        line += ' ';
        line += to_string(level);
        line += ' ';
        if (!s.component.empty()) {
            line += s.component;
            line += ": ";
        }
        line += message;
        for (const auto& field : fields) {
            line += ' ';
            line += field.key;
            line += '=';
            if (needs_quotes(field.value)) {
                util::append_json_string(line, field.value);
            } else {
                line += field.value;
            }
        }
        line += '\n';
    }
    std::lock_guard lock(s.mutex);
    *s.out << line << std::flush;
}

std::optional<Level> parse_level(std::string_view text) {
    if (text == "debug") return Level::debug;
    if (text == "info") return Level::info;
    if (text == "warn" || text == "warning") return Level::warn;
    if (text == "error") return Level::error;
    return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) {
    if (text == "text") return Format::text;
    if (text == "json") return Format::json;
    return std::nullopt;
}

std::string_view to_string(Level level) {
    switch (level) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
    }
    return "info";
}

}  // namespace ks::log
