// data/accuracy/table5_2.csv carries thesis Table 5.2 (tests/data/thesis/table5_2_accuracy.csv)
// onto the stable ids.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "qutibench/io/accuracy.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;

TEST_CASE("accuracy: every published Table 5.2 figure is in data/accuracy under its stable id", "[accuracy]") {
  // The thesis's names, mapped by hand (Table 5.2 names EfficientNets differently from Table 6.1).
  const std::map<std::string, std::string> ids = {
      {"GoogLeNetv1", "googlenet-v1"}, {"MobileNetv1", "mobilenet-v1"}, {"EfficientNet small", "efficientnet-edgetpu-s"},
      {"EfficientNet medium", "efficientnet-edgetpu-m"}, {"EfficientNet large", "efficientnet-edgetpu-l"},
      {"ResNet50 100%", "resnet50"}, {"ResNet50 80%", "resnet50-p80"}, {"ResNet50 50%", "resnet50-p50"},
      {"ResNet50 30%", "resnet50-p30"}, {"CNV 100%", "cnv"}, {"CNV 50%", "cnv-p50"}, {"CNV 25%", "cnv-p25"},
      {"CNV 12.5%", "cnv-p12.5"}, {"MLP 100%", "mlp"}, {"MLP 50%", "mlp-p50"}, {"MLP 25%", "mlp-p25"},
      {"MLP 12.5%", "mlp-p12.5"}};
  const auto records = load_accuracy(QUTIBENCH_DATA_DIR "/accuracy/table5_2.csv");
  std::ifstream in(QUTIBENCH_TEST_DATA "/thesis/table5_2_accuracy.csv");
  std::string line;
  std::getline(in, line);
  std::size_t published = 0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string name, type, top1, top5;
    std::getline(ss, name, ',');
    std::getline(ss, type, ',');
    std::getline(ss, top1, ',');
    std::getline(ss, top5, ',');
    if (top1.empty()) continue;
    ++published;
    INFO(name << " " << type);
    bool found = false;
    for (const accuracy_record& r : records) {
      if (r.topology != ids.at(name) || r.type != datatype::parse(type)) continue;
      found = true;
      CHECK(r.top1_pct == std::stod(top1));
      CHECK(r.top5_pct.has_value() == !top5.empty());
      CHECK(r.task == zoo::find(r.topology).task);
    }
    CHECK(found);
  }
  CHECK(records.size() == published);
  CHECK(published == 45);
}

TEST_CASE("accuracy: malformed rows are rejected with file:line", "[accuracy][errors]") {
  const auto file = std::filesystem::temp_directory_path() / "qutibench_bad_accuracy.csv";
  auto expect = [&](const std::string& body, const std::string& needle) {
    std::ofstream(file) << "topology,task,datatype,top1_pct,top5_pct\n" << body;
    try {
      (void)load_accuracy(file);
      FAIL("loaded: " << body);
    } catch (const spec_error& e) {
      CHECK_THAT(e.what(), Catch::Contains(file.string() + ":2") && Catch::Contains(needle));
    }
  };
  expect("cnv,cifar10,int2,86.86\n", "expected 5 columns");
  expect("cnv,cifar10,int2,abc,\n", "top1_pct");
  expect("cnv,cifar10,int99,86.86,\n", "int99");
  expect("cnv,cifar10,int2,186.86,\n", "percentage");
  std::filesystem::remove(file);
}
