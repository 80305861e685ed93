// Fuzz target: platform specs as JSON. Whatever the loader accepts must round-trip through
// to_json unchanged, and pass through the checker and the plain and realistic predictions
// without crashing.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "parse_json.hpp"
#include "qutibench/io/platform_json.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/zoo/mlp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const std::optional<platform> accepted = accepted_spec<platform>(data, size, &read_platform);
  if (!accepted) return 0;
  const platform& p = *accepted;
  (void)check(p, "fuzz");
  static const network_profile mlp = [] {
    static const topology t = zoo::mlp(0.125);
    return profile(t);
  }();
  for (const operating_mode& m : p.modes)
    for (const peak_performance& pk : m.peaks) {
      const prediction r = predict(mlp, p, m, {.type = pk.type});
      if (r.ok() && !(r.throughput.value() > 0)) std::abort();  // an ok prediction is a positive number
      const prediction e = predict_realistic(mlp, p, m, {.type = pk.type, .batch = {8}}).network;
      if (e.ok() && !(e.throughput.value() > 0 && std::isfinite(e.latency.value()))) std::abort();
    }
  return 0;
}
