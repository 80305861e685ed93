// Fuzz target: LLM requests measured on a device (the CSV of `qutibench llm --calibrate`).
// Whatever the reader accepts must hold positive finite rates and counts within 1..1e9,
// and its calibration must either refuse a row with an ID'd error or give factors that
// predict a request with finite positive times.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "qutibench/io/llm_measurements.hpp"
#include "qutibench/validation/llm_calibration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<llm::measured_request> rows;
  try {
    rows = llm::parse_measured_requests(text, "fuzz.csv", QUTIBENCH_DATA_DIR);
  } catch (const spec_error&) {
    return 0;
  }
  for (const llm::measured_request& m : rows) {
    if (!(m.tokens_per_s > 0) || !std::isfinite(m.tokens_per_s)) std::abort();
    for (const double n : {m.req.batch, m.req.prompt, m.req.output, m.req.tp, m.req.pp, m.req.ep, m.req.micro_batches})
      if (!(n >= 1 && n <= 1e9)) std::abort();
  }
  // A device with an fp16 peak, a bandwidth, a capacity and an interconnect (an H100's figures).
  static const platform device = [] {
    platform pf;
    pf.id = "fuzz";
    pf.memory_capacity = bytes::from_value(80e9);
    pf.link = interconnect{"nvlink", bytes_per_s::from_value(450e9)};
    operating_mode m;
    m.peaks.push_back({datatypes::fp16, ops_per_s::from_value(989.4e12)});
    m.bandwidth = bytes_per_s::from_value(3.35e12);
    pf.modes.push_back(m);
    return pf;
  }();
  llm::calibration c;
  try {
    c = llm::fit_calibration(rows, device, device.mode());
  } catch (const spec_error&) {
    return 0;
  }
  for (const few_shot_factors& f : {c.prefill, c.decode})
    if (!(f.efficiency > 0) || !std::isfinite(f.efficiency) || !(f.dispatch_s >= 0) || !std::isfinite(f.dispatch_s)) std::abort();
  const llm::request r{.batch = 1, .prompt = 16, .output = 4};
  const llm::request_prediction p = llm::calibrated(
      llm::predict(rows.front().model, rows.front().formats, r, device, device.mode(), prediction_model::realistic), r, c);
  if (p.status == llm::request_status::ok && (!(p.ttft_s > 0) || !(p.tpot_s > 0) || !std::isfinite(p.latency_s))) std::abort();
  return 0;
}
