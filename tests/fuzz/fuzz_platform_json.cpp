// Fuzz target: platform specs as JSON. Whatever the loader accepts must round-trip through
// to_json unchanged, and pass through the checker and a prediction without crashing.
#include <cstdint>
#include <cstdlib>

#include "parse_json.hpp"
#include <string>

#include "qutibench/io/json.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/zoo/mlp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const auto j = parse_json(data, size);
  platform p;
  if (!j || !read_platform(*j, "fuzz", p).empty()) return 0;
  platform back;
  if (!read_platform(to_json(p), "round trip", back).empty() || to_json(back) != to_json(p)) std::abort();
  (void)check(p, "fuzz");
  static const network_profile mlp = [] {
    static const topology t = zoo::mlp(0.125);
    return profile(t);
  }();
  for (const operating_mode& m : p.modes)
    for (const peak_performance& pk : m.peaks) {
      const prediction r = predict(mlp, p, m, {.type = pk.type});
      if (r.ok() && !(r.throughput.value() > 0)) std::abort();  // an ok prediction is a positive number
    }
  return 0;
}
