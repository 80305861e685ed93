// Fuzz target: measurement CSVs. Whatever the reader accepts must survive a write and a
// read with the same settings; every accepted latency is unknown or positive, and every row
// gives a throughput of compute or system.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "qutibench/io/measurement_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string ids[] = {"host"};
  std::vector<recorded_measurement> rows;
  try {
    rows = parse_measurements_csv(text, "fuzz.csv", ids);
  } catch (const spec_error&) {
    return 0;
  }
  auto unknown_or_positive = [](double s) { return std::isnan(s) || s > 0; };
  for (const recorded_measurement& r : rows) {
    const measurement& m = r.record;
    if (!unknown_or_positive(m.compute.median.value()) || !unknown_or_positive(m.system.median.value()) ||
        !(m.work.value() > 0) || !std::isfinite(m.work.value()))
      std::abort();
    if (std::isnan(r.compute_inputs_per_s()) && std::isnan(r.system_inputs_per_s())) std::abort();  // a row gives a figure
  }
  std::ostringstream out;
  write_measurements_csv(out, rows);
  const auto back = parse_measurements_csv(out.str(), "round trip", ids);
  if (back.size() != rows.size()) std::abort();
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (back[i].record.what.topology != rows[i].record.what.topology || back[i].record.what.batch != rows[i].record.what.batch ||
        back[i].record.platform != rows[i].record.platform)
      std::abort();
  return 0;
}
