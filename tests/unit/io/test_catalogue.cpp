#include <catch2/catch.hpp>

#include <cstdlib>
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
                         "resnet50,a100-sxm,int8,,,8,,4,,2000,,15420,,,,,\n"
                         "resnet50,nvidia-a100-sxm4-80gb,int8,,,16,,8,,2000,,15420,,,,,\n";
  const std::vector<recorded_measurement> rows = load_measurements(file, data_dir);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].record.platform == "host");
  CHECK(rows[1].record.platform == "a100-sxm");
  CHECK(rows[1].record.what.batch == 8);
  CHECK(rows[2].record.platform == "a100-sxm");  // a100-sxm.json's alias, as the LLM measurements name it
  std::filesystem::remove(file);
}

namespace {
/// A user's spec file: the shipped ZCU104-DPU under the id "my-dpu" (a copy a user edits).
std::filesystem::path user_spec(const std::vector<platform>& all) {
  platform p = select_platforms(all, "zcu104-dpu").front();
  p.id = "my-dpu";
  p.aliases.clear();
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "qutibench_my_dpu.json";
  std::ofstream(file) << to_json(p).dump(2);
  return file;
}
}  // namespace

TEST_CASE("catalogue: a selection takes spec files and modes beside ids", "[catalogue]") {
  const std::vector<platform> all = load_platforms(data_dir / "platforms");
  const std::filesystem::path file = user_spec(all);
  const std::vector<platform> chosen = select_platforms(all, file.string() + ",tx2:maxq");
  REQUIRE(chosen.size() == 2);
  CHECK(chosen[0].id == "my-dpu");
  // The copy keeps the ZCU104-DPU's figures: thesis Table 6.2, 4.6 TOP/s at INT8 (peaks in ops/s).
  CHECK(chosen[0].run(chosen[0].mode(), datatypes::int8)->peak.value() == Approx(4.6e12));
  // tx2:maxq keeps only that mode, at thesis Table 6.2's 0.87 TFLOP/s FP16.
  REQUIRE(chosen[1].modes.size() == 1);
  CHECK(chosen[1].modes.front().name == "maxq");
  CHECK(chosen[1].run(chosen[1].mode(), datatypes::fp16)->peak.value() == Approx(0.87e12));
  // "thesis" and "all" may be items of a list too; a file may carry a mode only if it has it.
  CHECK(select_platforms(all, "thesis," + file.string()).size() == 10);
  CHECK_THROWS_WITH(select_platforms(all, file.string() + ":eco"), Catch::Contains("no operating mode 'eco'"));
  std::filesystem::remove(file);
}

