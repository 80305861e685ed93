// The thesis's level-3 measurements (data/measurements/level3_thesis.csv) load onto stable
// ids with their published figures, and the recorded adapter serves them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "qutibench/adapters/recorded.hpp"
#include "qutibench/io/measurement_csv.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;

namespace {
const std::string thesis_csv = std::string(QUTIBENCH_DATA_DIR) + "/measurements/level3_thesis.csv";
const std::string invalid = std::string(QUTIBENCH_TEST_DATA) + "/measurements_invalid/";
const std::string header =
    "topology,platform,datatype,pruning,op_mode,batch,lat_sys_ms,lat_comp_ms,fps_sys,fps_comp,tp_sys_gops,"
    "tp_comp_gops,top1,top5,base_pwr_w,idle_pwr_w,full_pwr_w,source_table,source_line,repaired,repair_notes\r\n";

const std::vector<recorded_measurement>& thesis_rows() {
  static const std::vector<recorded_measurement> rows = load_measurements_csv(thesis_csv);
  return rows;
}

/// The row extracted from thesis source line `line`.
const recorded_measurement& row_at(int line) {
  const auto& rows = thesis_rows();
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.source_line == line; });
  REQUIRE(it != rows.end());
  return *it;
}

/// Writes `body` under a fresh temporary name and loads it, returning the exception text
/// ("" if it loaded).
std::string load_error(const std::string& body, std::vector<recorded_measurement>* rows = nullptr) {
  // A folder per process: CTest runs the test cases in parallel, each in its own process.
  const auto dir = std::filesystem::temp_directory_path() / ("qutibench_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "qutibench_test_recorded.csv";
  std::ofstream(file, std::ios::binary) << body;
  try {
    auto loaded = load_measurements_csv(file);
    if (rows) *rows = std::move(loaded);
    return "";
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::malformed_record);
    return e.what();
  }
}

std::string error_of(const std::string& fixture) {
  try {
    (void)load_measurements_csv(invalid + fixture);
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::malformed_record);
    return e.what();
  }
  FAIL(fixture << " loaded");
  return "";
}
}  // namespace

TEST_CASE("recorded: the shipped thesis file loads every record", "[recorded]") {
  // Count logical records independently: newlines outside quotes (doubled quotes toggle twice).
  std::ifstream in(thesis_csv, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::size_t newlines = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (c == '\n' && !quoted) ++newlines;
  }
  CHECK(thesis_rows().size() == newlines - 1);  // less the header; the file ends in CRLF
  CHECK(thesis_rows().size() == 406);
  CHECK(std::count_if(thesis_rows().begin(), thesis_rows().end(), [](const auto& r) { return r.repaired; }) == 64);
}

TEST_CASE("recorded: the first row of Table A.7 carries its published figures", "[recorded]") {
  // Table A.7 line 2564: CNV,TX2,FP16,100,maxn,1,1.78,1.304400,567.942,785.639,266.620372,
  // 368.818229,87.06,,1.8,4.7,10.3,A.7,2564,1,"fps ""567 942"" ..." (repaired)
  const recorded_measurement& r = thesis_rows().front();
  CHECK(r.source_table == "A.7");
  CHECK(r.source_line == 2564);
  CHECK(r.repaired);
  const measurement& m = r.record;
  CHECK(m.what.topology == "cnv");
  CHECK(m.what.level == measure_level::network);
  CHECK(m.what.layers.empty());
  CHECK(m.what.type == datatypes::fp16);
  CHECK(m.what.batch == 1);
  CHECK(m.what.threads == 1);
  CHECK(m.platform == "tx2");
  CHECK(m.mode == "maxn");
  CHECK(m.carrier == datatypes::fp16);
  CHECK(m.compute.median.value() == Approx(1.3044e-3).epsilon(1e-12));
  CHECK(m.system.median.value() == Approx(1.78e-3).epsilon(1e-12));
  // One published figure per setting: a single run, no spread.
  for (const latency_stats* l : {&m.compute, &m.system}) {
    CHECK(l->runs == 1);
    CHECK(l->min.value() == l->median.value());
    CHECK(l->max.value() == l->median.value());
    CHECK(l->iqr().value() == 0);
  }
  CHECK(m.work.value() == Approx(368.818229e9 / 785.639).epsilon(1e-12));
  REQUIRE(m.top1_pct);
  CHECK(*m.top1_pct == 87.06);
  CHECK_FALSE(m.top5_pct);
  CHECK(m.base_power->value() == 1.8);
  CHECK(m.idle_power->value() == 4.7);
  CHECK(m.full_power->value() == 10.3);
}

