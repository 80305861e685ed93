// `qutibench show <topology>`: per-layer requirements for a datatype and batch.
#include <iostream>
#include <memory>
#include <string>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "../table.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench::cli {

namespace {

struct show_options {
  std::string topology;
  std::string datatype;  ///< empty: a quantized ONNX model's own datatypes, else fp32
  std::int64_t batch = 1;  ///< signed and unchecked here: checked_batch checks it, as Python's
  std::string format = "table";
  onnx_options onnx;
};

void run_show(const show_options& o) {
  const found_topology found = find_topology_with_precision(o.topology, o.onnx);
  const topology& net = found.net;
  // As Python's requirements(): a quantized model's own datatypes unless one is given.
  const bool per_node = o.datatype.empty() && found.quantized;
  const datatype dt = datatype::parse(o.datatype.empty() ? "fp32" : o.datatype);
  const network_requirements r = requirements(net, per_node ? *found.quantized : precision::uniform(dt), checked_batch(o.batch));
  const auto nodes = net.nodes();

  table t;
  t.columns = {"name", "kind", "inputs", "out_shape", "ops", "other_ops", "weights", "biases",
               "activations_in", "activations_out", "state", "weight_bytes", "activation_in_bytes"};
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::string inputs;
    for (std::size_t src : nodes[i].inputs) inputs += (inputs.empty() ? "" : " ") + nodes[src].name;
    t.rows.push_back(cells_of(r.layers[i]).set("inputs", inputs).row(t.columns));
  }
  const requirement_totals& tot = r.total;
  const format f = parse_format(o.format);
  if (f != format::json) {
    // The totals under the layers' columns: T_total under activations_in, weight and
    // bias bytes together under weight_bytes (the layers' weight_bytes hold both).
    t.footer.push_back({std::string("total"), std::string(net.layer_defined() ? "" : "summary-level"), std::string(),
                        std::string(), to_cell(tot.ops.value()), to_cell(tot.other_ops.value()), to_cell(tot.weights.value()),
                        to_cell(tot.biases.value()), to_cell(tot.activations.value()), std::string(),
                        to_cell(tot.state.value()), (tot.weight_bytes + tot.bias_bytes).value(),
                        tot.activation_bytes.value()});
    print(std::cout, t, f);
    // Intensity 0/0 prints "-"; ops without weight bytes "inf" (JSON, having no infinity, null).
    if (f == format::table)
      std::cout << "peak live activations: " << text_of(to_cell(tot.peak_live.value())) << " elements ("
                << readable_real(tot.peak_live_bytes.value()) << " bytes); operational intensity (weights off-chip): "
                << readable_real(r.operational_intensity().value()) << " ops/byte\n";
    return;
  }
  nlohmann::ordered_json layers = to_json(t);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto& inputs = layers[i]["inputs"] = nlohmann::ordered_json::array();
    for (std::size_t src : nodes[i].inputs) inputs.push_back(nodes[src].name);
    auto& shape = layers[i]["out_shape"] = nlohmann::ordered_json::array();
    for (int d = 0; d < r.layers[i].out.rank; ++d) shape.push_back(r.layers[i].out[d]);
  }
  nlohmann::ordered_json doc;
  doc["topology"] = net.name();  // a file's network is known by its name and belongs to no task
  doc["task"] = nullptr;
  for (const zoo::entry& e : zoo::catalogue)
    if (e.id == o.topology) {
      doc["topology"] = e.id;
      if (!e.task.empty()) doc["task"] = e.task;
    }
  doc["datatype"] = per_node ? "per-node" : dt.name();
  doc["batch"] = o.batch;
  doc["layer_defined"] = net.layer_defined();
  doc["layers"] = std::move(layers);
  // weight_bytes counts the weights only, as requirement_totals does; bias_bytes beside it
  // makes the layers' weight_bytes (both) add up to the two.
  doc["totals"] = cells_of(tot)
                      .set("operational_intensity", r.operational_intensity().value())
                      .object({"ops", "other_ops", "weights", "biases", "activations", "state", "peak_live", "weight_bytes",
                               "bias_bytes", "peak_live_bytes", "operational_intensity"});
  std::cout << doc.dump(2) << '\n';
}

}  // namespace

void add_show_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("show", "Per-layer requirements of one topology: ops (2 x MACs), other "
                                         "element-wise ops, weights, biases, activations, state and bytes");
  auto o = fresh_options<show_options>(cmd);
  cmd->add_option("topology", o->topology, "Zoo id (see `qutibench zoo`), a topology file (.json) or an ONNX model (.onnx)")->required();
  o->onnx.add_to(*cmd);
  cmd->add_option("--datatype", o->datatype,
                  "Datatype of weights and activations (int2, int4, int8, fp16, fp32, intN, ...); default: a quantized ONNX "
                  "model's own datatypes per node (QDQ, QLinear*), otherwise fp32");
  cmd->add_option("--batch", o->batch, "Batch size, 1 to 2^40")->capture_default_str();
  add_format_option(*cmd, o->format);
  cmd->callback([o] { run_show(*o); });
}

}  // namespace qutibench::cli
