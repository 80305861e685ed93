// Measurement rows as real tables print them: the thesis appendix's other platforms and
// names, a setting measured twice, latency without throughput (and the reverse), rows with
// no batch, and published tables in the shape of ../shared/reference/public.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "qutibench/io/measurement_csv.hpp"

using namespace qutibench;

namespace {
const std::string schema =
    "topology,platform,datatype,pruning,op_mode,batch,lat_sys_ms,lat_comp_ms,fps_sys,fps_comp,tp_sys_gops,"
    "tp_comp_gops,top1,top5,base_pwr_w,idle_pwr_w,full_pwr_w\n";
const std::string published =
    "topology_id,platform_id,mode,datatype,batch,measured_inputs_per_s,measured_latency_ms,metric_kind,source,notes\n";

std::vector<recorded_measurement> parse(const std::string& text) { return parse_measurements_csv(text, "hand.csv"); }

/// The 401 that loading `text` gives: as hand.csv, or as public.csv knowing `ids` where given.
std::string error_of(const std::string& text, const std::vector<std::string>& ids = {}) {
  try {
    (void)(ids.empty() ? parse(text) : parse_measurements_csv(text, "public.csv", ids));
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::malformed_record);
    return e.what();
  }
  FAIL("loaded");
  return "";
}

// CNV: 2 x 234,724,864 MACs per input (thesis Table 6.1; the repair notes of A.7 line 2564).
constexpr double cnv_ops = 469449728.0;
}  // namespace

TEST_CASE("measurement rows: the appendix's platform and topology names", "[recorded]") {
  const auto rows = parse(schema +
                          "CNV,ZCU104-BISMO,INT2,100,,1,,5,,200,,,,,,,\n"
                          "ResNet50v1.5,TPU,INT8,100,fast,1,,20,,,,,,,,,\n"
                          "ResNet50v1.5,TPU,INT8,,slow,1,,35,,,,,,,,,\n"
                          "GoogLeNetv1,Ultra96-DPU,INT8,100,,4,,40,,100,,,,,,,\n"
                          "ResNet50,ZCU102-DPU,INT8,100,,1,,12,,80,,,,,,,\n"
                          "ResNet50,ZCU104-DPU,INT8,100,,1,,14,,70,,,,,,,\n");
  REQUIRE(rows.size() == 6);
  const char* platforms[] = {"zcu104-bismo", "coral-tpu", "coral-tpu", "ultra96-dpu", "zcu102-dpu", "zcu104-dpu"};
  const char* topologies[] = {"cnv", "resnet50-v1.5", "resnet50-v1.5", "googlenet-v1", "resnet50", "resnet50"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].record.platform == platforms[i]);
    CHECK(rows[i].record.what.topology == topologies[i]);
  }
  CHECK(rows[1].record.mode == "fast");
  CHECK(rows[2].record.mode == "slow");
  // Latency alone: inputs/s = batch / latency = 1 / 20 ms.
  CHECK_FALSE(rows[1].fps_comp);
  CHECK(rows[1].compute_inputs_per_s() == Approx(50.0));
  CHECK(std::isnan(rows[1].system_inputs_per_s()));  // the row says nothing of the system
  CHECK(error_of(schema + "ResNet50v1.5,TPU,INT8,100,turbo,1,,20,,,,,,,,,\n").find(":2: op_mode 'turbo' is not one of TPU's: fast, slow") !=
        std::string::npos);
}

