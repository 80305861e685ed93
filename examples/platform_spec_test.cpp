// A unit test an engineer writes for a new platform spec: the spec is consistent, its
// peaks are what the design says, and the model predicts what they expect of it.
#include <catch2/catch.hpp>

#include <qutibench/io/platform_json.hpp>
#include <qutibench/predict/profile.hpp>
#include <qutibench/predict/roofline.hpp>
#include <qutibench/testing/catch2.hpp>
#include <qutibench/zoo.hpp>

using namespace qutibench;
using namespace qutibench::testing;

TEST_CASE("my-accelerator: the spec is consistent and states the design's peaks") {
  const platform card = load_platform(QUTIBENCH_EXAMPLE_DIR "/my_accelerator.json");
  CHECK_THAT(card, IsConsistent());
  CHECK_THAT(card, RunsAt(datatypes::int8, ops_per_s::from_value(32e12), "turbo"));
  CHECK_THAT(card, RunsAt(datatypes::int4, ops_per_s::from_value(32e12), "eco"));
}

TEST_CASE("my-accelerator: ResNet50 at INT8 is memory bound at batch 1, compute bound at batch 64") {
  const platform card = load_platform(QUTIBENCH_EXAMPLE_DIR "/my_accelerator.json");
  const topology net = zoo::get("resnet50");
  const network_profile prof = profile(net);
  // Batch 1: 51.2 GB/s over 25,502,912 INT8 weights = 2,008 inputs/s.
  const prediction one = predict(prof, card, card.mode("turbo"), {.type = datatypes::int8});
  CHECK_THAT(one, IsBoundBy(bound_kind::memory));
  CHECK_THAT(one, PredictsThroughput(inputs_per_s::from_value(51.2e9 / 25'502'912)));
  // Batch 64 raises the intensity 64-fold, past the ridge of 32e12 / 51.2e9 = 625 ops/byte.
  const prediction many = predict(prof, card, card.mode("turbo"), {.type = datatypes::int8, .batch = {64}});
  CHECK_THAT(many, IsBoundBy(bound_kind::compute));
  CHECK_THAT(predict(prof, card, card.mode(), {.type = datatypes::fp16}), IsUnsupported());
}