TEST_CASE("catalogue: a selection naming one platform and mode twice is an error", "[catalogue]") {
  const std::vector<platform> all = load_platforms(data_dir / "platforms");
  CHECK(select_platforms(all, "tx2:maxn,tx2:maxq").size() == 2);  // two modes: two rows each
  try {
    (void)select_platforms(all, "tx2,tx2:maxq");
    FAIL("accepted tx2 twice");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::inconsistent_spec);
    CHECK_THAT(e.what(), Catch::Contains("'tx2:maxq': selects tx2:maxq a second time"));
  }
  CHECK_THROWS_WITH(select_platforms(all, "ncs2,ncs2"), Catch::Contains("selects ncs2 a second time"));
  CHECK_THROWS_WITH(select_platforms(all, "thesis,zcu102-dpu"), Catch::Contains("selects zcu102-dpu a second time"));
  // An id and its alias name one platform (a100-sxm is also the measurement tables' nvidia-a100-sxm4-80gb).
  CHECK_THROWS_WITH(select_platforms(all, "a100-sxm,nvidia-a100-sxm4-80gb"), Catch::Contains("selects a100-sxm a second time"));
  // A spec of one's own reusing the shipped id tx2, without modes: its rows and the shipped
  // TX2's would both read "tx2".
  const std::filesystem::path mine = std::filesystem::temp_directory_path() / "qutibench_catalogue_tx2.json";
  std::ofstream(mine) << R"({"id": "tx2", "name": "my TX2 board", "kind": "gpu", "source": "test",
                             "memory": {"bandwidth_gb_per_s": 59.7}, "peak_tera_ops_per_s": {"fp16": 1.3}})";
  try {
    (void)select_platforms(all, "thesis," + mine.string());
    FAIL("accepted two specs with the id tx2");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::inconsistent_spec);
    CHECK_THAT(e.what(), Catch::Contains("selects two specs with the id tx2; give one of them another id"));
  }
  CHECK(select_platforms(all, mine.string()).size() == 1);  // alone, nothing to confuse it with
  std::filesystem::remove(mine);
  // A copy of the shipped TX2 keeping its name and source: unchanged, its maxq beside the
  // shipped maxn is one spec's two modes; with its peaks edited, it is another spec.
  platform copy = find_platform("tx2", data_dir).spec;
  const std::filesystem::path same = std::filesystem::temp_directory_path() / "qutibench_catalogue_tx2_copy.json";
  std::ofstream(same) << to_json(copy).dump();
  CHECK(select_platforms(all, "tx2:maxn," + same.string() + ":maxq").size() == 2);
  for (operating_mode& m : copy.modes)
    for (peak_performance& pk : m.peaks) pk.value = pk.value * 10.0;
  std::ofstream(same) << to_json(copy).dump();
  CHECK_THROWS_WITH(select_platforms(all, "tx2:maxn," + same.string() + ":maxq"),
                    Catch::Contains("selects two specs with the id tx2; give one of them another id"));
  std::filesystem::remove(same);
}

TEST_CASE("catalogue: empty items and empty modes are errors, not every mode", "[catalogue]") {
  const std::vector<platform> all = load_platforms(data_dir / "platforms");
  for (const char* selection : {"", ",", "thesis,", "tx2,,ncs2"})
    CHECK_THROWS_WITH(select_platforms(all, selection), Catch::Contains("an empty item"));
  CHECK_THROWS_WITH(select_platforms(all, "tx2:"), Catch::Contains("platform 'tx2:': an empty mode after ':'; modes: maxn, maxp, maxq"));
  CHECK_THROWS_WITH(find_platform("tx2:", data_dir), Catch::Contains("an empty mode"));
  CHECK_THROWS_WITH(find_platform("ncs2:fast", data_dir), Catch::Contains("it has no operating modes"));
}

TEST_CASE("catalogue: a spec file's folder may hold '.json' and a mode error names the file", "[catalogue]") {
  const std::vector<platform> all = load_platforms(data_dir / "platforms");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "qutibench specs.json.d";
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "tx2-copy.json";
  platform copy = select_platforms(all, "tx2").front();
  copy.id = "tx2-copy";
  std::ofstream(file) << to_json(copy).dump(2);
  CHECK(find_platform(file.string() + ":maxq", data_dir).mode == "maxq");
  CHECK_THROWS_WITH(find_platform(file.string() + ":turbo", data_dir),
                    Catch::Contains("platform '" + file.string() + ":turbo': no operating mode 'turbo'; modes: maxn, maxp, maxq"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("catalogue: platforms::get finds the shipped specs without a path", "[catalogue]") {
  if (!std::getenv("QUTIBENCH_DATA_DIR")) CHECK(std::filesystem::equivalent(default_data_dir(), data_dir));
  const platform zcu102 = platforms::get("zcu102-dpu");
  CHECK(zcu102.id == "zcu102-dpu");
  CHECK(platforms::get("nvidia-a100-sxm4-80gb").id == "a100-sxm");  // an alias
  CHECK(platforms::all().size() == load_platforms(data_dir / "platforms").size());
  CHECK_THROWS_WITH(platforms::get("tx2:maxq"), Catch::Contains("find_platform reads 'id:MODE'"));
  CHECK_THROWS_WITH(platforms::get("zcu102"), Catch::Contains("not found; valid ids:"));
}
