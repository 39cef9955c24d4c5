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
    series_in_family_ = 0;
}

void PrometheusWriter::write_label_value(std::string_view value) {
    if (value.size() > bounds_.max_label_value_bytes) {
        ++cuts_.label_values_shortened;
        std::size_t keep = bounds_.max_label_value_bytes;
        // Not inside a UTF-8 sequence: back off over continuation bytes (10xxxxxx).
        while (keep > 0 && (static_cast<unsigned char>(value[keep]) & 0xC0) == 0x80) --keep;
        value = value.substr(0, keep);
    }
    out_ << escape_label_value(value);
}

void PrometheusWriter::sample(const Labels& labels, double value) {
    if (series_in_family_ >= bounds_.max_series_per_family ||
        static_cast<std::size_t>(out_.tellp()) >= bounds_.max_document_bytes) {
        ++cuts_.series_dropped;
        return;
    }
    ++series_in_family_;
    out_ << name_;
    bool first = true;
    for (const Labels* set : {static_cast<const Labels*>(&common_), &labels}) {
        for (const auto& [key, label_value] : *set) {
            out_ << (first ? '{' : ',') << key << "=\"";
            write_label_value(label_value);
            out_ << '"';
            first = false;
        }
    }
    if (!first) out_ << '}';
    char number[32];
    std::snprintf(number, sizeof number, "%.17g", value);
    out_ << ' ' << number << '\n';
}

}  // namespace ks::status
