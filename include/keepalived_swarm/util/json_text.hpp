#pragma once
// Writing JSON text by hand where pulling in Boost.JSON is not worth it (log lines).

#include <string>
#include <string_view>

namespace ks::util {

/// Appends `value` to `out` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view value);

}  // namespace ks::util