TEST_CASE("recorded: other platforms, empty columns and the A53's INT8 carrier", "[recorded]") {
  SECTION("FINN without system figures (Table A.11 line 2755)") {
    // CNV,ZCU104-FINN,INT4,100,,1,,4.874,,205.170,,96.317057,87.42,,9.2,11.8,15.0250,A.11,2755,0,
    const measurement& m = row_at(2755).record;
    CHECK(m.platform == "zcu104-finn");
    CHECK(m.mode.empty());
    CHECK(m.what.type == datatypes::int4);
    CHECK(m.carrier == datatypes::int4);
    CHECK(m.compute.median.value() == Approx(4.874e-3).epsilon(1e-12));
    CHECK(std::isnan(m.system.median.value()));
    CHECK(m.system.runs == 0);
    CHECK(m.full_power->value() == 15.025);
  }
  SECTION("Cortex-A53, INT2 in gemmlowp's INT8 (Table A.9 line 2674)") {
    // CNV,U96-Quadcore A53,INT2,50,,2,,34.132,,58.596039,,6.968454,84.29,,9.2,,14.5,A.9,2674,0,
    const measurement& m = row_at(2674).record;
    CHECK(m.what.topology == "cnv-p50");
    CHECK(m.platform == "ultra96-a53");
    CHECK(m.what.type == datatypes::int2);
    CHECK(m.carrier == datatypes::int8);
    CHECK(m.what.batch == 2);
    CHECK(m.compute.median.value() == Approx(34.132e-3).epsilon(1e-12));
    CHECK_FALSE(m.idle_power);
    CHECK(*m.top1_pct == 84.29);
  }
  SECTION("NCS ResNet50 with top-5 (Table A.18 line 3149)") {
    // ResNet50,NCS,FP16,100,,1,59.0438,56.3189,16.9366,17.7560,130.750552,137.076320,75.172,92.01,
    // 0.53,1.2,1.873,A.18,3149,0,
    const measurement& m = row_at(3149).record;
    CHECK(m.what.topology == "resnet50");
    CHECK(m.platform == "ncs2");
    CHECK(m.system.median.value() == Approx(59.0438e-3).epsilon(1e-12));
    CHECK(*m.top5_pct == 92.01);
    CHECK(m.base_power->value() == 0.53);
  }
}

TEST_CASE("recorded: every thesis name maps onto a stable id", "[recorded]") {
  const std::set<std::string> stable_platforms = {"ultra96-dpu", "zcu104-dpu", "zcu102-dpu", "zcu104-finn", "zcu104-bismo",
                                                  "tx2",         "coral-tpu",  "ncs2",       "ultra96-a53"};
  std::set<std::string> topologies, platforms;
  for (const recorded_measurement& r : thesis_rows()) {
    INFO(r.source_table << " line " << r.source_line);
    CHECK_NOTHROW(zoo::find(r.record.what.topology));
    CHECK(stable_platforms.count(r.record.platform) == 1);
    CHECK(std::filesystem::exists(std::string(QUTIBENCH_DATA_DIR) + "/platforms/" + r.record.platform + ".json"));
    CHECK((r.record.platform == "tx2") != r.record.mode.empty());
    topologies.insert(r.record.what.topology);
    platforms.insert(r.record.platform);
  }
  CHECK(topologies == std::set<std::string>{"cnv", "cnv-p50", "cnv-p25", "cnv-p12.5", "mlp", "mlp-p50", "mlp-p25",
                                            "mlp-p12.5", "resnet50", "googlenet-v1"});
  CHECK(platforms == std::set<std::string>{"tx2", "zcu104-finn", "ultra96-a53", "ncs2"});
}

