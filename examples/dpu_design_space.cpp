// Architecture exploration with the realistic model: a DPU-like engine (pixel x
// input-channel x output-channel parallelism, a feature-map buffer, PG338's depthwise ALU
// at half the pixels) under a budget of 2048 MACs per cycle and 2 MB of SRAM, at 300 MHz
// with 19.2 GB/s of DDR. Every shape runs the zoo's ImageNet CNNs at INT8, batch 1; the
// pareto set of geometric-mean throughput against MACs per cycle is printed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <qutibench/qutibench.hpp>

using namespace qutibench;

namespace {
struct candidate {
  double pp, icp, ocp, buffer_mb, inputs_per_s;
};

/// A platform whose only mode runs the design at its own peak.
platform dpu_like(double pp, double icp, double ocp, double buffer_mb) {
  deployed_design d;
  d.source = "design space example";
  d.sharing = unit_sharing::inputs;
  d.clock_hz = 300e6;
  d.array = mac_array{pp, icp, ocp, datatypes::int8};
  d.depthwise_share = (pp / 2 * icp) / (pp * icp * ocp);
  d.levels = {{"feature-map buffer", bytes::from_value(buffer_mb * 1e6), std::nullopt, level_holds::activations},
              {"DDR", std::nullopt, bytes_per_s::from_value(19.2e9), level_holds::both}};
  platform p;
  p.id = "dpu-like";
  p.modes.push_back({"", {{datatypes::int8, ops_per_s::from_value(*d.array_peak())}}, bytes_per_s::from_value(19.2e9), {}, d});
  return p;
}
}  // namespace

int main() {
  std::vector<network_profile> nets;
  std::vector<topology> keep;
  for (const char* id : {"resnet50", "mobilenet-v1", "mobilenet-v2", "googlenet-v1", "efficientnet-b0", "vgg16"})
    keep.push_back(zoo::get(id));
  for (const topology& t : keep) nets.push_back(profile(t));

  std::vector<candidate> all;
  for (double pp : {2, 4, 8, 16})
    for (double cp : {4, 8, 12, 16, 32})
      for (double buffer_mb : {0.25, 0.5, 1.0, 2.0}) {  // the rest of the 2 MB holds weight tiles
        if (pp * cp * cp > 2048) continue;
        const platform pf = dpu_like(pp, cp, cp, buffer_mb);
        double log_sum = 0;
        for (const network_profile& n : nets)
          log_sum += std::log(predict_realistic(n, pf, pf.mode(), {.type = datatypes::int8}).network.throughput.value());
        all.push_back({pp, cp, cp, buffer_mb, std::exp(log_sum / static_cast<double>(nets.size()))});
      }

  std::vector<double> values;
  std::sort(all.begin(), all.end(), [](const candidate& a, const candidate& b) {
    return a.pp * a.icp * a.ocp < b.pp * b.icp * b.ocp;
  });
  for (const candidate& c : all) values.insert(values.end(), {c.inputs_per_s, c.pp * c.icp * c.ocp});
  const sense senses[] = {sense::maximize, sense::minimize};
  const std::vector<bool> front = pareto_frontier(values, senses);
  std::printf("%4s %4s %4s %9s %12s %16s\n", "PP", "ICP", "OCP", "buffer_MB", "MACs/cycle", "geomean inputs/s");
  for (std::size_t i = 0; i < all.size(); ++i)
    if (front[i])
      std::printf("%4.0f %4.0f %4.0f %9.2f %12.0f %16.1f\n", all[i].pp, all[i].icp, all[i].ocp, all[i].buffer_mb,
                  all[i].pp * all[i].icp * all[i].ocp, all[i].inputs_per_s);

  // Hand check of the mapping: ResNet50's first convolution (3 input channels) fills 3 of
  // a B4096's 16 input-channel lanes.
  const platform b4096 = dpu_like(8, 16, 16, 0.5);
  const network_profile& resnet = nets.front();
  const auto conv1 = std::find(resnet.names.begin(), resnet.names.end(), "conv1") - resnet.names.begin();
  const double u = utilization(resnet.shapes[static_cast<std::size_t>(conv1)], *b4096.mode().design, 1);
  return std::abs(u - 3.0 / 16) < 1e-12 ? 0 : 1;
}
