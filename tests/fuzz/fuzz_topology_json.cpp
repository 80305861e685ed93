// Fuzz target: topology files as JSON. Whatever the loader accepts must round-trip through
// to_json unchanged, and its totals must equal the sum of its layers, counted here in 128
// bits: a total that does not fit 64 bits must be error 206, never a wrapped number. A
// batch multiplies every batch-dependent total exactly. Predictions must not crash.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "parse_json.hpp"
#include "qutibench/io/topology_json.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/requirements.hpp"

namespace {

using u128 = unsigned __int128;
constexpr u128 max64 = UINT64_MAX;

/// The batch-1 totals of `t` summed from its nodes' costs, by the rules of docs/conventions.md.
struct sums {
  u128 ops = 0, other_ops = 0, weights = 0, biases = 0, state = 0, activations = 0;
  u128 outputs = 0, largest_out = 0, widest_in = 0;
};

sums sum_of_layers(const qutibench::topology& t) {
  using namespace qutibench;
  sums s;
  for (const node& n : t.nodes()) {
    const layer_cost& c = n.cost;
    s.ops += 2 * u128(c.macs);
    s.other_ops += c.other_ops;
    s.weights += c.weights;
    s.biases += c.biases;
    s.state += c.state;
    if (moves_data(n)) s.activations += c.act_in;
    s.outputs += c.act_out;
    s.largest_out = std::max<u128>(s.largest_out, c.act_out);
    s.widest_in = std::max<u128>(s.widest_in, c.act_in);
  }
  return s;
}

void check_totals(const qutibench::topology& t, std::uint64_t batch) {
  using namespace qutibench;
  const sums s = sum_of_layers(t);
  const u128 b = batch;
  try {
    const requirement_totals tot = requirements(t, precision::uniform(datatypes::int8), batch_size{batch}).total;
    if (tot.ops.value() != s.ops * b || tot.other_ops.value() != s.other_ops * b || tot.weights.value() != s.weights ||
        tot.biases.value() != s.biases || tot.state.value() != s.state * b || tot.activations.value() != s.activations * b)
      std::abort();
    // int8: a byte per weight (summed per layer in doubles, hence the tolerance)
    if (std::abs(tot.weight_bytes.value() - static_cast<double>(tot.weights.value())) > 1e-9 * tot.weight_bytes.value())
      std::abort();
    if (tot.peak_live.value() < s.largest_out * b) std::abort();  // every output is live at its own step
  } catch (const spec_error& e) {
    // Only a count beyond 64 bits may fail: a total, a layer's input or output count at
    // this batch, or the peak of live buffers (at most the sum of all outputs).
    const bool too_big = s.ops * b > max64 || s.other_ops * b > max64 || s.weights > max64 || s.biases > max64 ||
                         s.state * b > max64 || s.activations * b > max64 || s.outputs * b > max64 || s.widest_in * b > max64;
    if (e.id() != error_id::count_overflow || !too_big) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const std::optional<topology> accepted = accepted_spec<topology>(data, size, &read_topology);
  if (!accepted) return 0;
  const topology& t = *accepted;
  check_totals(t, 1);
  check_totals(t, 1000);

  static const platform board = [] {
    platform p;
    p.id = "fuzz";
    p.modes.push_back({"", {{datatypes::int8, ops_per_s::from_value(1e12)}}, bytes_per_s::from_value(1e10), {}, std::nullopt});
    p.on_chip = bytes::from_value(1e6);
    return p;
  }();
  try {
    const network_profile prof = profile(t);
    const prediction whole = predict(prof, board, board.modes.front(), {.type = datatypes::int8});
    if (whole.ok() && !(whole.throughput.value() > 0)) std::abort();  // an ok prediction is a positive number
    (void)predict_layers(prof, board, board.modes.front(), {.type = datatypes::int8});
  } catch (const spec_error& e) {
    if (e.id() != error_id::count_overflow) std::abort();
  }
  return 0;
}
