// Few-shot calibration: factors fitted on k networks of a device predict its others.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "qutibench/validation/few_shot.hpp"

using namespace qutibench;

namespace {
/// A point of network `topology` (of `layers` layers) on device "dev" whose realistic
/// prediction is `realistic` inputs/s at `batch`, measured as a device 3x slower than its
/// realistic prediction with a fixed 20 us per layer dispatch, once per batch: time per
/// input = 3 / realistic + 20e-6 x layers / batch.
validation_point device_point(const std::string& topology, double realistic, std::uint64_t batch, double layers) {
  validation_point p;
  p.platform = "dev";
  p.topology = topology;
  p.batch = batch;
  p.realistic = realistic;
  p.plain = 2 * realistic;
  p.dispatches = layers / static_cast<double>(batch);
  p.measured = 1 / (3 / realistic + 20e-6 * p.dispatches);
  return p;
}
}  // namespace

TEST_CASE("few-shot: one network fits the efficiency alone", "[few_shot]") {
  // Two rows of one network, measured at half and at a quarter of realistic: the geometric
  // mean of measured time / realistic time is sqrt(2 x 4) = 2.828.
  validation_point a, b;
  a.topology = b.topology = "net";
  a.realistic = 100, a.measured = 50, a.batch = 1, a.dispatches = 50;
  b.realistic = 100, b.measured = 25, b.batch = 8, b.dispatches = 50.0 / 8;
  const validation_point* train[] = {&a, &b};
  const few_shot_factors f = fit_few_shot(train);
  CHECK(f.efficiency == Approx(std::sqrt(8.0)));
  CHECK(f.dispatch_s == 0);
  CHECK(f.predict(a) == Approx(100 / std::sqrt(8.0)));
}

TEST_CASE("few-shot: two networks recover efficiency and dispatch time exactly", "[few_shot]") {
  const validation_point a = device_point("small", 1000, 1, 10), b = device_point("large", 10, 4, 100);
  const validation_point* train[] = {&a, &b};
  const few_shot_factors f = fit_few_shot(train);
  CHECK(f.efficiency == Approx(3.0));
  CHECK(f.dispatch_s == Approx(20e-6));
  // A network of 200 layers at batch 1 and 50 inputs/s realistic: 3 / 50 + 200 x 20 us =
  // 64 ms per input, 15.625 inputs/s.
  CHECK(f.predict(device_point("other", 50, 1, 200)) == Approx(15.625));
  // A fit that needs a negative dispatch time is not physical: the efficiency alone
  // instead. The small network runs at its realistic rate (1 ms per input over 10
  // dispatches), the large one 3x slower (0.3 s over 25): 0.001 = a / 1000 + 10 c and
  // 0.3 = a / 10 + 25 c give c = -0.2 / 975 s < 0.
  validation_point c = a, d = b;
  c.measured = c.realistic;
  d.measured = d.realistic / 3;
  const validation_point* odd[] = {&c, &d};
  const few_shot_factors g = fit_few_shot(odd);
  CHECK(g.dispatch_s == 0);
  CHECK(g.efficiency == Approx(std::sqrt(3.0)));  // geometric mean of 1 and 3
}

TEST_CASE("few-shot: every k of a device's networks, errors on the others", "[few_shot]") {
  std::vector<validation_point> best = {device_point("n1", 5000, 1, 20), device_point("n2", 800, 1, 50),
                                        device_point("n3", 60, 1, 100), device_point("n4", 7, 1, 30)};
  std::vector<validation_point> all = best;
  all.push_back(device_point("n1", 9000, 8, 20));  // rows at another batch train too
  const std::size_t ks[] = {1, 2, 3, 4};
  const std::vector<few_shot_result> r = few_shot_calibration(best, all, ks);
  REQUIRE(r.size() == 3);  // k = 4 leaves no network to predict
  CHECK(r[0].k == 1);
  CHECK(r[0].networks == 4);
  CHECK(r[0].trials == 4);       // 4 choose 1
  CHECK(r[0].predictions == 12);  // 3 other networks each time
  CHECK(r[1].trials == 6);       // 4 choose 2
  CHECK(r[1].predictions == 12);
  CHECK(r[2].trials == 4);
  CHECK(r[2].predictions == 4);
  // The device follows the two-factor form exactly, so k >= 2 predicts without error; one
  // network cannot separate the dispatch time from the efficiency.
  CHECK(r[1].median_abs_log10_error == Approx(0).margin(1e-9));
  CHECK(r[2].median_abs_log10_error == Approx(0).margin(1e-9));
  CHECK(r[0].median_abs_log10_error > 0.01);
  // Plain predicts 2 x realistic: off by log10(2 x (3 + 20e-6 x layers x realistic)) on every point.
  CHECK(r[2].plain_median_abs_log10_error > std::log10(6.0));
}

TEST_CASE("held-out calibration: rows of a network without a best point never train", "[few_shot]") {
  // Two networks with best points, and rows of a third ("ghost") whose best row was
  // dropped: k = 1 trains on n1 alone, then n2 alone, never on the ghost, whose rows are
  // 100x off the device's form and would spoil any fit they entered.
  const std::vector<validation_point> best = {device_point("n1", 5000, 1, 20), device_point("n2", 60, 1, 50)};
  std::vector<validation_point> all = best;
  validation_point ghost = device_point("ghost", 900, 1, 40);
  ghost.measured /= 100;
  all.push_back(ghost);
  std::vector<std::vector<std::string>> trained;
  std::vector<std::vector<std::size_t>> held;
  for_each_training_set(best, all, [](std::size_t n) { return n - 1; },
                        [&](std::span<const validation_point* const> train, std::span<const std::size_t> h) {
                          trained.emplace_back();
                          for (const validation_point* p : train) trained.back().push_back(p->topology);
                          held.emplace_back(h.begin(), h.end());
                        });
  REQUIRE(trained.size() == 2);  // 2 choose 1
  CHECK(trained[0] == std::vector<std::string>{"n2"});
  CHECK(held[0] == std::vector<std::size_t>{0});
  CHECK(trained[1] == std::vector<std::string>{"n1"});
  CHECK(held[1] == std::vector<std::size_t>{1});
  // A device with one network (k = 0) and a k of n or more visit nothing.
  std::size_t visits = 0;
  for_each_training_set(std::span(best).first(1), all, [](std::size_t n) { return n - 1; },
                        [&](auto, auto) { ++visits; });
  for_each_training_set(best, all, [](std::size_t n) { return n; }, [&](auto, auto) { ++visits; });
  CHECK(visits == 0);
}

