#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include <boost/units/io.hpp>
#include <boost/units/systems/si.hpp>

#include "qutibench/fmt.hpp"
#include "qutibench/io/catalogue.hpp"
#include "qutibench/predict/llm.hpp"
#include "qutibench/qutibench.hpp"

using namespace qutibench;

namespace {
template <class T>
std::string printed(const T& x) {
  std::ostringstream s;
  s << x;
  return s.str();
}
}  // namespace

TEST_CASE("print: quantities show their value and unit, exact counts to the last digit", "[print]") {
  // The 50 % MLP: 784*1024 + 2*1024*1024 + 1024*10 = 2,910,208 weights, 2 ops per MAC.
  const requirement_totals total = requirements(zoo::mlp(0.5)).total;
  CHECK(printed(total.ops) == "5820416 op");
  CHECK(printed(total.weights) == "2910208 el");
  CHECK(printed(bytes_per_s::from_value(19.2e9)) == "1.92e+10 B/s");
  CHECK(printed(ops_per_byte::from_value(2)) == "2 op/B");
  CHECK(printed(seconds::from_value(0.5)) == "0.5 s");
  CHECK(fmt::format("{}", inputs_per_s::from_value(250)) == "250 in/s");
  CHECK(units::readable_unit("s^-1 B") == "B/s");
  CHECK(units::readable_unit("s^-2 op^2") == "op^2/s^2");
  CHECK(units::readable_unit("B^-1") == "1/B");
  // Another system's quantities keep Boost.Units' own printing (with boost/units/io.hpp).
  CHECK(printed(3000.0 * boost::units::si::meters / boost::units::si::second) == "3000 m s^-1");
}

TEST_CASE("print: records show their fields as the CLI and Python name them", "[print]") {
  const std::string totals = printed(requirements(zoo::mlp(0.5)).total);
  CHECK(totals.starts_with("{ops: 5820416, "));
  CHECK_THAT(totals, Catch::Contains("weights: 2910208, "));
  CHECK(fmt::format("{}", requirements(zoo::mlp(0.5)).total) == totals);
  // ZCU104-DPU at INT8 (4.6 TOP/s, 19.2 GB/s): the 50 % MLP's 2,910,208 weight bytes make it
  // memory bound, 19.2e9 / 2,910,208 inputs/s.
  const platform dpu = platforms::get("zcu104-dpu");
  const prediction p = predict(profile(zoo::mlp(0.5)), dpu, dpu.mode(), {.type = datatypes::int8});
  CHECK_THAT(printed(p), Catch::Contains("status: ok, ") && Catch::Contains("bound: memory"));
}

TEST_CASE("print: the LLM records print from their own namespace", "[print]") {
  // An all-reduce row: 1 GB over a 450 GB/s link is 1/450 s of link time, and the bound names the link.
  const llm::operation_time all_reduce{.name = "all_reduce", .bytes = 1e9, .time_s = 1.0 / 450, .link_s = 1.0 / 450};
  CHECK_THAT(printed(all_reduce), Catch::StartsWith("{operation: all_reduce, ") && Catch::Contains("bound: link"));
  CHECK(fmt::format("{}", all_reduce) == printed(all_reduce));
}

TEST_CASE("print: a prediction that is not ok has no bound", "[print]") {
  // The Ultra96's Cortex-A53 has no FP16 peak (thesis Table 6.2): unsupported, nothing bounds it.
  const platform a53 = platforms::get("ultra96-a53");
  const prediction p = predict(profile(zoo::mlp(0.5)), a53, a53.mode(), {.type = datatypes::fp16});
  CHECK_FALSE(p.ok());
  CHECK_FALSE(p.bound.has_value());
  CHECK_THAT(printed(p), Catch::Contains("bound: null"));
}
