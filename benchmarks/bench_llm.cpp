// LLM sweep speed (issue 15's target: one call sweeps a model over 64 batch sizes x 32
// context lengths x 8 device counts in under 10 ms), beside the same points through
// predict() one by one, the peer a caller without the sweep would write.
#include <benchmark/benchmark.h>

#include <vector>

#include <qutibench/io/llm_config.hpp>
#include <qutibench/io/platform_json.hpp>
#include <qutibench/predict/llm_sweep.hpp>

namespace {

using namespace qutibench;

llm::sweep_axes axes() {
  llm::sweep_axes a{.devices = {1, 2, 3, 4, 5, 6, 7, 8}};
  a.batches.clear(), a.contexts.clear();
  for (int b = 1; b <= 64; ++b) a.batches.push_back(b);
  for (int c = 1; c <= 32; ++c) a.contexts.push_back(256.0 * c);
  return a;
}

const llm::tensor_formats formats{llm::find_format("f16"), datatypes::fp16, llm::find_format("f16")};

void llm_sweep_llama3_8b_h100(benchmark::State& state) {
  const llm::decoder d = find_decoder("llama-3-8b", QUTIBENCH_DATA_DIR);
  const platform pf = load_platform(QUTIBENCH_DATA_DIR "/platforms/h100-sxm.json");
  const llm::sweep_axes a = axes();
  for (auto _ : state) benchmark::DoNotOptimize(llm::sweep(d, formats, a, pf, pf.mode()));
  state.counters["points"] = static_cast<double>(a.batches.size() * a.contexts.size() * a.devices.size());
}
BENCHMARK(llm_sweep_llama3_8b_h100)->Unit(benchmark::kMillisecond);

void llm_predict_each_point_llama3_8b_h100(benchmark::State& state) {
  const llm::decoder d = find_decoder("llama-3-8b", QUTIBENCH_DATA_DIR);
  const platform pf = load_platform(QUTIBENCH_DATA_DIR "/platforms/h100-sxm.json");
  const llm::sweep_axes a = axes();
  for (auto _ : state)
    for (double b : a.batches)
      for (double c : a.contexts)
        for (double n : a.devices) {
          if (d.heads % static_cast<std::int64_t>(n) != 0) continue;
          benchmark::DoNotOptimize(llm::predict(d, formats, {.batch = b, .prompt = c, .output = a.output, .tp = n}, pf, pf.mode()));
        }
}
BENCHMARK(llm_predict_each_point_llama3_8b_h100)->Unit(benchmark::kMillisecond);

}  // namespace
