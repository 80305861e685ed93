// Fuzz target: the command adapter's reply parser. An accepted measurement must
// round-trip through its JSON form, with a positive median and ordered quartiles.
#include <cstdint>
#include <cstdlib>

#include "parse_json.hpp"

#include "qutibench/adapters/command.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const auto j = fuzz_json(data, size);
  if (!j) return 0;
  measurement m;
  try {
    m = measurement_from_json(*j, "fuzz");
  } catch (const error&) {
    return 0;
  }
  const latency_stats& c = m.compute;
  if (!(c.median.value() > 0) || c.min > c.q1 || c.q1 > c.median || c.median > c.q3 || c.q3 > c.max) std::abort();
  if (to_json(measurement_from_json(to_json(m), "round trip")) != to_json(m)) std::abort();
  return 0;
}
