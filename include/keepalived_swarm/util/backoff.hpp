#pragma once
// The wait between attempts that keep failing (reconnecting to the Docker Engine or the anchor,
// recreating a crashing float): it grows, so a broken peer costs a few attempts a second at most
// instead of a busy loop, and is capped, so recovery is noticed soon.

#include <chrono>

namespace ks::util {

/// Doubles from `first` up to `limit`, and starts over after reset().
class Backoff {
public:
    Backoff(std::chrono::milliseconds first, std::chrono::milliseconds limit)
        : first_(first), limit_(limit) {}
    /// The wait before the next attempt after one more failure.
    std::chrono::milliseconds next_delay();
    /// After a success: the next failure waits `first` again.
    void reset() { current_ = std::chrono::milliseconds(0); }

private:
    std::chrono::milliseconds first_;
    std::chrono::milliseconds limit_;
    std::chrono::milliseconds current_{0};
};

}  // namespace ks::util
