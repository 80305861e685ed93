// Where the command line finds its data (platform specs, accuracy tables) and the
// options that every prediction command shares.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "qutibench/io/accuracy.hpp"
#include "qutibench/io/catalogue.hpp"
#include "qutibench/io/topology_ref.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/predict/heatmap.hpp"
#include "qutibench/predict/roofline.hpp"
#include "table.hpp"

namespace qutibench::cli {

/// The data directory: $QUTIBENCH_DATA_DIR, else the copy installed beside this binary
/// (BINDIR/../share/qutibench), else the source tree's data/ (a build-tree binary), else
/// the install prefix's share/qutibench.
std::filesystem::path data_dir();

/// How a command imports an ONNX model: --sequence-length and --unknown-ops, both checked
/// by the importer (as Python's sequence_length and unknown_ops are).
class onnx_options {
 public:
  // A constructor of its own: value-initializing the aggregate inside each command's
  // options made GCC 12 warn (-Wmaybe-uninitialized, falsely) about the string.
  onnx_options() : unknown_ops("error") {}
  void add_to(CLI::App& cmd);

  std::optional<std::int64_t> sequence_length;
  std::string unknown_ops;
};

/// The network `ref` names (qutibench::find_topology: a zoo id, FILE.json or FILE.onnx,
/// imported with `onnx`), its importer warnings printed to standard error.
found_topology find_topology_with_precision(const std::string& ref, const onnx_options& onnx = {});

/// find_topology_with_precision's network.
topology find_topology(const std::string& ref, const onnx_options& onnx = {});

/// Every platform spec under data_dir()/platforms.
std::vector<platform> all_platforms();

/// A platform by id, or from a spec file when `ref` names a .json file; either may carry
/// ":MODE" (qutibench::find_platform over data_dir()).
platform_ref find_platform(const std::string& ref);

/// --format table|csv|json, as every command that prints a table takes it.
void add_format_option(CLI::App& cmd, std::string& name);

/// --memory-model thesis|onchip-if-fits|offchip, as every predicting command takes it.
void add_memory_model_option(CLI::App& cmd, std::string& name);

/// Options shared by predict, heatmap and pareto.
struct scenario_options {
  std::int64_t batch = 1;  ///< signed: checked_batch shows a negative batch as given
  std::string memory_model = "thesis";
  std::string model = "plain";  ///< prediction_model: plain or realistic
  std::optional<std::int64_t> threads;  ///< --threads; none: every unit busy
  std::string format = "table";
  void add_to(CLI::App& cmd);
  scenario to_scenario(const datatype& type) const;
};

/// Options of the task views (heatmap, pareto).
struct task_options {
  std::string task;
  std::string platforms = "thesis";
  scenario_options common;
  void add_to(CLI::App& cmd);
  /// The heatmap cells of the task for the selected platforms.
  std::vector<heatmap_cell> cells() const;
};


}  // namespace qutibench::cli
