// The hardware adapter interface: anything that can measure a kernel (the host CPU
// through the reference executor, recorded data, an external command) returns a record.
#pragma once

#include <string>

#include "qutibench/measure/record.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

/// Measures kernels on one platform. `measure` throws measure_error (6xx) when a
/// measurement cannot be taken or trusted, and spec_error for a kernel that names
/// layers the topology does not have.
class adapter {
 public:
  virtual ~adapter() = default;
  /// The platform id the records carry ("host", "tx2", ...).
  virtual std::string platform() const = 0;
  /// Runs (or looks up) kernel `k` of topology `t`.
  virtual measurement measure(const topology& t, const kernel& k) = 0;
};

}  // namespace qutibench
