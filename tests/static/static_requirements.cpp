// Requirements computed at compile time, the way an architecture-exploration tool can:
// the thesis's MLP (Table 6.1 "MLP 100%") built, scheduled and counted by the compiler.
#include <cstdint>

#include "qutibench/requirements.hpp"
#include "qutibench/zoo/mlp.hpp"

namespace {
using namespace qutibench;

struct mlp_totals {
  std::uint64_t ops, weights, biases, activations, peak_live;
  double oi_int2;
};

constexpr mlp_totals totals(double scale, std::uint64_t batch) {
  const network_requirements r = requirements(zoo::mlp(scale), precision::uniform(datatypes::int2), batch_size{batch});
  return {r.total.ops.value(), r.total.weights.value(), r.total.biases.value(), r.total.activations.value(),
          r.total.peak_live.value(), r.operational_intensity().value()};
}

// By hand: W = 784*2048 + 2*2048*2048 + 2048*10 = 10,014,720 (Table 6.1: 10.01 ME);
// a dense layer at batch 1 does one MAC per weight, so ops = 2 W.
constexpr mlp_totals full = totals(1.0, 1);
static_assert(full.weights == 10'014'720);
static_assert(full.ops == 20'029'440);
// Batch norm after each hidden layer: scale and shift per neuron, 3 x 2 x 2048.
static_assert(full.biases == 12'288);
// T_total: inputs of the four dense layers, 784 + 3 x 2048.
static_assert(full.activations == 6'928);
// Peak: a hidden layer's input and output (2 x 2048); batch norm and activation run in place.
static_assert(full.peak_live == 4'096);
// Table 6.1: OI(INT2) = 8.00 ops/byte = 2 W ops / (W / 4 bytes).
static_assert(full.oi_int2 == 8.0);

// Batch 4 quadruples ops and activations, not weights.
constexpr mlp_totals batched = totals(1.0, 4);
static_assert(batched.ops == 4 * full.ops && batched.weights == full.weights && batched.peak_live == 4 * 4'096);

// MLP 12.5 %: 784*256 + 2*256*256 + 256*10 = 334,336 (Table 6.1: 0.33 ME).
static_assert(totals(0.125, 1).weights == 334'336);
}  // namespace
