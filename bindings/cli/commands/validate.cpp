// `qutibench validate`: predictions against measurements (thesis Section 7.2). Kernels
// mode: every kernel of a level predicted (per-layer roofline) and measured on the host,
// with a calibrated model reported out-of-fold. Dataset mode: a measurement CSV against
// plain, refined, calibrated or realistic predictions, per platform and task (Table 7.1).
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "../progress.hpp"
#include "qutibench/measure/host_cpu.hpp"
#include "qutibench/measure/host_roofline.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/validation/dataset.hpp"
#include "qutibench/validation/few_shot.hpp"
#include "qutibench/validation/kernel_agreement.hpp"

namespace qutibench::cli {

namespace {

struct validate_options {
  std::vector<std::string> topologies;
  onnx_options onnx;
  std::string measurements, model = "plain", metric = "compute";
  std::string platform = "host", datatype = "int8", memory_model = "thesis", format = "table";
  // Signed and unchecked here: the library checks them, as it does Python's.
  std::int64_t level = 1;
  std::int64_t batch = 1;
  std::int64_t threads = 1;
  std::int64_t repeats = 5;
  double min_time = 0.02;
  std::vector<std::int64_t> few_shot;
};

std::string summary_line(const char* what, const agreement& a) {
  std::ostringstream s;
  s << what << ": n " << a.n << ", pearson " << format_real(a.pearson) << ", spearman " << format_real(a.spearman)
    << ", median |error| " << format_real(a.median_abs_rel_error) << ", efficiency median " << format_real(a.efficiency_median)
    << " (IQR " << format_real(a.efficiency_q1) << " .. " << format_real(a.efficiency_q3) << ")";
  return s.str();
}

void run_validate(const validate_options& o) {
  const datatype type = datatype::parse(o.datatype);
  platform pf;
  std::string mode_name;
  if (o.platform == "host") {
    std::cerr << "qutibench: measuring the host roofline (" << o.threads << " thread(s))\n";
    host_roofline_options ro;
    ro.threads = {o.threads};
    pf = measure_host_roofline(ro);
  } else {
    platform_ref ref = find_platform(o.platform);
    pf = std::move(ref.spec);
    mode_name = std::move(ref.mode);
  }
  const operating_mode& mode = pf.mode(mode_name);
  const scenario s{type, checked_batch(o.batch), memory_model::parse(o.memory_model), {}};

  struct row {
    kernel k;
    double predicted, measured, measured_iqr, ops;
    Eigen::VectorXd features;
  };
  std::vector<row> rows;
  std::vector<topology> nets;
  std::vector<std::pair<std::size_t, kernel>> todo;
  for (const std::string& id : o.topologies) {
    nets.push_back(find_topology(id, o.onnx));
    for (kernel& k : kernels_of(nets.back(), parse_measure_level(o.level), type, o.batch, parse_measure_threads(o.threads)))
      todo.emplace_back(nets.size() - 1, std::move(k));
  }
  std::vector<layerwise_prediction> layers;
  for (const topology& net : nets) {
    layers.push_back(predict_layers(profile(net), pf, mode, s));
    if (!layers.back().network.ok())
      throw spec_error(error_id::unknown_id, "platform '" + pf.id + "'", "cannot run " + type.name());
  }
  host_cpu host(measure_repeats(o.repeats, o.min_time));
  progress bar("validate", todo.size());
  std::vector<kernel_job> jobs;
  for (const auto& [net_index, k] : todo) jobs.push_back({&nets[net_index], k});
  std::size_t done = 0;
  const std::vector<measurement> measured_jobs =
      host.measure_interleaved(jobs, [&](std::size_t i) { bar.step(++done, jobs[i].what.name()); });
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const std::size_t n = todo[j].first;
    const kernel& k = jobs[j].what;
    const std::vector<std::size_t> nodes = kernel_nodes(nets[n], k);
    double predicted = 0;
    for (std::size_t i : nodes) predicted += layers[n].layers[i].time.value();
    const measurement& m = measured_jobs[j];
    rows.push_back({k, predicted, m.compute.median.value(), (m.compute.q3 - m.compute.q1).value(), m.work.value(),
                    kernel_features(nets[n], nodes, k.batch, predicted)});
  }
  std::vector<double> predicted, measured;
  std::vector<Eigen::VectorXd> features;
  for (const row& r : rows) {
    predicted.push_back(r.predicted);
    measured.push_back(r.measured);
    features.push_back(r.features);
  }
  const std::vector<double> calibrated = calibrate_out_of_fold(features, predicted, measured);
  const agreement plain = compare(predicted, measured), fitted = compare(calibrated, measured);

