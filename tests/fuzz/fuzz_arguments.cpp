// Fuzz target: the argument checks that the CLI and Python share (docs/architecture.md:
// an argument is validated once, in the library). The first byte picks a check, the rest
// is its argument (text, or little-endian numbers). A check either refuses with a
// spec_error or returns a value inside the range it documents; anything else aborts.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

#include "qutibench/datatype.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/memory_model.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/efficiency.hpp"
#include "qutibench/predict/pareto.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/validation/dataset.hpp"
#include "qutibench/validation/measured.hpp"

namespace {

/// The n-th 8-byte value of `rest` as T (zero past its end).
template <class T>
T nth(std::string_view rest, std::size_t n) {
  T v{};
  if (rest.size() >= (n + 1) * 8) std::memcpy(&v, rest.data() + n * 8, sizeof v);
  return v;
}

bool within(double x, double lo, double hi) { return x >= lo && x <= hi; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 11) {
      case 0: {
        const datatype t = datatype::parse(rest);
        if (datatype::parse(t.name()) != t) std::abort();  // a name reads back as itself
        break;
      }
      case 1:
        (void)memory_model::parse(rest);
        break;
      case 2:
        (void)parse_figure_of_merit(rest);
        break;
      case 3:
        (void)parse_validation_model(rest);
        (void)parse_validation_metric(rest);
        break;
      case 4: {
        const std::int64_t n = nth<std::int64_t>(rest, 0);
        if (const batch_size b = checked_batch(n); static_cast<std::int64_t>(b.n) != n || b.n < 1 || b.n > max_batch) std::abort();
        break;
      }
      case 5: {
        const double c = nth<double>(rest, 0), m = nth<double>(rest, 1);
        const efficiency_factors f = efficiency_model::constant(c, m)({ops::from_value(1), bytes::from_value(1)});
        if (!within(f.compute, min_efficiency, 1) || !within(f.memory, min_efficiency, 1)) std::abort();
        break;
      }
      case 6: {
        const orthogonality o = orthogonality_of(nth<double>(rest, 0), nth<double>(rest, 1), nth<double>(rest, 2), nth<double>(rest, 3));
        if (!(o.p1 >= 0) || !(o.q2 >= 0)) std::abort();  // gains of positive throughputs are never negative or NaN
        break;
      }
      case 7: {
        const std::int64_t level = nth<std::int64_t>(rest, 0);
        const measure_level l = parse_measure_level(level);
        if (static_cast<std::int64_t>(l) != level || level < 1 || level > 3) std::abort();
        break;
      }
      case 8: {
        const std::int64_t threads = nth<std::int64_t>(rest, 0);
        if (parse_measure_threads(threads) != static_cast<std::uint64_t>(threads) || threads < 1 || threads > max_measure_threads)
          std::abort();
        break;
      }
      case 10: {  // the realistic model's threads, the model named by the last byte's parity
        const std::int64_t threads = nth<std::int64_t>(rest, 0);
        const prediction_model m = !rest.empty() && rest.back() % 2 ? prediction_model::plain : prediction_model::realistic;
        const std::optional<std::uint64_t> t = checked_threads(threads, m);
        if (!t || *t != static_cast<std::uint64_t>(threads) || threads < 1 || threads > max_prediction_threads ||
            m != prediction_model::realistic)
          std::abort();
        break;
      }
      default: {
        const double min_time = nth<double>(rest, 1);
        const repeat_options r = measure_repeats(nth<std::int64_t>(rest, 0), min_time);
        if (r.min_runs < 1 || r.min_runs > max_measure_runs || !within(r.min_duration.value(), 0, max_measure_min_time_s)) std::abort();
        break;
      }
    }
  } catch (const spec_error&) {
  }
  return 0;
}
