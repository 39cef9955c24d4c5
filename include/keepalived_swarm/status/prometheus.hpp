#pragma once
// Writes the Prometheus text exposition format (version 0.0.4): families of samples, each with
// labels common to the whole document (such as the node) and its own.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ks::status {

/// Label name and value pairs, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// What one document may hold. Label values come from configuration and from the network (a
/// float's status relayed by the buoy), so without bounds one long name times many series makes
/// answers of tens of megabytes; with them a document stays under max_document_bytes.
struct PrometheusBounds {
    std::size_t max_label_value_bytes = 256;  ///< longer values are cut at a character boundary
    std::size_t max_series_per_family = 1024;
    std::size_t max_document_bytes = 1024 * 1024;  ///< further samples are dropped
};

/// What the bounds cut from a document.
struct PrometheusCuts {
    std::uint64_t label_values_shortened = 0;
    std::uint64_t series_dropped = 0;

    bool any() const { return label_values_shortened > 0 || series_dropped > 0; }
    bool operator==(const PrometheusCuts&) const = default;
};

/// A Prometheus text document built one family at a time, within PrometheusBounds.
class PrometheusWriter {
public:
    /// `common` is added to every sample, before the sample's own labels.
    explicit PrometheusWriter(Labels common = {}, PrometheusBounds bounds = {})
        : common_(std::move(common)), bounds_(bounds) {}

    /// Starts a family: its HELP and TYPE lines ("gauge", "counter").
    void family(std::string_view name, std::string_view type, std::string_view help);
    /// One sample of the current family (dropped, and counted, beyond the bounds).
    void sample(const Labels& labels, double value);
    std::string str() const { return out_.str(); }
    const PrometheusCuts& cuts() const { return cuts_; }

private:
    void write_label_value(std::string_view value);

    Labels common_;
    PrometheusBounds bounds_;
    PrometheusCuts cuts_;
    std::ostringstream out_;
    std::string name_;
    std::size_t series_in_family_ = 0;
};

/// A label value with backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

}  // namespace ks::status