  table t;
  t.columns = {"kernel", "ops", "predicted_s", "measured_s", "measured_iqr_s", "efficiency", "calibrated_s"};
  for (std::size_t i = 0; i < rows.size(); ++i)
    t.rows.push_back({rows[i].k.name(), rows[i].ops, predicted[i], measured[i], rows[i].measured_iqr, predicted[i] / measured[i],
                      real(calibrated[i])});
  const format f = parse_format(o.format);
  if (f == format::json) {
    nlohmann::ordered_json out;
    out["platform"] = pf.id;
    out["mode"] = mode.name;
    out["kernels"] = to_json(t);
    out["summary"] = cells_of(plain).object();
    out["calibrated"] = cells_of(fitted).object();
    std::cout << out.dump(2) << '\n';
    return;
  }
  print(std::cout, t, f);
  if (f == format::table) std::cout << summary_line("roofline", plain) << '\n' << summary_line("calibrated (out-of-fold)", fitted) << '\n';
}

/// Few-shot calibration on a measured dataset: per device and k, the error on its other networks.
void run_few_shot(const validate_options& o, const std::vector<recorded_measurement>& rows) {
  const std::vector<std::size_t> ks = parse_few_shot_networks(o.few_shot);
  const std::vector<platform> platforms = all_platforms();
  const validation_metric metric = parse_validation_metric(o.metric);
  table t;
  t.columns = {"platform", "k", "networks", "trials", "predictions", "median_abs_log10_error", "plain_median_abs_log10_error"};
  for (const few_shot_result& r :
       few_shot_calibration(validation_points(rows, platforms, metric), validation_points(rows, platforms, metric, false), ks))
    t.rows.push_back(cells_of(r).row(t.columns));
  if (t.rows.empty())
    std::cerr << "qutibench: note: " << o.measurements << ": no device has more networks with " << o.metric
              << " figures than any k given, so none is left to predict\n";
  const format f = parse_format(o.format);
  if (f == format::json) {
    nlohmann::ordered_json out;
    out["metric"] = o.metric;
    out["few_shot"] = to_json(t);
    std::cout << out.dump(2) << '\n';
    return;
  }
  print(std::cout, t, f);
}

/// Level-0 predictions against a measured dataset (thesis Table 7.1's method).
void run_dataset_validate(const validate_options& o) {
  const std::vector<recorded_measurement> rows = load_measurements(o.measurements, data_dir());
  if (!o.few_shot.empty()) return run_few_shot(o, rows);
  const std::vector<thesis_correlation> table_7_1 = thesis_table_7_1(data_dir());
  const std::vector<platform> platforms = all_platforms();
  const validation_metric metric = parse_validation_metric(o.metric);
  const validation_model model = parse_validation_model(o.model);
  std::vector<validation_point> points = validation_points(rows, platforms, metric);
  if (model == validation_model::calibrated) calibrate_leave_one_topology_out(points, validation_points(rows, platforms, metric, false));
  const std::vector<validation_group> groups = validation_report(points, model);
  const format f = parse_format(o.format);
  if (f == format::json) {
    nlohmann::ordered_json out;
    out["model"] = o.model;
    out["metric"] = o.metric;
    out["groups"] = nlohmann::ordered_json::array();
    for (const validation_group& g : groups) {
      nlohmann::ordered_json j = {{"platform", g.platform}, {"task", g.task}};
      j.update(cells_of(g.model).object());
      const auto thesis = thesis_pearson(table_7_1, g.platform, g.task);
      j["thesis_pearson"] = thesis ? nlohmann::ordered_json(*thesis) : nlohmann::ordered_json(nullptr);
      j["plain"] = cells_of(g.plain).object();
      out["groups"].push_back(std::move(j));
    }
    std::cout << out.dump(2) << '\n';
    return;
  }
  table t;
  t.columns = {"platform", "task", "n", "pearson", "thesis_pearson", "spearman", "median_abs_log10_error",
               "max_abs_log10_error", "efficiency_median", "efficiency_min", "efficiency_max", "plain_pearson",
               "plain_median_abs_log10_error"};
  for (const validation_group& g : groups) {
    named_cells c = cells_of(g.model);
    const named_cells plain = cells_of(g.plain);
    c.set("platform", g.platform).set("task", g.task).set("thesis_pearson", to_cell(thesis_pearson(table_7_1, g.platform, g.task)));
    c.set("plain_pearson", plain.row({"pearson"}).front()).set("plain_median_abs_log10_error", plain.row({"median_abs_log10_error"}).front());
    t.rows.push_back(c.row(t.columns));
  }
  print(std::cout, t, f);
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("validate", "Predictions against measurements. Dataset mode (--measurements FILE.csv): "
                                             "each model's predictions against a measured dataset per platform and task, or "
                                             "few-shot calibration's errors (--few-shot). Kernels mode (--topology): "
                                             "predict every kernel of a level with the per-layer roofline of a platform "
                                             "(host: this CPU's empirical roofline, measured first), measure it on this CPU, "
                                             "and report per kernel predicted and measured latency and efficiency "
                                             "(predicted / measured latency = measured / predicted throughput), and overall "
                                             "Pearson and Spearman correlation, median absolute relative error and the "
                                             "efficiency distribution; 'calibrated' fits log efficiency on the kernels' GEMM "
                                             "shape by least squares, 5-fold, out-of-fold only");
  auto o = fresh_options<validate_options>(cmd);
  auto* topo = cmd->add_option("--topology", o->topologies, "Kernels mode: zoo ids, topology files (.json) or ONNX models (.onnx) to measure here, e.g. resnet50 or resnet50,mlp,cnv")
                   ->delimiter(',');
  o->onnx.add_to(*cmd);
  auto* meas = cmd->add_option("--measurements", o->measurements,
                               "Dataset mode: a measurement CSV, QuTiBench schema or published table (e.g. "
                               "data/measurements/level3_thesis.csv, public_cnn_dev.csv), to set against level-0 "
                               "predictions, per platform and task");
  topo->excludes(meas);
  auto* model = cmd->add_option("--model", o->model, "Dataset mode: plain (thesis level-0, batch 1), refined (on-chip-if-fits at the "
                                       "measured batch, FPGA utilization), calibrated (refined terms fitted per platform, "
                                       "leave-one-topology-out), realistic (the deployed design, engine mapping, memory levels and "
                                       "fixed costs of each spec at the measured batch)")
      ->capture_default_str();  // checked by parse_validation_model, as Python's model is
  cmd->add_option("--few-shot", o->few_shot,
                  "Dataset mode: network counts k (1.." + std::to_string(max_few_shot_networks) +
                      ", e.g. 1,2,3): per device, fit an efficiency (k = 1) and a fixed time per layer dispatch (k >= 2) over "
                      "the realistic model on "
                      "every k of its networks and report the error on its other networks")
      ->delimiter(',')
      ->needs(meas)
      ->excludes(model);
  cmd->add_option("--metric", o->metric, "Dataset mode: compute or system throughput")
      ->capture_default_str();  // checked by parse_validation_metric, as Python's metric is
  cmd->add_option("--platform", o->platform, "host (measure this CPU's roofline now), a platform id or a spec file, "
                                             "with :MODE")->capture_default_str();
  cmd->add_option("--level", o->level, "1, 2 or 3")->capture_default_str();
  cmd->add_option("--datatype", o->datatype, "int2..int8 (8-bit carrier) or fp32")->capture_default_str();
  cmd->add_option("--batch", o->batch, "Batch size, 1 to 2^40")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads, 1.." + std::to_string(max_measure_threads))->capture_default_str();
  add_memory_model_option(*cmd, o->memory_model);
  cmd->add_option("--repeats", o->repeats, "Minimum timed runs per kernel, 1.." + std::to_string(max_measure_runs))
      ->capture_default_str();
  cmd->add_option("--min-time", o->min_time,
                  "Minimum timed seconds per kernel, 0.." + std::to_string(static_cast<int>(max_measure_min_time_s)))
      ->capture_default_str();
  add_format_option(*cmd, o->format);
  cmd->callback([o] {
    if (o->measurements.empty() && o->topologies.empty())
      throw CLI::ValidationError("validate", "give --topology (measure kernels here) or --measurements FILE.csv");
    // Named values are checked in either mode, so that a typo is never silently ignored.
    (void)parse_validation_model(o->model);
    (void)parse_validation_metric(o->metric);
    (void)memory_model::parse(o->memory_model);
    if (o->measurements.empty()) run_validate(*o);
    else run_dataset_validate(*o);
  });
}

}  // namespace qutibench::cli