TEST_CASE("recorded: ops per input from throughput / fps agree with the zoo's level-0 count", "[recorded]") {
  // The repair notes of Table A.7 line 2564 verify tp = fps x 0.46945 GOP; the zoo counts
  // CNV at 2 x 234,724,864 MACs = 0.469449728 GOP.
  const double zoo_ops = static_cast<double>(requirements(zoo::get("cnv")).total.ops.value());
  CHECK(zoo_ops == 469449728.0);
  for (const recorded_measurement& r : thesis_rows()) {
    if (r.record.what.topology != "cnv") continue;
    INFO(r.source_table << " line " << r.source_line);
    const double per_input = r.record.work.value() / static_cast<double>(r.record.what.batch);
    CHECK(per_input == Approx(zoo_ops).epsilon(1e-3));
  }
  // The other networks agree as closely, except GoogLeNetv1: its rows imply 3.13 GOP per
  // input (Table 6.1 prints 3.1), the zoo counts 3.165 GOP (1.1% more).
  for (const recorded_measurement& r : thesis_rows()) {
    INFO(r.record.what.topology << ", " << r.source_table << " line " << r.source_line);
    const double per_input = r.record.work.value() / static_cast<double>(r.record.what.batch);
    const double zoo_count = static_cast<double>(requirements(zoo::get(r.record.what.topology)).total.ops.value());
    CHECK(per_input == Approx(zoo_count).epsilon(r.record.what.topology == "googlenet-v1" ? 0.012 : 1e-3));
  }
}

TEST_CASE("recorded: latency falls back to batch / fps where the table gives no latency", "[recorded]") {
  std::vector<recorded_measurement> rows;
  REQUIRE(load_error(header + "CNV,TX2,FP16,100,maxp,4,,,500,1000,,469.45,87.06,,1.8,4.7,10.4,A.7,9,0,\r\n", &rows).empty());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].record.compute.median.value() == Approx(4.0 / 1000));
  CHECK(rows[0].record.system.median.value() == Approx(4.0 / 500));
  CHECK(rows[0].record.work.value() == Approx(4 * 0.46945e9));
}

TEST_CASE("recorded: the CSV reader follows RFC 4180", "[recorded]") {
  // A note with commas, doubled quotes and a line break; LF and CRLF mixed; a blank line.
  const std::string note = "\"a, \"\"quoted\"\"\r\nsecond line\"";
  const std::string row = "CNV,TX2,FP16,100,maxp,2,2.89,2.0865,695.18,976.935,326.35,458.62,87.06,,1.8,4.7,10.4,A.7,2565,1,";
  std::vector<recorded_measurement> rows;
  const std::string batch3 = "CNV,TX2,FP16,100,maxp,3,2.89,2.0865,695.18,976.935,326.35,458.62,87.06,,1.8,4.7,10.4,A.7,2566,1,";
  REQUIRE(load_error(header + row + note + "\n\r\n" + batch3 + "\n", &rows).empty());
  CHECK(rows.size() == 2);
  CHECK(rows[0].repaired);
  // The bad row starts on physical line 4: the note spans lines 2 and 3.
  const std::string bad = "CNV,TX2,FP16,100,maxp,4,5.1,oops,790.3,1027.1,371.0,482.2,87.06,,1.8,4.7,10.5,A.7,2566,0,";
  CHECK_THAT(load_error(header + row + note + "\r\n" + bad + "\r\n"),
             Catch::Contains("qutibench_test_recorded.csv:4") && Catch::Contains("lat_comp_ms 'oops'"));
  CHECK_THAT(load_error(header + row + "\"x\"y\r\n"), Catch::Contains(":2: text after a closing quote"));
  CHECK_THAT(load_error(header + row + "a\"b\r\n"), Catch::Contains(":2: quote inside an unquoted field"));
  CHECK_THAT(load_error(header + "CNV,TX2\r\n"), Catch::Contains(":2: expected 21 fields, got 2"));
}