TEST_CASE("held-out calibration: rows that state no batch never train, but are predicted", "[few_shot]") {
  // n1 has a stated batch-1 row and a batch-less row (a published best figure, 10x the
  // device's form as a large batch would be). Trained on n1 (k = 1) the fit sees the
  // stated row alone: efficiency = realistic / measured = 5000 x (3 / 5000 + 20 x 20 us)
  // = 5, where the batch-less row would pull it to sqrt(5 x 0.5). Trained on n2, n1's
  // best point, batch-less or not, is still what the device is scored on.
  const std::vector<validation_point> best = {device_point("n1", 5000, 1, 20), device_point("n2", 60, 1, 50)};
  validation_point unstated = best[0];
  unstated.measured *= 10, unstated.batch_stated = false;
  const std::vector<validation_point> all = {best[0], unstated, best[1]};
  std::vector<std::size_t> trained_rows;
  std::vector<std::vector<std::size_t>> held;
  double efficiency_on_n1 = 0;
  for_each_training_set(best, all, [](std::size_t) { return std::size_t{1}; },
                        [&](std::span<const validation_point* const> train, std::span<const std::size_t> h) {
                          trained_rows.push_back(train.size());
                          held.emplace_back(h.begin(), h.end());
                          if (train.front()->topology == "n1") efficiency_on_n1 = fit_few_shot(train).efficiency;
                        });
  CHECK(trained_rows == std::vector<std::size_t>{1, 1});
  CHECK(held == std::vector<std::vector<std::size_t>>{{0}, {1}});  // n2 trains first (the masks' order)
  CHECK(efficiency_on_n1 == Approx(5.0));
}

TEST_CASE("few-shot: network counts are checked", "[few_shot][errors]") {
  const std::int64_t good[] = {1, 2, 3};
  CHECK(parse_few_shot_networks(good) == std::vector<std::size_t>{1, 2, 3});
  auto error = [](std::vector<std::int64_t> ks) {
    try {
      (void)parse_few_shot_networks(ks);
    } catch (const spec_error& e) {
      CHECK(e.id() == error_id::invalid_value);
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error({0}), Catch::Contains("few_shot") && Catch::Contains("network counts must be 1..5, got 0"));
  CHECK_THAT(error({6}), Catch::Contains("got 6"));
  CHECK_THAT(error({2, 2}), Catch::Contains("network count 2 given twice"));
  CHECK_THAT(error({}), Catch::Contains("give at least one network count"));
}

TEST_CASE("few-shot: points given directly are checked and keep each prediction's error", "[few_shot][errors]") {
  const validation_point p = few_shot_point("points[0]", "dev", "n1", 50, 100, 200, 32);
  CHECK(p.platform == "dev");
  CHECK(p.topology == "n1");
  CHECK(p.measured == 50);
  CHECK(p.dispatches == 32);
  auto error = [](double measured, double dispatches, std::string network = "n") {
    try {
      (void)few_shot_point("points[3]", "dev", std::move(network), measured, 1, 1, dispatches);
    } catch (const spec_error& e) {
      CHECK(e.id() == error_id::invalid_value);
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK_THAT(error(0, 1), Catch::Contains("points[3].measured") && Catch::Contains("from 1e-9 to 1e12, got 0"));
  CHECK_THAT(error(std::nan(""), 1), Catch::Contains("points[3].measured"));
  CHECK_THAT(error(1e-320, 1), Catch::Contains("points[3].measured"));  // its logarithm and products stay in range only above 1e-9
  CHECK_THAT(error(1e300, 1), Catch::Contains("points[3].measured"));
  CHECK_THAT(error(1, -1), Catch::Contains("points[3].dispatches"));
  CHECK_THAT(error(1, INFINITY), Catch::Contains("points[3].dispatches"));
  CHECK_THAT(error(1, 2e9), Catch::Contains("points[3].dispatches"));
  CHECK_THAT(error(1, 1, ""), Catch::Contains("points[3]") && Catch::Contains("must not be empty"));
  // The sample behind each median: one error per held-out prediction. Three networks at k
  // = 1: each trial fits the efficiency on one and predicts the other two, 6 in all; the
  // efficiency alone cannot follow the 20 us dispatches, so they are not all zero.
  const std::vector<validation_point> pts = {device_point("n1", 5000, 1, 20), device_point("n2", 800, 1, 50),
                                             device_point("n3", 60, 1, 100)};
  const std::size_t ks[] = {1, 2};
  const std::vector<few_shot_result> r = few_shot_calibration(pts, pts, ks);
  REQUIRE(r.size() == 2);
  CHECK(r[0].errors.size() == 6);
  CHECK(r[1].errors.size() == 3);
  for (const double e : r[1].errors) CHECK(e == Approx(0).margin(1e-9));
  CHECK(*std::max_element(r[0].errors.begin(), r[0].errors.end()) > 0.01);
}
