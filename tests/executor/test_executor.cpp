#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "qutibench/measure/executor.hpp"
#include "qutibench/measure/host_cpu.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;
namespace dt = qutibench::datatypes;

namespace {
// Runs `t` optimised (verifying each kernel against its reference loop on the first run)
// and fully on the reference path with the same seed; the outputs must agree: bit-exact on
// the 8-bit path, within 1e-4 relative on fp32.
void same_as_reference(const topology& t, datatype type, std::uint64_t batch = 2) {
  INFO(t.name() << " " << type.name());
  executor fast(t, type, batch);
  executor_options reference_options;
  reference_options.path = executor_path::reference;
  executor reference(t, type, batch, {}, reference_options);
  REQUIRE_NOTHROW(fast.run());
  reference.run();
  const auto a = fast.outputs(), b = reference.outputs();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i]->q == b[i]->q);
    REQUIRE(a[i]->f.size() == b[i]->f.size());
    for (std::size_t j = 0; j < a[i]->f.size(); ++j) CHECK(a[i]->f[j] == Approx(b[i]->f[j]).margin(1e-4).epsilon(1e-4));
  }
}
}  // namespace

TEST_CASE("executor: every layer kind matches its naive reference", "[executor]") {
  const topology net = topology::builder("kinds", {6, 9, 9})
                           .conv2d("conv", {.out_channels = 8, .kernel = 3, .stride = 1, .padding = 1, .bias = true})
                           .batch_norm("bn")
                           .relu("relu")
                           .conv2d("strided", {.out_channels = 8, .kernel = 3, .stride = 2, .padding = 1, .dilation = 1})
                           .conv2d("grouped", {.out_channels = 8, .kernel = 3, .padding = 1, .groups = 2})
                           .conv2d("depthwise", {.out_channels = 8, .kernel = 3, .padding = 1, .groups = 8})
                           .conv2d("dilated", {.out_channels = 8, .kernel = 3, .padding = 2, .dilation = 2})
                           .add("sum", {"depthwise", "dilated"})
                           .mul("product", {"sum", "grouped"})
                           .concat("cat", {"product", "strided"})
                           .node("bn2", batch_norm{})
                           .node("sigmoid", activation{activation_kind::sigmoid})
                           .max_pool2d("maxpool", {.kernel = 3, .stride = 2, .padding = 1})
                           .avg_pool2d("avgpool", {.kernel = 2, .stride = 1})
                           .global_avg_pool("gap")
                           .flatten("flatten")
                           .dense("fc", {.out_features = 10})
                           .node("relu6", activation{activation_kind::relu6})
                           .node("softmax", softmax{})
                           .build();
  for (datatype type : {dt::int8, dt::fp32, dt::int4}) same_as_reference(net, type);
}

TEST_CASE("executor: pooling and element-wise kernels give hand-computed values", "[executor]") {
  // A (1, 4, 4) input: 2x2 max pooling keeps each block's largest level; the residual add
  // of a tensor with itself doubles each level's distance from the zero point.
  const topology net = topology::builder("pool", {1, 4, 4}).max_pool2d("pool", {.kernel = 2}).add("twice", {"pool", "pool"}).build();
  executor ex(net, dt::int8, 1);
  ex.run();
  const auto& in = ex.inputs().front()->q;
  const auto& out = ex.outputs().front()->q;
  REQUIRE(out.size() == 4);
  for (int by = 0; by < 2; ++by)
    for (int bx = 0; bx < 2; ++bx) {
      int best = 0;
      for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x) best = std::max<int>(best, in[static_cast<std::size_t>((2 * by + y) * 4 + 2 * bx + x)]);
      CHECK(out[static_cast<std::size_t>(by * 2 + bx)] == std::clamp(2 * (best - 128) + 128, 0, 255));
    }
}

TEST_CASE("executor: the zoo's MLP and CNV end to end, and ResNet50 blocks", "[executor]") {
  for (datatype type : {dt::int8, dt::fp32}) {
    same_as_reference(zoo::mlp(0.25), type);
    same_as_reference(zoo::cnv(0.25), type, 1);
  }
  // ResNet50's stem and first bottleneck (a level-2 stack of 4 layers with the residual add).
  const topology r = zoo::get("resnet50");
  const auto stacks = kernels_of(r, measure_level::stack, dt::int8);
  REQUIRE_FALSE(stacks.empty());
  for (const kernel& k : {stacks[stacks.size() / 2 - 1], stacks.back()}) {
    INFO(k.name());
    executor ex(r, dt::int8, 1, kernel_nodes(r, k));
    CHECK_NOTHROW(ex.run());
  }
}

TEST_CASE("executor: a corrupted kernel is reported as a mismatch", "[executor]") {
  const topology net = zoo::mlp(0.125);
  for (datatype type : {dt::int8, dt::fp32}) {
    executor_options o;
    o.fault_injection = [](std::string_view node, std::span<std::uint8_t> q, std::span<float> f) {
      if (node != "fc2") return;
      if (!q.empty()) q[7] ^= 0x10;
      if (!f.empty()) f[7] += 1.0f;
    };
    executor ex(net, type, 1, {}, o);
    try {
      ex.run();
      FAIL("no mismatch reported");
    } catch (const measure_error& e) {
      CHECK(e.id() == error_id::kernel_mismatch);
      CHECK_THAT(e.what(), Catch::Contains("node 'fc2'") && Catch::Contains("element 7"));
    }
  }
}