TEST_CASE("recorded: malformed files are rejected with file:line", "[recorded][errors]") {
  CHECK_THAT(error_of("wrong_header.csv"),
             Catch::Contains("[qutibench.spec_error.401]") && Catch::Contains("wrong_header.csv:1: header must begin with"));
  CHECK_THAT(error_of("bad_number.csv"), Catch::Contains("bad_number.csv:3: lat_comp_ms '3.9x' is not a non-negative number"));
  CHECK_THAT(error_of("unknown_platform.csv"),
             Catch::Contains("unknown_platform.csv:2: unknown platform 'Jetson Nano'; known: TX2, ZCU104-FINN, "
                             "U96-Quadcore A53, NCS"));
  CHECK_THAT(error_of("unterminated_quote.csv"), Catch::Contains("unterminated_quote.csv:3: quoted field is never closed"));
  CHECK_THAT(load_error(header + "VGG,TX2,FP16,100,maxp,1,1,1,1,1,1,1,50,,1,1,1,A.7,1,0,\r\n"),
             Catch::Contains(":2: unknown topology 'VGG' at pruning '100'; known: zoo ids, or GoogLeNetv1"));
  CHECK_THAT(load_error(header + "CNV,NCS,FP16,100,maxn,1,1,1,1,1,1,1,50,,1,1,1,A.8,1,0,\r\n"),
             Catch::Contains(":2: op_mode 'maxn' is not one of NCS's (it has none"));
  CHECK_THAT(load_error(header + "CNV,TX2,INT99,100,maxp,1,1,1,1,1,1,1,50,,1,1,1,A.7,1,0,\r\n"),
             Catch::Contains(":2: [qutibench.spec_error.101] datatype 'INT99'"));
  CHECK_THAT(load_error(header + "CNV,TX2,FP16,100,maxp,0,1,1,1,1,1,1,50,,1,1,1,A.7,1,0,\r\n"),
             Catch::Contains(":2: batch '0' is not a positive whole number"));
  CHECK_THAT(load_error(header + "CNV,TX2,FP16,100,maxp,1,,,,,,,50,,1,1,1,A.7,1,0,\r\n"),
             Catch::Contains(":2: gives no figure: a row needs a latency, an fps or a GOP/s"));
  CHECK_THAT(load_error(header + "CNV,TX2,FP16,100,maxp,,,4,,,,,50,,1,1,1,A.7,1,0,\r\n"),
             Catch::Contains(":2: lat_comp_ms 4 gives no throughput without a batch"));
  CHECK_THAT(load_error(header + "CNV,TX2,FP16,100,maxp,1,,0,,,,,50,,1,1,1,A.7,1,0,\r\n"),
             Catch::Contains(":2: lat_comp_ms must be positive where given"));
  // 1 input/s at 1000 ms: one batch in flight, so only the field under test is wrong.
  CHECK_THAT(load_error(header + "CNV,TX2,FP16,100,maxp,1,1000,1000,1,1,1,1,150,,1,1,1,A.7,1,0,\r\n"),
             Catch::Contains(":2: top1 '150' is not a percentage"));
  CHECK_THAT(load_error(header + "CNV,TX2,FP16,100,maxp,1,1000,1000,1,1,1,1,50,,1,1,1,A.7,1,yes,\r\n"),
             Catch::Contains(":2: repaired 'yes' must be 0 or 1"));
  CHECK_THAT(error_of("does_not_exist.csv"), Catch::Contains("does_not_exist.csv: cannot open"));
}

TEST_CASE("measurement csv: latencies and fps that contradict each other are refused", "[recorded][errors]") {
  // Thesis row A.7:2565 with its system latency lowered to 1.90 ms, below the 2.0865 ms of
  // compute it includes (1.90 + 0.005 < 2.0865 - 0.0000005: beyond the printed rounding).
  CHECK_THAT(error_of("system_below_compute.csv"),
             Catch::Contains("system_below_compute.csv:3: lat_sys_ms 1.90 is below lat_comp_ms 2.086500"));
  // Within the rounding it loads: FINN CNV 12.5 % INT4 batch 1 (A.11:2810) prints 0.07 system,
  // 0.072 compute; 0.07 stands for 0.065..0.075. At 0.06 (at most 0.065 < 0.0715) it does not.
  const std::string finn = "CNV,ZCU104-FINN,INT4,12.5,,1,";
  const std::string rest = ",,13888.889,,111.370501,,,,,,A.11,1,0,\r\n";
  CHECK(load_error(header + finn + "0.07,0.072" + rest).empty());
  CHECK_THAT(load_error(header + finn + "0.06,0.072" + rest), Catch::Contains(":2: lat_sys_ms 0.06 is below lat_comp_ms 0.072"));

  // A.7:2566 with lat_comp_ms in seconds (0.00346883): 1153.660/s x 3.46883e-6 s / 4 = 0.001
  // batches in flight.
  CHECK_THAT(error_of("fps_off_latency.csv"),
             Catch::Contains("fps_off_latency.csv:3: fps_comp 1153.660 x lat_comp_ms 0.00346883 / batch 4 puts 0.0010004"));
  // The same row with lat_sys_ms in microseconds: 867.797/s x 4.68 s / 4 = 1015 in flight.
  CHECK_THAT(load_error(header + "CNV,TX2,FP16,100,maxp,4,4680,3.468830,867.797,1153.660,,541.585687,,,,,,A.7,1,0,\r\n"),
             Catch::Contains(":2: fps_sys 867.797 x lat_sys_ms 4680 / batch 4 puts 1015.3"));
  // A throughput in GOP/s only is held to the latency as well (fuzz_measurement_csv found a
  // row that loaded and whose written copy, printing the derived fps, did not): 2022.6 GOP/s
  // over the 6 / 19.9 GOP per input its system figures give is 6708.29/s; x 74 ms / 16 = 31.
  CHECK_THAT(load_error(header + "CNV,ZCU104-FINN,INT2,50,,16,,074,19.9,,6,2022.6,84.29,,,,,A.11,1,0,\r\n"),
             Catch::Contains(":2: tp_comp_gops 2022.6 (6708.29 inputs/s) x lat_comp_ms 074 / batch 16 puts 31.0258"));
  // FINN's pipelined CNV (A.11:2821) overlaps two batches: 40201.006/s x 0.2 ms / 4 = 2.01 loads.
  CHECK(load_error(header + "CNV,ZCU104-FINN,INT2,12.5,,4,,0.200,,40201.006,,322.358849,,,,,,A.11,1,0,\r\n").empty());
}

