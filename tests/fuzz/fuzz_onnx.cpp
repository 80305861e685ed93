// Fuzz target: ONNX models (the C++ importer), unknown operators either refused or
// counted as element-wise work. Any bytes either import or raise a spec_error; an imported network's precision names only its nodes, and its level-0
// requirements either hold or fail with error 206 (a count beyond 64 bits).
#include <cstdint>
#include <cstdlib>

#include "qutibench/io/onnx/import.hpp"
#include "qutibench/requirements.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  onnx::imported_model m;
  try {
    // The input's length picks how unknown operators are treated, so both ways are fuzzed
    // on the same bytes' neighbours without changing what the bytes mean.
    const auto unknown = size % 2 ? onnx::unknown_operators::elementwise : onnx::unknown_operators::error;
    m = onnx::import_model({data, size}, "fuzz.onnx", {.name = "fuzz", .sequence_length = 7, .unknown_ops = unknown});
  } catch (const spec_error&) {
    return 0;
  }
  if (m.topology.size() == 0) std::abort();  // at least the input
  const precision p = m.precision.value_or(precision::uniform(datatypes::fp32));
  try {
    p.check_overrides(m.topology);
  } catch (const spec_error&) {
    std::abort();  // the importer set the datatypes of a node it did not build
  }
  try {
    (void)requirements(m.topology, p, batch_size{1});
  } catch (const spec_error& e) {
    if (e.id() != error_id::count_overflow) std::abort();
  }
  return 0;
}
