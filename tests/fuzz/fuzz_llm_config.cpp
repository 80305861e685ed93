// Fuzz target: Hugging Face config.json files of decoder LLMs. Whatever the reader accepts
// must give parameter counts (or error 206 past 64 bits), a step's requirements and a
// request's prediction without crashing, hanging or printing a number an ok status
// cannot have.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include "parse_json.hpp"
#include "qutibench/io/llm_config.hpp"
#include "qutibench/predict/llm.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qutibench;
  const std::optional<nlohmann::ordered_json> j = fuzz_json(data, size);
  if (!j) return 0;
  llm::decoder d;
  if (!read_decoder(*j, "fuzz", d).empty()) return 0;
  try {
    const llm::parameter_counts p = llm::parameters(d);
    if (p.active > p.total) std::abort();
  } catch (const spec_error& e) {
    if (e.id() != error_id::count_overflow) std::abort();
    return 0;
  }
  // A device with an fp16 peak, a bandwidth and a capacity (an H100's figures).
  static const platform device = [] {
    platform pf;
    pf.id = "fuzz";
    pf.memory_capacity = bytes::from_value(80e9);
    operating_mode m;
    m.peaks.push_back({datatypes::fp16, ops_per_s::from_value(989.4e12)});
    m.bandwidth = bytes_per_s::from_value(3.35e12);
    pf.modes.push_back(m);
    return pf;
  }();
  for (const char* weights : {"f16", "q4_k_m"}) {
    const llm::tensor_formats f{llm::find_format(weights), datatypes::fp16, llm::find_format("f16")};
    for (const prediction_model model : {prediction_model::plain, prediction_model::realistic}) {
      const llm::request_prediction r = llm::predict(d, f, {.batch = 4, .prompt = 64, .output = 16}, device, device.mode(), model);
      if (r.status == llm::request_status::ok && !(r.ttft_s > 0 && std::isfinite(r.ttft_s) && r.tpot_s > 0 && std::isfinite(r.tpot_s)))
        std::abort();
      if (r.status == llm::request_status::does_not_fit && !(r.memory.shortfall() > 0)) std::abort();
    }
  }
  return 0;
}
