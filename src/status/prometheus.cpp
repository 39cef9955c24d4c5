#include "keepalived_swarm/status/prometheus.hpp"

#include <cstdio>

namespace ks::status {

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void PrometheusWriter::family(std::string_view name, std::string_view type, std::string_view help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    name_ = name;
}

void PrometheusWriter::sample(const Labels& labels, double value) {
    out_ << name_;
    bool first = true;
    for (const Labels* set : {static_cast<const Labels*>(&common_), &labels}) {
        for (const auto& [key, label_value] : *set) {
            out_ << (first ? '{' : ',') << key << "=\"" << escape_label_value(label_value) << '"';
            first = false;
        }
    }
    if (!first) out_ << '}';
    char number[32];
    std::snprintf(number, sizeof number, "%.17g", value);
    out_ << ' ' << number << '\n';
}

}  // namespace ks::status
