// `qutibench predict`: the roofline prediction of one topology on one platform mode, for
// the whole network or layer by layer (thesis eqs. 4.1, 4.2), or the realistic model's
// estimate (predict/realistic.hpp), calibrated on the user's measurements of the device
// (validation/device_calibration.hpp).
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "qutibench/predict/fields.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/validation/device_calibration.hpp"

namespace qutibench::cli {

namespace {

struct predict_options {
  std::string topology, platform, datatype;
  onnx_options onnx;
  bool per_layer = false;
  scenario_options common;
  std::optional<std::string> calibrate;  // a file, even an empty name (an error there, as from Python)
  std::string metric = "compute";
};

void run_predict(const predict_options& o) {
  const topology net = find_topology(o.topology, o.onnx);
  const auto [pf, mode_name] = find_platform(o.platform);
  const operating_mode& mode = pf.mode(mode_name);
  // Checked first, as Python checks it: the model decides what the other options may say.
  const prediction_model model = o.calibrate ? calibrated_model(o.common.model, o.per_layer) : parse_prediction_model(o.common.model);
  const scenario s = o.common.to_scenario(datatype::parse(o.datatype));
  const network_profile prof = profile(net);
  std::optional<device_calibration> fit;
  if (o.calibrate) fit = load_device_calibration(*o.calibrate, pf, o.metric, data_dir());
  const bool realistic = model == prediction_model::realistic;
  const layerwise_prediction layers = realistic && !fit ? predict_realistic(prof, pf, mode, s)
                                      : o.per_layer     ? predict_layers(prof, pf, mode, s)
                                                        : layerwise_prediction{};
  const prediction p = fit                        ? predict_calibrated(prof, pf, mode, s, *fit)
                       : realistic || o.per_layer ? layers.network
                                                  : predict(prof, pf, mode, s);

  table summary;
  summary.columns = {"topology", "platform", "mode", "datatype", "carrier", "batch", "memory_model", "model", "status",
                     "inputs_per_s", "ops_per_s", "latency_s", "operational_intensity", "ridge_point", "bound",
                     "peak_ops_per_s", "bandwidth_bytes_per_s", "ops", "traffic_bytes"};
  named_cells fields = cells_of(p);
  const model_labels labels = labels_of(model, o.per_layer, fit.has_value(), s.memory);
  if (fit) {
    // After the model: the file, the factors and what fitted them.
    const std::vector<std::string> columns = calibration_columns(*fit);
    summary.columns.insert(std::find(summary.columns.begin(), summary.columns.end(), "model") + 1, columns.begin(), columns.end());
    fields.add(*fit).set("calibration", *o.calibrate);
  }
  fields.set("topology", o.topology)
      .set("platform", pf.id)
      .set("mode", mode.name.empty() ? cell{} : cell{mode.name})
      .set("memory_model", labels.memory_model)
      .set("model", labels.model);
  summary.rows.push_back(fields.row(summary.columns));
  if (p.status == prediction_status::unsupported) {
    // The row's dashes say that it does not run; this says what does.
    std::string runs;
    for (const peak_performance& k : mode.peaks) runs += (runs.empty() ? "" : ", ") + k.type.name();
    std::cerr << "qutibench: note: " << pf.id << (mode.name.empty() ? "" : ":" + mode.name) << " does not run " << s.type.name()
              << "; it runs " << runs << (pf.carrier_emulation ? ", and narrower types in the smallest of these of their kind (integer, floating point) that holds them" : "")
              << '\n';
  }
  const format f = parse_format(o.common.format);
  if (!o.per_layer) {
    if (f == format::json) std::cout << to_json(summary).front().dump(2) << '\n';
    else print(std::cout, summary, f);
    return;
  }
  table t;
  t.columns = {"layer", "kind", "ops", "traffic_bytes", "operational_intensity", "compute_time_s", "memory_time_s", "time_s", "bound"};
  for (const layer_prediction& l : layers.layers) t.rows.push_back(cells_of(l).row(t.columns));
  if (f == format::csv) {
    // A CSV is one table: the whole network is its last row, named by the topology, its
    // compute and memory times the layers' sums, its time the prediction's latency.
    double compute_s = 0, memory_s = 0;
    for (const layer_prediction& l : layers.layers) compute_s += l.compute_time.value(), memory_s += l.memory_time.value();
    named_cells total = cells_of(p);
    const double unknown = std::numeric_limits<double>::quiet_NaN();
    total.set("layer", o.topology).set("kind", std::string("network")).set("compute_time_s", real(p.ok() ? compute_s : unknown))
        .set("memory_time_s", real(p.ok() ? memory_s : unknown)).set("time_s", real(p.latency.value()));
    t.rows.push_back(total.row(t.columns));
  }
  if (f == format::json) {
    nlohmann::ordered_json out = to_json(summary).front();
    out["layers"] = to_json(t);
    std::cout << out.dump(2) << '\n';
    return;
  }
  print(std::cout, t, f);
  if (f == format::table) print(std::cout, summary, f);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Predict throughput (inputs/s), attainable ops/s, latency of a batch, "
                                            "operational intensity and bound of a topology on a platform mode "
                                            "(roofline, thesis eqs. 4.1 and 4.2); --per-layer sums each layer's own roofline time; "
                                            "--calibrate fits the realistic model to your measurements of the device");
  auto o = fresh_options<predict_options>(cmd);
  cmd->add_option("--topology", o->topology, "Zoo id (qutibench zoo lists them), a topology file (my_net.json) or an ONNX model (my_net.onnx)")->required();
  o->onnx.add_to(*cmd);
  cmd->add_option("--platform", o->platform, "Platform id, or a spec file, with an optional :MODE (default: the first, "
                                             "fastest mode), e.g. tx2:maxq or my_board.json")->required();
  cmd->add_option("--datatype", o->datatype, "Datatype of weights and activations, e.g. int4, int8, fp16")->required();
  cmd->add_flag("--per-layer", o->per_layer, "Layer by layer: each layer at its own operational intensity (with "
                                             "--model realistic: print the layers)");
  o->common.add_to(*cmd);
  auto* calibrate = cmd->add_option("--calibrate", o->calibrate,
                                    "A measurement CSV (QuTiBench schema or published table) with rows of this platform: "
                                    "fits its efficiency and, from two networks on, its time per layer dispatch on the "
                                    "realistic model over its settings (the best row per network, datatype, mode and batch; "
                                    "rows with no batch, a mode the spec lacks or a datatype the model cannot run are "
                                    "skipped and counted), and predicts with them (model calibrated; takes --model realistic "
                                    "where none is given; docs/validation.md)");
  // Checked by parse_validation_metric, as Python's metric is: one message.
  cmd->add_option("--metric", o->metric, "With --calibrate: fit the rows' compute or system throughput")
      ->needs(calibrate)
      ->capture_default_str();
  auto* model = cmd->get_option("--model");
  cmd->callback([o, model] {
    if (o->calibrate && model->count() == 0) o->common.model = "realistic";  // what the factors sit on, as Python's None
    run_predict(*o);
  });
}

}  // namespace qutibench::cli
