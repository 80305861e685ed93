// Build a small residual CNN with the builder, quantize its body to INT4 with 8-bit
// first and last layers, and print what level-0 needs: ops, model size, operational
// intensity (thesis Section 4.3.1 defaults) and the peak of live activations.
#include <cstdio>

#include <qutibench/qutibench.hpp>

int main() {
  using namespace qutibench;
  const topology net = topology::builder("tiny-resnet", {3, 32, 32})
                           .conv2d("stem", {.out_channels = 16, .kernel = 3, .padding = 1})
                           .batch_norm("stem_bn")
                           .relu("stem_relu")
                           .conv2d("conv_a", {.out_channels = 16, .kernel = 3, .padding = 1})
                           .relu("relu_a")
                           .conv2d("conv_b", {.out_channels = 16, .kernel = 3, .padding = 1})
                           .add("residual", {"conv_b", "stem_relu"})
                           .global_avg_pool("pool")
                           .flatten("flatten")
                           .dense("classifier", {.out_features = 10})
                           .build();

  precision p = precision::uniform(datatypes::int4);
  p.first_last(net, datatypes::int8);
  const network_requirements r = requirements(net, p, batch_size{1});

  std::printf("%-12s %-12s %14s %10s\n", "layer", "kind", "ops", "weights");
  for (const layer_requirements& l : r.layers)
    std::printf("%-12.*s %-12.*s %14llu %10llu\n", static_cast<int>(l.name.size()), l.name.data(),
                static_cast<int>(l.kind.size()), l.kind.data(), static_cast<unsigned long long>(l.ops.value()),
                static_cast<unsigned long long>(l.weights.value()));
  std::printf("total: %llu ops, %llu weights (%.0f bytes), OI %.2f ops/byte, peak live %llu elements\n",
              static_cast<unsigned long long>(r.total.ops.value()), static_cast<unsigned long long>(r.total.weights.value()),
              r.total.weight_bytes.value(), r.operational_intensity().value(),
              static_cast<unsigned long long>(r.total.peak_live.value()));
  // 3x3 convs 3->16, 16->16, 16->16 at 32x32, classifier 16->10: weights 432 + 2304 + 2304 + 160.
  return r.total.weights.value() == 5200 ? 0 : 1;
}
