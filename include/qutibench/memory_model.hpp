// Memory placement policies: which share of a network's weights and activations lives
// off-chip, and so how many bytes each layer moves to and from external memory (thesis
// Section 4.3.1 defaults and Section 7.2's first refinement).
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>

#include "qutibench/error.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

/// What a policy decides from: for one batch, the network's weight bytes, the activation bytes live at once at the peak of the schedule (the working
/// set), and the platform's on-chip capacity.
struct placement_inputs {
  bytes weights;
  bytes activation_working_set;
  bytes on_chip;
};

/// Off-chip shares in [0, 1]. Layer i then moves
///   weights_off_chip x W_i bytes (read once per batch) +
///   activations_off_chip x (its input reads + its output writes) bytes.
struct placement {
  double weights_off_chip = 1;
  double activations_off_chip = 0;
};

/// A named placement policy; a value that a user can pass around and extend with any
/// function of `placement_inputs` (it runs once per prediction, not per layer).
struct memory_model {
  std::string name;
  std::function<placement(const placement_inputs&)> place;

  placement operator()(const placement_inputs& in) const { return place(in); }

  /// The thesis's default (Section 4.3.1): weights off-chip, read once per batch;
  /// all activations on chip.
  static memory_model thesis() {
    return {"thesis", [](const placement_inputs&) { return placement{1, 0}; }};
  }

  /// The thesis's first refinement (Section 7.2): what fits on chip costs nothing, only
  /// what does not fit spills. Weights claim the on-chip memory first (they are reused by
  /// every input, as FINN keeps them), activations get what is left.
  static memory_model onchip_if_fits() {
    return {"onchip-if-fits", [](const placement_inputs& in) {
              const double cap = in.on_chip.value();
              const double w = in.weights.value(), a = in.activation_working_set.value();
              const double w_on = std::min(w, cap);
              const double a_on = std::min(a, cap - w_on);
              return placement{w > 0 ? (w - w_on) / w : 0.0, a > 0 ? (a - a_on) / a : 0.0};
            }};
  }

  /// Nothing stays on chip: each layer reads its inputs and weights from external memory
  /// and writes its outputs back (a layer-by-layer engine without on-chip reuse).
  static memory_model offchip() {
    return {"offchip", [](const placement_inputs&) { return placement{1, 1}; }};
  }

  /// The built-in policy called `name` ("thesis", "onchip-if-fits", "offchip"); throws
  /// spec_error 301 listing them.
  static memory_model parse(std::string_view name) {
    if (name == "thesis") return thesis();
    if (name == "onchip-if-fits") return onchip_if_fits();
    if (name == "offchip") return offchip();
    throw spec_error(error_id::unknown_id, "memory model '" + std::string(name) + "'",
                     "valid: thesis, onchip-if-fits, offchip");
  }
};

}  // namespace qutibench
