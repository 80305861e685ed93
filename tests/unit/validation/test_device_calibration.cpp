// A prediction calibrated on the user's measurements of the device: the few-shot factors
// fitted on its rows of a measurement file, applied to the realistic model. Device: the
// KV260 DPU (data/platforms/kv260-dpu.json).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "qutibench/io/catalogue.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/validation/device_calibration.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;

namespace {
/// A row of `topology` in INT8 on `pf` at `batch` whose compute throughput is `fps`.
recorded_measurement device_row(const std::string& pf, const std::string& topology, std::uint64_t batch, double fps) {
  recorded_measurement r;
  r.record.platform = pf;
  r.record.what.topology = topology;
  r.record.what.type = datatypes::int8;
  r.record.what.batch = batch;
  r.fps_comp = fps;
  return r;
}
const platform& kv260() {
  static const platform p = [] {
    for (platform& q : load_platforms(std::string(QUTIBENCH_DATA_DIR) + "/platforms"))
      if (q.id == "kv260-dpu") return q;
    throw std::runtime_error("no kv260-dpu spec");
  }();
  return p;
}
/// The realistic model's inputs/s of `topology` on the KV260 at `batch`: what the device
/// of these tests runs 3x slower than, plus 20 us per layer dispatch.
double realistic_rate(const std::string& topology, std::uint64_t batch) {
  const platform& pf = kv260();
  return predict_realistic(profile(zoo::get(topology)), pf, pf.mode(""), {datatypes::int8, {batch}, {}, {}}).network.throughput.value();
}
/// Dispatches by hand (every layer that computes or moves data, per batch; batch norms and
/// ReLUs fuse into their producer, a flatten only renames): MLP's four dense layers = 4;
/// CNV's six convolutions, two max pools and three dense layers = 11.
double measured(const std::string& topology, std::uint64_t batch) {
  const double layers = topology.starts_with("mlp") ? 4 : 11;
  return 1 / (3 / realistic_rate(topology, batch) + 20e-6 * layers / static_cast<double>(batch));
}
}  // namespace

TEST_CASE("device calibration: a device's rows fit its factors, which predict a network it has not run", "[few_shot][calibration]") {
  const std::vector<recorded_measurement> rows = {device_row("kv260-dpu", "mlp", 1, measured("mlp", 1)),
                                                  device_row("kv260-dpu", "cnv", 1, measured("cnv", 1)),
                                                  device_row("kv260-dpu", "cnv", 8, measured("cnv", 8)),
                                                  device_row("zcu102-dpu", "mlp", 1, 1.0)};  // another device's row never fits
  const device_calibration c = fit_device_calibration(rows, kv260(), validation_metric::compute, "mine.csv");
  CHECK(c.settings == 3);
  CHECK(c.networks == 2);
  CHECK(c.skipped_rows == 0);
  CHECK(c.skipped.empty());
  CHECK(c.factors.efficiency == Approx(3.0));
  CHECK(c.factors.dispatch_s == Approx(20e-6));
  // MLP pruned to 50 % keeps MLP's 4 dense layers; at batch 4: 3 / realistic + 20 us x 4 / 4 per input.
  const platform& pf = kv260();
  const network_profile prof = profile(zoo::get("mlp-p50"));
  const scenario s{datatypes::int8, {4}, {}, {}};
  const prediction r = predict_realistic(prof, pf, pf.mode(""), s).network;
  const prediction p = predict_calibrated(prof, pf, pf.mode(""), s, c);
  const double per_input = 3 / realistic_rate("mlp-p50", 4) + 20e-6 * 4 / 4;
  CHECK(p.throughput.value() == Approx(1 / per_input));
  CHECK(p.latency.value() == Approx(4 * per_input));
  CHECK(p.attainable.value() == Approx(r.work.value() / (4 * per_input)));
  CHECK(p.peak.value() == r.peak.value());  // the hardware figures stay the realistic model's
  // Per setting, the best row: a second, slower run of one setting changes nothing.
  std::vector<recorded_measurement> repeated = rows;
  repeated.push_back(device_row("kv260-dpu", "mlp", 1, measured("mlp", 1) / 2));
  const device_calibration again = fit_device_calibration(repeated, kv260(), validation_metric::compute, "mine.csv");
  CHECK(again.settings == 3);
  CHECK(again.factors.efficiency == Approx(3.0));
}

