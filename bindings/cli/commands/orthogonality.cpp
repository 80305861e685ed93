// `qutibench orthogonality`: are pruning and quantization complementary, and how far from
// perfectly orthogonal (thesis Section 8.3.2)? Predicted, and measured where data is given.
#include <cmath>
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/validation/dataset.hpp"
#include "qutibench/validation/measured.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench::cli {

namespace {

struct orthogonality_options {
  std::string topology, pruned, platform, original, quantized, measurements;
  scenario_options common;
};

void run_orthogonality(const orthogonality_options& o) {
  const auto [pf, mode_name] = find_platform(o.platform);
  const operating_mode& mode = pf.mode(mode_name);
  struct variant {
    const char* name;
    std::string topology;
    datatype type;
    double predicted = std::nan(""), measured = std::nan("");
  };
  variant v[] = {{"A original", o.topology, datatype::parse(o.original)},
                 {"B quantized", o.topology, datatype::parse(o.quantized)},
                 {"C pruned", o.pruned, datatype::parse(o.original)},
                 {"D both", o.pruned, datatype::parse(o.quantized)}};
  std::vector<recorded_measurement> rows;
  if (!o.measurements.empty()) rows = load_measurements(o.measurements, data_dir());
  for (variant& x : v) {
    const topology net = zoo::get(x.topology);
    const prediction p = predict_with(parse_prediction_model(o.common.model), profile(net), pf, mode, o.common.to_scenario(x.type));
    if (p.ok()) x.predicted = p.throughput.value();
    for (const recorded_measurement& r : rows)  // best measured throughput over the recorded settings
      if (r.record.platform == pf.id && (mode_name.empty() || r.record.mode == mode_name) &&
          r.record.what.topology == x.topology && r.record.what.type == x.type && !std::isnan(r.compute_inputs_per_s()))
        x.measured = std::isnan(x.measured) ? r.compute_inputs_per_s() : std::max(x.measured, r.compute_inputs_per_s());
  }
  table t;
  t.columns = {"variant", "topology", "datatype", "predicted_inputs_per_s", "measured_inputs_per_s"};
  for (const variant& x : v) t.rows.push_back({std::string(x.name), x.topology, x.type.name(), real(x.predicted), real(x.measured)});
  table g;
  g.columns = {"source", "p1", "q1", "p2", "q2", "complementary", "interaction", "distance_log10"};
  for (const char* source : {"predicted", "measured"}) {
    const bool measured = std::string(source) == "measured";
    auto at = [&](int i) { return measured ? v[i].measured : v[i].predicted; };
    if (std::isnan(at(0) + at(1) + at(2) + at(3))) continue;
    g.rows.push_back(cells_of(orthogonality_of(at(0), at(1), at(2), at(3))).set("source", std::string(source)).row(g.columns));
  }
  const format f = parse_format(o.common.format);
  if (f == format::json) {
    nlohmann::ordered_json out = {{"platform", pf.id}, {"mode", mode.name}};
    out["variants"] = to_json(t);
    out["gains"] = to_json(g);
    std::cout << out.dump(2) << '\n';
    return;
  }
  print(std::cout, t, f);
  if (f == format::table) std::cout << '\n';
  print(std::cout, g, f);
}

}  // namespace

void add_orthogonality_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("orthogonality", "Pruning and quantization on one platform (thesis Section 8.3.2): "
                                                  "throughput of A (original), B (quantized), C (pruned), D (both); "
                                                  "gains p1 = B/A, q1 = C/A, p2 = D/C, q2 = D/B; complementary if D beats "
                                                  "B and C; interaction p2/p1 = q2/q1 (1 = perfectly orthogonal)");
  auto o = fresh_options<orthogonality_options>(cmd);
  cmd->add_option("--topology", o->topology, "The original network (zoo id), e.g. cnv")->required();
  cmd->add_option("--pruned", o->pruned, "Its pruned variant (zoo id), e.g. cnv-p50")->required();
  cmd->add_option("--platform", o->platform, "Platform id or spec file, with :MODE")->required();
  cmd->add_option("--original", o->original, "Datatype of A and C, e.g. int4 or fp32")->required();
  cmd->add_option("--quantized", o->quantized, "Datatype of B and D, e.g. int2")->required();
  cmd->add_option("--measurements", o->measurements, "A QuTiBench measurement CSV: adds measured gains (best over settings)");
  o->common.add_to(*cmd);
  cmd->callback([o] { run_orthogonality(*o); });
}

}  // namespace qutibench::cli
