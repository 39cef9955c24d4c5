#pragma once
// The buoy's web page: one HTML document with its style and script inline (no external assets),
// which polls /status and shows node, state, VIPs, master and recent transitions.

#include <string_view>

namespace ks::roles::buoy {

/// The HTML of GET /ui.
std::string_view ui_page();

}  // namespace ks::roles::buoy