TEST_CASE("recorded: the adapter looks kernels up", "[recorded]") {
  recorded_adapter tx2(thesis_rows(), "tx2");
  CHECK(tx2.platform() == "tx2");
  CHECK(tx2.all().size() == 146);
  const topology cnv = zoo::get("cnv");

  SECTION("found: any mode takes the first row in file order") {
    const measurement m = tx2.measure(cnv, kernel{"cnv", measure_level::network, {}, datatypes::fp16, 1, 1});
    CHECK(m.mode == "maxn");
    CHECK(m.compute.median.value() == Approx(1.3044e-3).epsilon(1e-12));
    // The topology's name stands in for an empty kernel topology.
    CHECK(tx2.measure(cnv, kernel{"", measure_level::network, {}, datatypes::fp16, 1, 1}).mode == "maxn");
  }
  SECTION("a mode restricts the rows: TX2 maxp has no CNV FP16 batch-1 row") {
    recorded_adapter maxp(QUTIBENCH_DATA_DIR "/measurements/level3_thesis.csv", "tx2", "maxp");
    CHECK(maxp.mode() == "maxp");
    CHECK(maxp.all().size() == 145);
    // Table A.7 line 2565: CNV,TX2,FP16,100,maxp,2,2.89,2.086500,...
    CHECK(maxp.measure(cnv, kernel{"cnv", measure_level::network, {}, datatypes::fp16, 2, 1}).system.median.value() ==
          Approx(2.89e-3).epsilon(1e-12));
    try {
      (void)maxp.measure(cnv, kernel{"cnv", measure_level::network, {}, datatypes::fp16, 1, 1});
      FAIL("measured");
    } catch (const measure_error& e) {
      CHECK(e.id() == error_id::no_measurement);
      CHECK_THAT(std::string(e.what()),
                 Catch::StartsWith("[qutibench.measure_error.606] cnv: no recorded measurement of fp16 at batch 1 on tx2 "
                                   "(mode maxp); recorded for cnv: fp16 (maxp) at batch 2, 4, 8, 16, 32, 64, 128; "
                                   "fp32 (maxp) at batch 1, 2,"));
    }
  }
  SECTION("what is missing is named, with what to ask for instead") {
    auto error_for = [&](recorded_adapter& a, const kernel& k) -> std::string {
      try {
        (void)a.measure(cnv, k);
      } catch (const measure_error& e) {
        CHECK(e.id() == error_id::no_measurement);
        return e.what();
      }
      FAIL("measured " << k.name());
      return "";
    };
    CHECK_THAT(error_for(tx2, kernel{"cnv", measure_level::network, {}, datatypes::int8, 1, 1}),
               Catch::Contains("no recorded measurement of int8 at batch 1 on tx2; recorded for cnv: fp16 (maxn) at batch 1; "
                               "fp16 (maxp) at batch 2,"));
    CHECK_THAT(error_for(tx2, kernel{"vgg16", measure_level::network, {}, datatypes::fp16, 1, 1}),
               Catch::Contains("vgg16: nothing recorded for vgg16 on tx2; topologies recorded there: cnv, cnv-p12.5,"));
    recorded_adapter dpu(thesis_rows(), "zcu104-dpu");
    CHECK(dpu.all().empty());
    CHECK_THAT(error_for(dpu, kernel{"cnv", measure_level::network, {}, datatypes::int8, 1, 1}),
               Catch::Contains("nothing recorded on zcu104-dpu; platforms recorded: ncs2, tx2, ultra96-a53, zcu104-finn"));
    CHECK_THAT(error_for(tx2, kernel{"cnv", measure_level::layer, {"conv1"}, datatypes::fp16, 1, 1}),
               Catch::Contains("cnv/conv1: level 1 kernels are not recorded: the thesis publishes level-3"));
    // An empty kernel topology is the topology's name, in the message too.
    CHECK_THAT(error_for(tx2, kernel{"", measure_level::network, {}, datatypes::int8, 1, 1}),
               Catch::StartsWith("[qutibench.measure_error.606] cnv: no recorded measurement of int8"));
  }
}