TEST_CASE("measurement rows: throughput alone, in inputs/s or GOP/s", "[recorded]") {
  // GOP/s alone: inputs/s = 469.449728 GOP/s / CNV's 0.469449728 GOP = 1000; latency = 2 / 1000.
  auto rows = parse(schema + "CNV,TX2,FP16,100,maxp,2,,,,,,469.449728,,,,,\n");
  REQUIRE(rows.size() == 1);
  CHECK(*rows[0].fps_comp == Approx(1000.0));
  CHECK(rows[0].record.compute.median.value() == Approx(2e-3));
  CHECK(rows[0].record.work.value() == Approx(2 * cnv_ops));
  // An unstated batch: the throughput stands, the latency is unknown, work is one input's.
  rows = parse(schema + "CNV,TX2,FP16,100,maxp,,,,,500,,,,,,,\n");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].record.what.batch == 0);
  CHECK(rows[0].compute_inputs_per_s() == 500.0);
  CHECK(std::isnan(rows[0].record.compute.median.value()));
  CHECK(std::isnan(rows[0].record.compute_throughput().value()));
  CHECK(rows[0].record.compute.runs == 0);
  CHECK(rows[0].record.work.value() == Approx(cnv_ops));
  // Written back, the batch stays empty and the row reads the same.
  std::ostringstream out;
  write_measurements_csv(out, rows);
  const auto back = parse(out.str());
  REQUIRE(back.size() == 1);
  CHECK(back[0].record.what.batch == 0);
  CHECK(back[0].compute_inputs_per_s() == 500.0);
  CHECK(out.str().find("cnv,tx2,fp16,100,maxp,,,,,500,,234.724864,") != std::string::npos);  // 500 x 0.469 GOP
}

TEST_CASE("measurement rows: one setting measured twice is aggregated, best or median", "[recorded]") {
  // The Coral table's pattern: the same setting on two lines, latency only.
  const auto rows = parse(schema +
                          "ResNet50v1.5,TPU,INT8,100,fast,1,,20,,,,,,,,,\n"
                          "ResNet50v1.5,TPU,INT8,100,slow,1,,35,,,,,,,,,\n"
                          "ResNet50v1.5,TPU,INT8,100,fast,1,,25,,,,,,,,,\n");
  REQUIRE(rows.size() == 3);  // read as samples
  const auto median = merge_repeats(rows);
  REQUIRE(median.size() == 2);
  CHECK(median[0].record.mode == "fast");
  CHECK(median[0].record.compute.runs == 2);
  CHECK(median[0].record.compute.median.value() == Approx(22.5e-3));
  CHECK(median[0].record.compute.min.value() == Approx(20e-3));
  CHECK(*median[0].fps_comp == Approx((50.0 + 40.0) / 2));  // 1/20 ms and 1/25 ms
  CHECK(median[1].record.mode == "slow");
  CHECK(median[1].record.compute.runs == 1);
  const auto best = merge_repeats(rows, repeat_statistic::best);
  CHECK(*best[0].fps_comp == Approx(50.0));
}