TEST_CASE("device calibration: rows that cannot fit are skipped and counted with their reason", "[few_shot][calibration][errors]") {
  std::vector<recorded_measurement> rows = {device_row("kv260-dpu", "mlp", 1, measured("mlp", 1)),
                                            device_row("kv260-dpu", "cnv", 1, measured("cnv", 1))};
  // A published best figure at an unstated batch (0) would be fitted as batch 1: skipped,
  // as are a mode the spec lacks and a datatype the realistic model cannot run there (the
  // KV260 DPU computes INT8 only and runs no FP32).
  recorded_measurement no_batch = device_row("kv260-dpu", "cnv", 0, 1e6), odd_mode = device_row("kv260-dpu", "cnv", 1, 1e6),
                       fp32 = device_row("kv260-dpu", "cnv", 1, 1e6);
  odd_mode.record.mode = "turbo";
  fp32.record.what.type = datatypes::fp32;
  rows.insert(rows.end(), {no_batch, odd_mode, odd_mode, fp32});
  const device_calibration c = fit_device_calibration(rows, kv260(), validation_metric::compute, "mine.csv");
  CHECK(c.settings == 2);
  CHECK(c.factors.efficiency == Approx(3.0));  // the skipped rows, 1e6 inputs/s, would pull it far off
  CHECK(c.skipped_rows == 4);
  CHECK(c.skipped == "1 with no batch; 2 in mode 'turbo', which the spec lacks; 1 of fp32, which the realistic model cannot run on kv260-dpu");
  // Nothing left: the error names the file and says why.
  const std::vector<recorded_measurement> unusable = {no_batch, fp32};
  CHECK_THROWS_WITH(fit_device_calibration(unusable, kv260(), validation_metric::compute, "mine.csv"),
                    Catch::Contains("mine.csv: has no usable compute throughput measured on kv260-dpu (rows skipped: 1 with no batch; 1 of fp32"));
}

TEST_CASE("device calibration: no rows of the device, or only of the other metric, is a clear error", "[few_shot][calibration][errors]") {
  const std::vector<recorded_measurement> none = {device_row("zcu102-dpu", "mlp", 1, 100)};
  CHECK_THROWS_WITH(fit_device_calibration(none, kv260(), validation_metric::compute, "mine.csv"),
                    Catch::Contains("mine.csv: has no usable compute throughput measured on kv260-dpu") && !Catch::Contains("give metric"));
  recorded_measurement system = device_row("kv260-dpu", "mlp", 1, 100);
  system.fps_sys = system.fps_comp, system.fps_comp.reset();
  const std::vector<recorded_measurement> rows = {system};
  CHECK_THROWS_WITH(fit_device_calibration(rows, kv260(), validation_metric::compute, "mine.csv"),
                    Catch::Contains("it has system figures: give metric system"));
  CHECK(fit_device_calibration(rows, kv260(), validation_metric::system, "mine.csv").settings == 1);
}

TEST_CASE("device calibration: rows may name the user's own spec file's platform", "[few_shot][calibration]") {
  // A spec that is not shipped, its id in the rows: the file loads and its rows fit. Also
  // where its id is a shipped spec's alias (the A100 SXM's): the rows stay the user's.
  platform mine = kv260();
  mine.aliases.clear();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "qutibench_device_calibration";
  std::filesystem::create_directories(dir);
  const std::filesystem::path csv = dir / "mine.csv";
  for (const std::string id : {"my-kv260", "nvidia-a100-sxm4-80gb"}) {
    mine.id = id;
    std::ofstream out(csv);
    out.precision(17);
    out << "topology_id,platform_id,mode,datatype,batch,measured_inputs_per_s,measured_latency_ms,metric_kind,"
           "source_repo_or_url,source_path_or_section,notes\n"
        << "mlp," << id << ",,int8,1," << measured("mlp", 1) << ",,compute,bench,run,\n"
        << "cnv," << id << ",,int8,1," << measured("cnv", 1) << ",,compute,bench,run,\n";
    out.close();
    const device_calibration c = load_device_calibration(csv.string(), mine, "compute", QUTIBENCH_DATA_DIR);
    CHECK(c.settings == 2);
    CHECK(c.factors.efficiency == Approx(3.0));
    CHECK(c.factors.dispatch_s == Approx(20e-6));
  }
  // The metric is checked before the file is read, and an empty name is refused by name.
  CHECK_THROWS_WITH(load_device_calibration((dir / "absent.csv").string(), mine, "bogus", QUTIBENCH_DATA_DIR),
                    Catch::Contains("metric 'bogus'"));
  CHECK_THROWS_WITH(load_device_calibration("", mine, "compute", QUTIBENCH_DATA_DIR), Catch::Contains("calibrate: give a measurement CSV"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("calibrated model: realistic where none is named, else refused", "[few_shot][calibration][errors]") {
  CHECK(calibrated_model(std::nullopt, false) == prediction_model::realistic);
  CHECK(calibrated_model("realistic", false) == prediction_model::realistic);
  CHECK_THROWS_WITH(calibrated_model("plain", false), Catch::Contains("calibrate: fits on the realistic model"));
  CHECK_THROWS_WITH(calibrated_model("realistic", true), Catch::Contains("calibrate: scales the whole prediction"));
  CHECK_THROWS_WITH(calibrated_model("bogus", false), Catch::Contains("model 'bogus'"));
}
