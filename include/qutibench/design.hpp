// The deployed design of a platform mode, for the realistic model (docs/prediction.md):
// the compute engine that actually runs (units, clock, the MAC array each unit drives
// per cycle), the memory levels data lives on, and the fixed costs around each layer and
// each inference. Every number comes from a datasheet, vendor documentation or a paper
// cited in the spec; none is fitted to measurements.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

/// The most threads a prediction takes: above the units of any engine a spec describes
/// (an EPYC's 64 cores, an A100's 108 SMs), so a larger count changes nothing but a typo.
inline constexpr std::int64_t max_prediction_threads = 4096;

/// How an engine's units share work. `inputs`: each unit runs whole inputs on its own
/// (the cores of a Xilinx DPU take one image each), so a layer is tiled per input and the
/// units run side by side; `tiles`: the units split every layer into output tiles and run
/// them in waves (a GPU's SMs, a CPU's cores), so a layer with too few tiles leaves units idle.
enum class unit_sharing { inputs, tiles };

/// How often a layer runs for a batch (a spec's `layer_runs`). `per_batch`: once for the
/// whole batch, its weights read once (a GPU's GEMM over the batch); `per_input`: once per
/// input, each run reading the weights that no level caches and filling the engine on its
/// own (OpenVINO's MYRIAD plugin replicates every NCE stage per batch element).
enum class layer_runs { per_batch, per_input };

/// The MAC array of one unit: per cycle, `pixels` output pixels x `in_channels` input
/// channels x `out_channels` output channels (a DPU's PP x ICP x OCP, PG338), or for
/// `tiles` engines the output tile (pixels x out_channels, rows of the im2col GEMM x its
/// columns) and the reduction depth it consumes per step (in_channels, over channels x
/// window). Layer dimensions are tiled onto it with ceil quantization.
struct mac_array {
  double pixels = 1, in_channels = 1, out_channels = 1;
  datatype type = datatypes::int8;  ///< the datatype the array's MAC count is stated for

  double macs_per_cycle() const { return pixels * in_channels * out_channels; }
};

/// What a memory level can hold.
enum class level_holds { both, weights, activations };

/// One level of the memory hierarchy, fastest first. Data lives on the first level that
/// holds it and streams from there; a missing capacity is unbounded, a missing bandwidth
/// never limits (on-chip SRAM next to the arithmetic).
struct memory_level {
  std::string name;
  std::optional<bytes> capacity;
  std::optional<bytes_per_s> bandwidth;
  level_holds holds = level_holds::both;

  bool can_hold_weights() const { return holds != level_holds::activations; }
  bool can_hold_activations() const { return holds != level_holds::weights; }
};

/// A mode's deployed design. Peaks: with `clock` and `array` stated, the peak of the
/// array's datatype is units x 2 x MACs per cycle x clock (the deployed design, e.g. 3 x
/// B4096 at 281 MHz on a ZCU102), and every other datatype's mode peak scales by the same
/// ratio; with a clock and no array on an FPGA, the fabric runs at that clock instead of
/// the LUT clock its peaks assume (a FINN build at 200 MHz against the thesis's 500);
/// otherwise the mode's peaks stand.
struct deployed_design {
  std::string source;  ///< where the design's figures come from
  double units = 1;
  unit_sharing sharing = unit_sharing::tiles;
  std::optional<double> clock_hz;
  std::optional<mac_array> array;
  /// Share of the array's rate a depthwise convolution (one input channel per group) gets:
  /// the unit that runs it (a DPU's ALU at PP/2 x ICP, PG338; a GPU's CUDA cores beside its
  /// tensor cores). Missing: depthwise layers are tiled onto the array like any other.
  std::optional<double> depthwise_share;
  layer_runs runs = layer_runs::per_batch;
  /// Threads the runtime runs where the caller states none (gemmlowp's default is one),
  /// each driving one unit of an `inputs` engine or one core of a CPU. Missing: the
  /// runtime keeps every unit busy.
  std::optional<std::uint64_t> threads;
  std::vector<memory_level> levels;        ///< fastest first; the last is unbounded
  std::optional<bytes_per_s> host_link;    ///< inputs in and outputs out, once per inference
  seconds per_layer = seconds::from_value(0);      ///< dispatch cost of each executed layer
  seconds per_inference = seconds::from_value(0);  ///< host work per input (pre/post-processing)

  /// Units x 2 ops x MACs per cycle x clock; none unless clock and array are stated on
  /// an `inputs` engine (a `tiles` engine's array is an output tile, not MACs per cycle).
  std::optional<double> array_peak() const {
    if (!clock_hz || !array || sharing != unit_sharing::inputs) return std::nullopt;
    return units * 2 * array->macs_per_cycle() * *clock_hz;
  }
};

}  // namespace qutibench
