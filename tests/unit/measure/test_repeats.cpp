// When a measurement stops repeating: runs, time, and the confidence interval of its median.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "qutibench/measure/record.hpp"

using namespace qutibench;

TEST_CASE("repeats: the median's 95 % interval from order statistics", "[repeats]") {
  // n = 10: ranks floor(5 - 1.96 sqrt(10) / 2) = 1 and ceil(6 + 3.099) = 10, so the
  // interval of 1..10 is [1, 10] around the median 5.5: half-width 4.5 / 5.5.
  CHECK(median_ci_relative({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}) == Approx(4.5 / 5.5));
  // n = 8 is the fewest with both ranks inside the sample (1 and 8); n = 7 gives rank 0.
  CHECK(median_ci_relative({2, 2, 2, 2, 2, 2, 2, 2}) == 0.0);
  CHECK(std::isnan(median_ci_relative({1, 2, 3, 4, 5, 6, 7})));
  // n = 100: ranks floor(50 - 9.8) = 40 and ceil(51 + 9.8) = 61 of 1..100 -> [40, 61] around 50.5.
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  CHECK(median_ci_relative(v) == Approx(21.0 / 2 / 50.5));
}

TEST_CASE("repeats: runs go on until the median is known well enough, within bounds", "[repeats]") {
  repeat_options r{0, 1, 100, seconds::from_value(0), 0.02, seconds::from_value(10)};
  const std::vector<double> seven(7, 1.0), eight(8, 1.0), spread = {1, 2, 1, 2, 1, 2, 1, 2};
  CHECK(r.again(seven, 0.1));         // too few samples for an interval
  CHECK_FALSE(r.again(eight, 0.1));   // eight equal times: the median is exact
  CHECK(r.again(spread, 0.1));        // half-width 1 / (2 x 1.5) = 33 %
  CHECK_FALSE(r.again(spread, 10));   // max_duration reached
  r.max_runs = 8;
  CHECK_FALSE(r.again(spread, 0.1));  // max_runs reached
  // Without a target, runs stop at min_runs and min_duration.
  const repeat_options plain{0, 3, 100, seconds::from_value(1)};
  CHECK(plain.again({1, 1}, 5));
  CHECK(plain.again({1, 1, 1}, 0.5));
  CHECK_FALSE(plain.again({1, 1, 1}, 1));
  // measure's repeats: the CLI and Python ask for +/- 2 % within 2 s beyond min_time.
  const repeat_options m = measure_repeats(7, 0.5);
  CHECK(m.median_ci == 0.02);
  CHECK(m.max_duration.value() == Approx(2.5));
}
