// Fuzz target: published-accuracy CSVs. Whatever the reader accepts names a topology and a
// task, holds percentages in 0..100, and has a datatype whose stable name parses back to it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "qutibench/io/accuracy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<accuracy_record> rows;
  try {
    rows = parse_accuracy_csv(text, "fuzz.csv");
  } catch (const spec_error&) {
    return 0;
  }
  auto percentage = [](double v) { return v >= 0 && v <= 100; };
  for (const accuracy_record& r : rows)
    if (r.topology.empty() || r.task.empty() || !percentage(r.top1_pct) || (r.top5_pct && !percentage(*r.top5_pct)) ||
        datatype::parse(r.type.name()) != r.type)
      std::abort();
  return 0;
}
