#pragma once
// Writes the Prometheus text exposition format (version 0.0.4): families of samples, each with
// labels common to the whole document (such as the node) and its own.

#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks::status {

/// Label name and value pairs, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// A Prometheus text document built one family at a time.
class PrometheusWriter {
public:
    /// `common` is added to every sample, before the sample's own labels.
    explicit PrometheusWriter(Labels common = {}) : common_(std::move(common)) {}

    /// Starts a family: its HELP and TYPE lines ("gauge", "counter").
    void family(std::string_view name, std::string_view type, std::string_view help);
    /// One sample of the current family.
    void sample(const Labels& labels, double value);
    std::string str() const { return out_.str(); }

private:
    Labels common_;
    std::ostringstream out_;
    std::string name_;
};

/// A label value with backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace ks::status