TEST_CASE("measurement rows: published tables load onto compute or system figures", "[recorded]") {
  const std::vector<std::string> ids = {"hailo-8", "jetson-agx-orin", "a100-sxm"};
  const auto rows = parse_measurements_csv(published +
                                               "resnet50,hailo-8,,int8,1,1328.83,2.93646,compute,zoo,\"hw only, batch 1\"\n"
                                               "resnet50-v1.5,coral-tpu,fast,int8,1,,20,system,vendor,\n"
                                               "mobilenet-v1,jetson-agx-orin,unknown,fp16,1,,2.23,unknown,ncnn,\n"
                                               "resnet50-v1.5,a100-sxm,,int8,,42120.7,-,system,mlperf,offline\n"
                                               "efficientnet-b0,hailo-8,,int8,1,-,-,system,zoo,not published\n",
                                           "public.csv", ids);
  REQUIRE(rows.size() == 4);  // the last row has no figure: its source published none
  // compute: both figures are the kernel's.
  CHECK(*rows[0].fps_comp == 1328.83);
  CHECK(rows[0].record.compute.median.value() == Approx(2.93646e-3));
  CHECK(std::isnan(rows[0].system_inputs_per_s()));
  // system: a latency alone at batch 1 gives 50 inputs/s of the system, nothing of compute.
  CHECK(rows[1].record.platform == "coral-tpu");
  CHECK(rows[1].system_inputs_per_s() == Approx(50.0));
  CHECK(std::isnan(rows[1].compute_inputs_per_s()));
  // unknown counts as system (it may include what a deployment adds); mode "unknown" is unstated.
  CHECK(rows[2].record.mode.empty());
  CHECK(rows[2].system_inputs_per_s() == Approx(1 / 2.23e-3));
  // No batch: the throughput stands, no latency ("-" is the vendor tables' none).
  CHECK(rows[3].record.what.batch == 0);
  CHECK(rows[3].system_inputs_per_s() == 42120.7);
  // metric_kind and the columns after it are kept.
  CHECK(rows[0].extra == std::vector<std::pair<std::string, std::string>>{
                             {"metric_kind", "compute"}, {"source", "zoo"}, {"notes", "hw only, batch 1"}});
  // Errors name the table's own columns.
  const auto error = [&](const std::string& row) { return error_of(published + row, ids); };
  CHECK_THAT(error("resnet50,hailo-8,,int8,1,100,2,hw,zoo,\n"),
             Catch::Contains("public.csv:2: metric_kind 'hw' must be compute, system or unknown"));
  CHECK_THAT(error("resnet50,hailo-8,,int8,1,abc,,compute,zoo,\n"),
             Catch::Contains("public.csv:2: measured_inputs_per_s 'abc' is not a non-negative number"));
  CHECK_THAT(error("resnet50,hailo-8,,int8,1,1000,1000,system,zoo,\n"),
             Catch::Contains("public.csv:2: measured_inputs_per_s 1000 x measured_latency_ms 1000 / batch 1"));
  CHECK_THAT(error("resnet50,nowhere,,int8,1,100,,system,zoo,\n"), Catch::Contains("public.csv:2: unknown platform 'nowhere'"));
  // A platform the thesis names checks its mode at load: this table calls the column mode.
  CHECK_THAT(error("resnet50,tx2,turbo,int8,1,200,,system,zoo,\n"), Catch::Contains("public.csv:2: mode 'turbo' is not one of tx2's: "));
}

TEST_CASE("measurement rows: rates and batches beyond any device are unit errors", "[recorded]") {
  const std::vector<std::string> ids = {"zcu102-dpu"};
  const auto error = [&](const std::string& row) { return error_of(published + row, ids); };
  // Stated, or batch / latency (1 over 1e-15 ms is about 1e18 inputs/s): 1e-9..1e12 inputs/s.
  CHECK_THAT(error("resnet18,zcu102-dpu,,int8,1,1e300,,system,x,\n"),
             Catch::Contains("public.csv:2: measured_inputs_per_s 1e300 gives 1e+300 inputs/s, beyond any device (1e-9..1e12)"));
  CHECK_THAT(error("resnet18,zcu102-dpu,,int8,1,1e-300,,system,x,\n"), Catch::Contains("beyond any device"));
  CHECK_THAT(error("resnet18,zcu102-dpu,,int8,1,,1e-15,system,x,\n"),
             Catch::Contains("public.csv:2: measured_latency_ms 1e-15 gives "));
  // GOP/s over the network's ops: 1e9 GOP/s of CNV (0.469 GOP per input) is 2.1e9 inputs/s, within.
  CHECK(parse(schema + "CNV,TX2,FP16,100,maxp,1,,,,,,1e9,,,,,\n").size() == 1);
  CHECK_THAT(error_of(schema + "CNV,TX2,FP16,100,maxp,1,,,,,,1e15,,,,,\n"), Catch::Contains("tp_comp_gops 1e15 gives"));
  // The largest batch a prediction takes, 2^40, and no more.
  CHECK(parse_measurements_csv(published + "resnet18,zcu102-dpu,,int8,1099511627776,1000,,system,x,\n", "public.csv", ids).size() == 1);
  CHECK_THAT(error("resnet18,zcu102-dpu,,int8,1099511627777,1000,,system,x,\n"),
             Catch::Contains("public.csv:2: batch '1099511627777' is past 2^40"));
}
