#pragma once
// keepalived's fall and rise: the results of a repeated health check become a tracker's state.
// Pure: the executor runs the check (with its own deadline, so a hung check is a failure at its
// timeout) and records each result here.

#include <optional>
#include <string>

#include "keepalived_swarm/vrrp/instance.hpp"

namespace ks::vrrp {

struct CheckPolicy {
    unsigned fall = 2;  ///< failures in a row that take an up check down
    unsigned rise = 2;  ///< successes in a row that bring a down check up
    /// The tracker's weight: nullopt = down means Fault.
    std::optional<int> weight;
};

class HealthHistory {
public:
    /// Starts up, as keepalived's checks do: a check that fails at start goes down after `fall`.
    explicit HealthHistory(CheckPolicy policy);

    /// Records one result; true when the tracker changed between up and down.
    bool record(bool ok, std::string detail);

    /// The state to give the engine; its reason is the latest result.
    Tracker tracker() const;
    unsigned failures_in_a_row() const { return failures_; }
    unsigned successes_in_a_row() const { return successes_; }
    const CheckPolicy& policy() const { return policy_; }

private:
    CheckPolicy policy_;
    bool up_ = true;
    unsigned failures_ = 0;
    unsigned successes_ = 0;
    std::string detail_ = "not checked yet";
};

}  // namespace ks::vrrp