TEST_CASE("measurement csv: stable ids, known platform ids and extra columns", "[recorded]") {
  const auto file = std::filesystem::temp_directory_path() / "qutibench_test_ids.csv";
  std::ofstream(file, std::ios::binary)
      << "topology,platform,datatype,pruning,op_mode,batch,lat_sys_ms,lat_comp_ms,fps_sys,fps_comp,tp_sys_gops,"
         "tp_comp_gops,top1,top5,base_pwr_w,idle_pwr_w,full_pwr_w,board,notes\n"
         "cnv-p50,host,int8,,1t,4,,10,,400,,47.6,,,,,,lab 3,\"warm, quiet\"\n";
  CHECK_THROWS_WITH(load_measurements_csv(file), Catch::Contains("unknown platform 'host'"));
  const std::vector<std::string> ids = {"host"};
  const auto rows = load_measurements_csv(file, ids);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].record.what.topology == "cnv-p50");
  CHECK(rows[0].record.platform == "host");
  CHECK(rows[0].record.mode == "1t");
  CHECK(rows[0].record.compute.median.value() == Approx(0.010));
  CHECK(rows[0].extra == std::vector<std::pair<std::string, std::string>>{{"board", "lab 3"}, {"notes", "warm, quiet"}});
  // A zoo id with a contradicting pruning column is refused.
  std::ofstream(file, std::ios::binary)
      << "topology,platform,datatype,pruning,op_mode,batch,lat_sys_ms,lat_comp_ms,fps_sys,fps_comp,tp_sys_gops,"
         "tp_comp_gops,top1,top5,base_pwr_w,idle_pwr_w,full_pwr_w\n"
         "cnv-p50,tx2,fp16,25,maxp,4,,10,,400,,47.6,,,,,\n";
  CHECK_THROWS_WITH(load_measurements_csv(file), Catch::Contains(":2: unknown topology 'cnv-p50' at pruning '25'"));
}

TEST_CASE("measurement csv: the thesis file survives a write and a read", "[recorded]") {
  std::ostringstream text;
  write_measurements_csv(text, thesis_rows());
  const auto file = std::filesystem::temp_directory_path() / "qutibench_test_roundtrip.csv";
  std::ofstream(file, std::ios::binary) << text.str();
  const auto back = load_measurements_csv(file);
  REQUIRE(back.size() == thesis_rows().size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    const measurement &a = thesis_rows()[i].record, &b = back[i].record;
    INFO(thesis_rows()[i].source_line);
    CHECK(b.what.topology == a.what.topology);
    CHECK(b.platform == a.platform);
    CHECK(b.mode == a.mode);
    CHECK(b.what.type == a.what.type);
    CHECK(b.what.batch == a.what.batch);
    CHECK(b.compute.median.value() == Approx(a.compute.median.value()).epsilon(1e-12));
    CHECK(b.work.value() == Approx(a.work.value()).epsilon(1e-9));
    CHECK(back[i].fps_comp == thesis_rows()[i].fps_comp);
    CHECK(b.top1_pct == a.top1_pct);
    CHECK(back[i].extra == thesis_rows()[i].extra);
    CHECK(back[i].source_line == thesis_rows()[i].source_line);
  }
}
