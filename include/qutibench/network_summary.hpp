// A network's level-0 summary, the row `qutibench zoo` prints and Python's
// `Topology.summary()` returns: ops, model size, T_total and peak live activations in
// thesis Table 6.1's units, and the operational intensity per thesis datatype.
#pragma once

#include <array>
#include <string>

#include "qutibench/datatype.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

struct network_summary {
  std::string topology;
  double gops = 0;          ///< ops per input (2 x MACs), 10^9
  double model_me = 0;      ///< weights, 10^6 elements
  double t_total_me = 0;    ///< T_total: activations read and written, 10^6 elements
  double peak_live_me = 0;  ///< peak live activations, 10^6 elements
  /// ops/byte with weights off-chip, activations on chip, batch 1, per datatypes::thesis_set
  std::array<double, std::size(datatypes::thesis_set)> operational_intensity{};
};

inline network_summary summarize(const topology& t) {
  const network_requirements base = requirements(t);
  network_summary s{t.name(), static_cast<double>(base.total.ops.value()) / 1e9,
                    static_cast<double>(base.total.weights.value()) / 1e6,
                    static_cast<double>(base.total.activations.value()) / 1e6,
                    static_cast<double>(base.total.peak_live.value()) / 1e6, {}};
  for (std::size_t i = 0; i < std::size(datatypes::thesis_set); ++i)
    s.operational_intensity[i] = requirements(t, precision::uniform(datatypes::thesis_set[i])).operational_intensity().value();
  return s;
}

/// The summary's fields (see predict/fields.hpp for the convention); intensities as oi_<datatype>.
template <class F>
void fields(const network_summary& s, F&& field) {
  field("topology", s.topology);
  field("gops", s.gops);
  field("model_me", s.model_me);
  field("t_total_me", s.t_total_me);
  field("peak_live_me", s.peak_live_me);
  for (std::size_t i = 0; i < std::size(datatypes::thesis_set); ++i)
    field("oi_" + datatypes::thesis_set[i].name(), s.operational_intensity[i]);
}

}  // namespace qutibench
