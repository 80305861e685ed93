#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "qutibench/io/catalogue.hpp"

using namespace qutibench;

namespace {
const std::filesystem::path data_dir = QUTIBENCH_DATA_DIR;
}

TEST_CASE("catalogue: thesis Table 7.1's coefficients", "[catalogue]") {
  // Thesis Table 7.1: FINN 0.96 (CIFAR-10) and 0.90 (MNIST), TX2 0.96 and NCS 0.64 (CIFAR-10).
  const std::vector<thesis_correlation> table = thesis_table_7_1(data_dir);
  CHECK(thesis_pearson(table, "zcu104-finn", "cifar10") == 0.96);
  CHECK(thesis_pearson(table, "zcu104-finn", "mnist") == 0.90);
  CHECK(thesis_pearson(table, "tx2", "cifar10") == 0.96);
  CHECK(thesis_pearson(table, "ncs2", "cifar10") == 0.64);
  CHECK_FALSE(thesis_pearson(table, "ultra96-a53", "cifar10"));
  CHECK(thesis_table_7_1(data_dir / "no such directory").empty());
}

TEST_CASE("catalogue: a Table 7.1 row without a coefficient names its line", "[catalogue]") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "qutibench_catalogue_test";
  std::filesystem::create_directories(dir / "measurements");
  std::ofstream(dir / "measurements" / "table7_1_correlation.csv") << "platform,task,pearson\ntx2,cifar10,0.96\nncs2,cifar10,high\n";
  CHECK_THROWS_WITH(thesis_table_7_1(dir), Catch::Contains("table7_1_correlation.csv:3"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("catalogue: measurement files may name host and every shipped platform", "[catalogue]") {
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "qutibench_catalogue_rows.csv";
  std::ofstream(file) << "topology,platform,datatype,pruning,op_mode,batch,lat_sys_ms,lat_comp_ms,fps_sys,fps_comp,"
                         "tp_sys_gops,tp_comp_gops,top1,top5,base_pwr_w,idle_pwr_w,full_pwr_w\n"
                         "resnet50,host,int8,,,1,,100,,10,,77.1,,,,,\n"
                         "resnet50,a100-sxm,int8,,,8,,4,,2000,,15420,,,,,\n";
  const std::vector<recorded_measurement> rows = load_measurements(file, data_dir);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].record.platform == "host");
  CHECK(rows[1].record.platform == "a100-sxm");
  CHECK(rows[1].record.what.batch == 8);
  std::filesystem::remove(file);
}
