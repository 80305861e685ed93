// The zoo against thesis Table 6.1 (tests/data/thesis/table6_1_topologies.csv, a copy
// of the thesis's table as published).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;

namespace {

struct published {
  std::string variant;
  double gops, me;
  std::map<std::string, double> oi;  // by datatype name
};

std::vector<published> table6_1() {
  std::ifstream in(QUTIBENCH_TEST_DATA "/thesis/table6_1_topologies.csv");
  REQUIRE(in);
  std::string line;
  std::getline(in, line);  // header
  std::vector<published> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) f.push_back(c);
    REQUIRE(f.size() == 11);
    rows.push_back({f[0], std::stod(f[3]), std::stod(f[4]),
                    {{"int2", std::stod(f[5])}, {"int4", std::stod(f[6])}, {"int8", std::stod(f[7])},
                     {"fp16", std::stod(f[8])}, {"fp32", std::stod(f[9])}}});
  }
  return rows;
}

const zoo::entry& entry_for(const std::string& variant) {
  for (const zoo::entry& e : zoo::catalogue)
    if (e.thesis_name == variant) return e;
  FAIL("no zoo entry for Table 6.1 row '" << variant << "'");
  return zoo::catalogue[0];
}

// Matches "within 0.5 % or to the digits the table prints" (two decimals).
bool matches_printed(double ours, double printed) {
  return std::abs(ours - printed) <= 0.005 + 1e-12 || std::abs(ours - printed) <= 0.005 * printed;
}

}  // namespace

TEST_CASE("zoo: every Table 6.1 row has a zoo entry of the right task", "[zoo][table6_1]") {
  const auto rows = table6_1();
  CHECK(rows.size() == 17);
  for (const published& p : rows) {
    const zoo::entry& e = entry_for(p.variant);
    const bool cnv = p.variant.starts_with("CNV"), mlp = p.variant.starts_with("MLP");
    CHECK(e.task == (cnv ? "cifar10" : mlp ? "mnist" : "imagenet"));
    CHECK(e.make().name() == e.id);
  }
}

TEST_CASE("zoo: CNV and MLP match Table 6.1 ME and OI per datatype", "[zoo][table6_1]") {
  for (const published& p : table6_1()) {
    if (!p.variant.starts_with("CNV") && !p.variant.starts_with("MLP")) continue;
    const topology net = entry_for(p.variant).make();
    INFO(p.variant);
    const auto base = requirements(net);
    CHECK(matches_printed(static_cast<double>(base.total.weights.value()) / 1e6, p.me));
    CHECK(matches_printed(static_cast<double>(base.total.ops.value()) / 1e9, p.gops));
    if (p.variant == "CNV 12.5%") continue;  // pinned below
    for (const auto& [name, oi] : p.oi) {
      INFO(name);
      CHECK(matches_printed(requirements(net, precision::uniform(datatype::parse(name))).operational_intensity().value(), oi));
    }
  }
}

TEST_CASE("zoo: CNV 12.5 % OI is the hand-derived value, 1.3 % under Table 6.1", "[zoo][table6_1]") {
  // By hand (docs/zoo.md): channels 16,16,32,32,64,64, FC 64-128-128-10.
  // MACs: 30^2*432 + 28^2*2304 + 12^2*4608 + 10^2*9216 + 3^2*18432 + 36864 + 25856 = 4,008,896
  // Weights: 432+2304+4608+9216+18432+36864 + 8192+16384+1280 = 97,712.
  // OI(INT8) = 8,017,792 / 97,712 = 82.055; the table prints 83.15, which no channel
  // choice of the described architecture reproduces together with its 0.10 ME.
  const auto r = requirements(zoo::get("cnv-p12.5"), precision::uniform(datatypes::int8));
  CHECK(r.total.ops.value() == 8'017'792);
  CHECK(r.total.weights.value() == 97'712);
  CHECK(r.operational_intensity().value() == Approx(8'017'792.0 / 97'712.0));
  CHECK(r.operational_intensity().value() == Approx(83.15).epsilon(0.015));
  CHECK(requirements(zoo::get("cnv-p12.5"), precision::uniform(datatypes::int2)).operational_intensity().value() ==
        Approx(4 * 8'017'792.0 / 97'712.0));
}

TEST_CASE("zoo: ImageNet networks match Table 6.1 within 5 % on ops and ME", "[zoo][table6_1]") {
  // Published figures the published architectures cannot reproduce (docs/zoo.md); their
  // exact counts are pinned in test_imagenet_cnns.cpp. Here: they still deviate, so a
  // change that "fixes" them to the table shows up.
  const std::map<std::string, std::string> deviations = {{"GoogLeNetv1", "me"},
                                                         {"EfficientNet Edge S", "gops"},
                                                         {"EfficientNet Edge M", "gops"},
                                                         {"EfficientNet Edge L", "gops"}};
  for (const published& p : table6_1()) {
    if (p.variant.starts_with("CNV") || p.variant.starts_with("MLP")) continue;
    INFO(p.variant);
    const auto base = requirements(entry_for(p.variant).make());
    const double gops = static_cast<double>(base.total.ops.value()) / 1e9;
    const double me = static_cast<double>(base.total.weights.value()) / 1e6;
    const auto deviation = deviations.find(p.variant);
    const std::string off = deviation == deviations.end() ? "" : deviation->second;
    CHECK((off == "gops") != (gops == Approx(p.gops).epsilon(0.05)));
    CHECK((off == "me") != (me == Approx(p.me).epsilon(0.05)));
  }
}

TEST_CASE("zoo: pruned ResNet50 variants are summary-level and keep Table 6.1's OI", "[zoo][table6_1]") {
  for (const published& p : table6_1()) {
    if (!p.variant.starts_with("ResNet50") || p.variant == "ResNet50 100%") continue;
    INFO(p.variant);
    const topology net = entry_for(p.variant).make();
    CHECK_FALSE(net.layer_defined());
    CHECK(static_cast<double>(requirements(net).total.weights.value()) / 1e6 == Approx(p.me).epsilon(1e-9));
    for (const auto& [name, oi] : p.oi)
      CHECK(matches_printed(requirements(net, precision::uniform(datatype::parse(name))).operational_intensity().value(), oi));
  }
  CHECK(zoo::get("resnet50").layer_defined());
}

TEST_CASE("zoo: unknown ids list the valid ones", "[zoo][errors]") {
  try {
    (void)zoo::get("resnet51");
    FAIL("no error");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::unknown_id);
    CHECK_THAT(e.what(), Catch::Contains("resnet51") && Catch::Contains("mlp-p12.5") && Catch::Contains("googlenet-v1"));
  }
}
