#include <catch2/catch.hpp>

#include "qutibench/io/platform_json.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/testing/catch2.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;
using namespace qutibench::testing;

TEST_CASE("catch2 matchers: reject what they should and say why", "[testing]") {
  const platform bad = load_platform(std::string(QUTIBENCH_TEST_DATA) + "/platforms_inconsistent/rising_and_misordered.json");
  const auto consistent = IsConsistent();
  CHECK_FALSE(consistent.match(bad));
  CHECK_THAT(consistent.describe(), Catch::Contains("list modes fastest first") && Catch::Contains("[qutibench.spec_error.505]"));

  const platform tx2 = load_platform(std::string(QUTIBENCH_DATA_DIR) + "/platforms/tx2.json");
  CHECK(consistent.match(tx2));
  CHECK(RunsAt(datatypes::fp16, ops_per_s::from_value(1.15e12), "maxp").match(tx2));
  CHECK_FALSE(RunsAt(datatypes::fp16, ops_per_s::from_value(1.33e12), "maxp").match(tx2));
  CHECK_FALSE(RunsAt(datatypes::int8, ops_per_s::from_value(1.33e12)).match(tx2));

  const topology net = zoo::get("cnv");
  const network_profile prof = profile(net);
  const prediction fp16 = predict(prof, tx2, tx2.mode(), {.type = datatypes::fp16});
  const prediction int8 = predict(prof, tx2, tx2.mode(), {.type = datatypes::int8});
  // CNV FP16: OI 38 ops/byte > ridge 1.33e12 / 59.7e9 = 22.3: compute bound.
  CHECK(IsBoundBy(bound_kind::compute).match(fp16));
  CHECK_FALSE(IsBoundBy(bound_kind::memory).match(fp16));
  CHECK_FALSE(IsBoundBy(bound_kind::compute).match(int8));
  CHECK(IsUnsupported().match(int8));
  CHECK_FALSE(IsUnsupported().match(fp16));
  CHECK(PredictsThroughput(inputs_per_s::from_value(1.33e12 / prof.total_ops)).match(fp16));
  CHECK_FALSE(PredictsThroughput(inputs_per_s::from_value(1.1 * 1.33e12 / prof.total_ops)).match(fp16));
}
