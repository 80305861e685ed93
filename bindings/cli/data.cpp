#include "data.hpp"

#include <cmath>
#include <iostream>

#include "qutibench/io/catalogue.hpp"

namespace qutibench::cli {

std::filesystem::path data_dir() {
  // Installed, the command reads the data installed beside it even where the source tree it
  // was built from still exists; in a build tree there is none beside it.
  std::error_code no_proc, elsewhere;
  const std::filesystem::path here = std::filesystem::read_symlink("/proc/self/exe", no_proc).parent_path();
  const bool built_here = !no_proc && std::filesystem::equivalent(here, QUTIBENCH_BUILD_ARTIFACT_DIR, elsewhere);
  const std::filesystem::path beside = no_proc || built_here ? std::filesystem::path() : here / QUTIBENCH_DATA_FROM_ARTIFACT;
  return locate_data_dir({beside, QUTIBENCH_SOURCE_DATA_DIR, QUTIBENCH_INSTALLED_DATA_DIR});
}

found_topology find_topology_with_precision(const std::string& ref, const onnx_options& o) {
  found_topology found = qutibench::find_topology(
      ref, {.name = "", .sequence_length = o.sequence_length, .unknown_ops = onnx::parse_unknown_ops(o.unknown_ops)});
  for (const std::string& warning : found.warnings) std::cerr << "qutibench: warning: " << warning << '\n';
  return found;
}

topology find_topology(const std::string& ref, const onnx_options& o) { return find_topology_with_precision(ref, o).net; }

std::vector<platform> all_platforms() { return load_platforms(data_dir() / "platforms"); }

platform_ref find_platform(const std::string& ref) { return qutibench::find_platform(ref, data_dir()); }

void onnx_options::add_to(CLI::App& cmd) {
  cmd.add_option("--sequence-length", sequence_length,
                 "ONNX models: the size of every symbolic input dimension other than the batch (a transformer's tokens), 1..2^31");
  cmd.add_option("--unknown-ops", unknown_ops,
                 "ONNX models: error (list the operators qutibench cannot map) or elementwise (count each as one operation per "
                 "element of its largest input or output, with a warning)")
      ->capture_default_str();
}

void scenario_options::add_to(CLI::App& cmd) {
  // Checked by checked_batch, as Python's batch arguments are: one range, one message.
  cmd.add_option("--batch", batch, "Inputs per batch, 1 to 2^40 (weights are read once per batch)")->capture_default_str();
  add_memory_model_option(cmd, memory_model);
  cmd.add_option("--model", model, "plain: the thesis's roofline, a ceiling; realistic: the estimate from each spec's "
                                   "deployed design (engine mapping, memory levels, fixed costs; --memory-model does "
                                   "not apply), layer by layer (docs/prediction.md)")
      ->capture_default_str();  // checked by parse_prediction_model, as Python's model is: one message
  // Checked by checked_threads, as Python's threads arguments are.
  cmd.add_option("--threads", threads,
                                 "Realistic model: runtime threads, each driving one unit of an engine whose units take "
                                 "whole inputs (a DPU core) or one CPU core of a spec with a design (no effect otherwise); 1.." +
                                     std::to_string(max_prediction_threads) +
                                     " (default: the design's runtime threads where its spec states them, as gemmlowp's one on "
                                     "ultra96-a53; else every unit busy)");
  add_format_option(cmd, format);
}

void add_format_option(CLI::App& cmd, std::string& name) {
  cmd.add_option("--format", name, "Output format")->check(CLI::IsMember({"table", "csv", "json"}))->capture_default_str();
}

void add_memory_model_option(CLI::App& cmd, std::string& name) {
  cmd.add_option("--memory-model", name,
                 "Where data lives: thesis (weights off-chip once per batch, activations on chip), onchip-if-fits "
                 "(what fits on chip costs nothing), offchip (every layer reads inputs and weights, writes outputs)")
      ->capture_default_str();  // checked by memory_model::parse, as Python's memory_model is
}

scenario scenario_options::to_scenario(const datatype& type) const {
  return {type, checked_batch(batch), memory_model::parse(memory_model), {}, checked_threads(threads, parse_prediction_model(model))};
}

void task_options::add_to(CLI::App& cmd) {
  // Checked by heatmap(), as Python's task is.
  cmd.add_option("--task", task, "Task whose networks and accuracies to use: imagenet, cifar10 or mnist")->required();
  cmd.add_option("--platforms", platforms, "Comma-separated: thesis (Table 6.2's platforms), all, platform ids and spec files (FILE.json), an id or "
                 "file optionally with :MODE to keep only that mode")
      ->capture_default_str();
  common.add_to(cmd);
}

std::vector<heatmap_cell> task_options::cells() const {
  const std::vector<platform> selected = select_platforms(all_platforms(), platforms);
  return heatmap(task, selected, published_accuracy(data_dir()), common.to_scenario(datatypes::int8),
                 parse_prediction_model(common.model));
}

}  // namespace qutibench::cli
