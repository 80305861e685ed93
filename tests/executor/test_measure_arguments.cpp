// The one check of the measurement arguments the CLI and Python hand over: level, thread
// counts, repeats and min_time, and the host roofline's thread list.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "qutibench/measure/host_cpu.hpp"
#include "qutibench/measure/host_roofline.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;

namespace {
// The full message of the spec_error `f` throws; fails the test if it throws none or another.
template <class F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::invalid_value);
    return e.what();
  }
  FAIL("no spec_error");
  return {};
}
}  // namespace

TEST_CASE("measure arguments: levels 1..3 only, named in the message", "[measure][arguments]") {
  CHECK(parse_measure_level(1) == measure_level::layer);
  CHECK(parse_measure_level(3) == measure_level::network);
  CHECK(refusal([] { parse_measure_level(0); }) ==
        "[qutibench.spec_error.503] level: must be 1 (layers), 2 (stacks) or 3 (whole network), got 0");
  CHECK(refusal([] { parse_measure_level(4); }) ==
        "[qutibench.spec_error.503] level: must be 1 (layers), 2 (stacks) or 3 (whole network), got 4");
}

TEST_CASE("measure arguments: threads 1..1024", "[measure][arguments]") {
  CHECK(parse_measure_threads(1) == 1u);
  CHECK(parse_measure_threads(1024) == 1024u);
  CHECK(refusal([] { parse_measure_threads(0); }) == "[qutibench.spec_error.503] threads: must be 1..1024, got 0");
  CHECK(refusal([] { parse_measure_threads(100000); }) == "[qutibench.spec_error.503] threads: must be 1..1024, got 100000");
  // 2^32 + 1 would wrap to 1 as an unsigned: refused before any conversion.
  CHECK(refusal([] { parse_measure_threads((std::int64_t{1} << 32) + 1); }) ==
        "[qutibench.spec_error.503] threads: must be 1..1024, got 4294967297");
}

TEST_CASE("measure arguments: repeats and min_time are bounded, so a measurement ends", "[measure][arguments]") {
  const repeat_options r = measure_repeats(7, 0.5);
  CHECK(r.warmup == 2);
  CHECK(r.min_runs == 7);
  CHECK(r.max_runs == 100000);
  CHECK(r.min_duration.value() == 0.5);
  CHECK(measure_repeats(100000, 3600).min_runs == 100000);
  CHECK(measure_repeats(1, 0).min_duration.value() == 0);
  CHECK(refusal([] { measure_repeats(std::int64_t{1} << 62, 0.05); }) ==
        "[qutibench.spec_error.503] repeats: must be 1..100000, got 4611686018427387904");
  CHECK(refusal([] { measure_repeats(0, 0.05); }) == "[qutibench.spec_error.503] repeats: must be 1..100000, got 0");
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(refusal([&] { measure_repeats(5, inf); }) == "[qutibench.spec_error.503] min_time: must be 0..3600 seconds, got inf");
  CHECK(refusal([] { measure_repeats(5, std::nan("")); }) ==
        "[qutibench.spec_error.503] min_time: must be 0..3600 seconds, got nan");
  CHECK(refusal([] { measure_repeats(5, -0.5); }) == "[qutibench.spec_error.503] min_time: must be 0..3600 seconds, got -0.5");
}

TEST_CASE("host roofline: thread counts checked before anything is measured", "[measure][arguments]") {
  host_roofline_options o;
  o.threads = {4, 1, 2};
  CHECK(host_roofline_threads(o) == std::vector<unsigned>{4, 1, 2});
  o.threads = {0};  // once divided the triad's work by zero (SIGFPE)
  CHECK(refusal([&] { measure_host_roofline(o); }) == "[qutibench.spec_error.503] threads: must be 1..1024, got 0");
  o.threads = {};  // once gave a platform without modes
  CHECK(refusal([&] { measure_host_roofline(o); }) == "[qutibench.spec_error.503] threads: needs at least one thread count");
  o.threads = {2, 1, 2};  // two modes named "2t"
  CHECK(refusal([&] { measure_host_roofline(o); }) == "[qutibench.spec_error.503] threads: 2 given twice");
}

TEST_CASE("host_cpu: an interruption point that throws ends the measurement at once", "[measure][interrupt]") {
  const topology net = zoo::get("mlp-p12.5");
  int calls = 0;
  struct stop {};
  host_cpu host(measure_repeats(1, max_measure_min_time_s), [&] {
    if (++calls == 3) throw stop{};
  });
  // Without the interruption this would time the kernel for an hour (or 100000 runs).
  CHECK_THROWS_AS(host.measure(net, kernels_of(net, measure_level::network, datatypes::int8).front()), stop);
  CHECK(calls == 3);
}
