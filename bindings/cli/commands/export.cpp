// `qutibench export <topology>`: a topology as a file that every --topology option reads
// back, so that a zoo network or an import can be edited and fed to the other commands.
#include <iostream>
#include <memory>
#include <string>

#include "../commands.hpp"
#include "../data.hpp"
#include "qutibench/io/topology_json.hpp"

namespace qutibench::cli {

void add_export_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Print a topology as a JSON file (data/schema/topology.schema.json) that every "
                                           "--topology option reads back: a start for describing your own network");
  struct options {
    std::string topology;
    onnx_options onnx;
  };
  auto o = fresh_options<options>(cmd);
  cmd->add_option("topology", o->topology, "Zoo id, a topology file (.json) or an ONNX model (.onnx)")->required();
  o->onnx.add_to(*cmd);
  cmd->callback([o] { std::cout << to_json(find_topology(o->topology, o->onnx)).dump(2) << '\n'; });
}

}  // namespace qutibench::cli