TEST_CASE("executor: sub-8-bit types run in the 8-bit carrier; wider ones are refused", "[executor]") {
  const topology net = zoo::mlp(0.125);
  executor ex(net, dt::int2, 1);
  CHECK(ex.carrier() == dt::uint8);
  CHECK(ex.kernel_path().find("gemmlowp") == 0);
  CHECK_THROWS_AS(executor(net, dt::int16, 1), measure_error);
  CHECK_THROWS_AS(executor(net, dt::fp16, 1), measure_error);
  const topology attn = zoo::get("bert-base");
  CHECK_THROWS_WITH(executor(attn, dt::int8, 1), Catch::Contains("[qutibench.measure_error.602]"));
}

TEST_CASE("executor: ops per batch follow the level-0 count", "[executor]") {
  const topology net = zoo::mlp(0.5);
  // 784*1024 + 2*1024^2 + 1024*10 = 2,910,208 MACs per input.
  CHECK(executor(net, dt::int8, 3).work() == 2.0 * 2'910'208 * 3);
}

TEST_CASE("host_cpu: level kernels and a measurement record", "[executor][host]") {
  const topology net = zoo::cnv(0.125);
  // CNV: 6 convolutions and 3 dense layers, each with its batch norm and activation
  // except the last dense layer.
  const auto layers = kernels_of(net, measure_level::layer, dt::int8);
  REQUIRE(layers.size() == 9);
  CHECK(layers.front().layers == std::vector<std::string>{"conv1", "bn1", "act1"});
  CHECK(layers.back().layers == std::vector<std::string>{"fc3"});
  CHECK(kernels_of(net, measure_level::stack, dt::int8).size() == 8 + 6);  // windows of 2 and of 4
  host_cpu host(repeat_options{1, 3, 10, seconds::from_value(0)});
  const measurement m = host.measure(net, layers[1]);
  CHECK(m.compute.runs == 3);
  CHECK(m.compute.min <= m.compute.median);
  CHECK(m.compute.median <= m.compute.max);
  CHECK(m.system.median >= m.compute.median);
  CHECK(m.work.value() == 2.0 * 16 * 16 * 9 * 28 * 28);  // conv2 of CNV 12.5 %: 16 -> 16 channels, 3x3, 28x28 out
  CHECK(m.mode == "1t");
  CHECK_FALSE(m.host.empty());
}

TEST_CASE("host_cpu: kernels measured interleaved come back in order, each repeated as asked", "[executor][host]") {
  const topology cnv = zoo::cnv(0.125), mlp = zoo::mlp(0.125);
  std::vector<kernel_job> jobs;
  for (const kernel& k : kernels_of(cnv, measure_level::stack, dt::int8)) jobs.push_back({&cnv, k});
  for (const kernel& k : kernels_of(mlp, measure_level::layer, dt::int8)) jobs.push_back({&mlp, k});
  REQUIRE(jobs.size() == 14 + 4);
  REQUIRE(jobs.size() > host_cpu::interleave_group);  // two groups
  host_cpu host(repeat_options{1, 4, 6, seconds::from_value(0)});
  std::vector<std::size_t> finished;
  const std::vector<measurement> m = host.measure_interleaved(jobs, [&](std::size_t i) { finished.push_back(i); });
  REQUIRE(m.size() == jobs.size());
  std::ranges::sort(finished);
  std::vector<std::size_t> every(jobs.size());
  std::iota(every.begin(), every.end(), 0);
  CHECK(finished == every);  // each job reported done exactly once
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    CHECK(m[i].what.name() == jobs[i].what.name());
    CHECK(m[i].compute.runs == 4);  // min_runs 4, no time asked for
  }
  // The last MLP layer: 256 x 10 MACs per input (MLP 12.5 %: hidden width 2048 / 8).
  CHECK(m.back().work.value() == 2.0 * 256 * 10);
}

TEST_CASE("host_cpu: interleaved groups keep thread counts apart and bound the weights held", "[executor][host]") {
  const topology mlp = zoo::mlp(0.125);
  auto jobs_of = [&](std::initializer_list<unsigned> threads) {
    std::vector<kernel_job> jobs;
    for (const unsigned th : threads) jobs.push_back({&mlp, kernels_of(mlp, measure_level::layer, dt::int8, 1, th).front()});
    return jobs;
  };
  // Single-threaded kernels share a group; one with more threads runs alone (its pool
  // busy-waits after a run, and Eigen's thread count is the process's).
  CHECK(host_cpu::interleave_groups(jobs_of({1, 1, 2, 1})) == std::vector<std::size_t>{2, 1, 1});
  CHECK(host_cpu::interleave_groups(jobs_of({2, 2})) == std::vector<std::size_t>{1, 1});
  // At most 16 kernels a group.
  CHECK(host_cpu::interleave_groups(jobs_of({1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})) ==
        std::vector<std::size_t>{16, 2});
  // At most 256 MB of weights: VGG16's fc6 (classifier.0) holds 25,088 x 4,096 = 102.8 M
  // weights, 411 MB in fp32, so it runs alone; in the 8-bit carrier fc6 and fc7 (16.8 M)
  // fit together.
  const topology vgg = zoo::get("vgg16");
  for (const auto& [type, first_group] : {std::pair{dt::fp32, std::size_t{1}}, std::pair{dt::int8, std::size_t{2}}}) {
    std::vector<kernel_job> fc;
    for (const kernel& k : kernels_of(vgg, measure_level::layer, type))
      if (k.layers.front() == "classifier.0" || k.layers.front() == "classifier.3") fc.push_back({&vgg, k});
    REQUIRE(fc.size() == 2);
    CHECK(host_cpu::interleave_groups(fc).front() == first_group);
  }
}
