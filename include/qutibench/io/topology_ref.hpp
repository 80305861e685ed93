// A topology reference read one way for the CLI and Python: a zoo id, a topology file
// (".json", data/schema/topology.schema.json) or an ONNX model (".onnx", docs/onnx.md).
// Opt-in like every reader of files: link qutibench::json and qutibench::onnx.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/io/onnx/import.hpp"
#include "qutibench/io/topology_json.hpp"
#include "qutibench/precision.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

/// The network a reference names; for a quantized ONNX model (QDQ, QLinear*) also the
/// datatypes it was quantized to per node, and the importer's warnings (operators counted
/// as element-wise) for the caller to show.
struct found_topology {
  topology net;
  std::optional<precision> quantized;
  std::vector<std::string> warnings;
};

/// `ref` read by its ending: ".onnx" imported with `onnx`, ".json" loaded, anything else a
/// zoo id. Throws the loader's spec_error (a zoo id unknown: 301 listing the ids).
inline found_topology find_topology(std::string_view ref, const onnx::import_options& onnx = {}) {
  if (ref.ends_with(".onnx")) {
    onnx::imported_model m = onnx::import_file(std::string(ref), onnx);
    return {std::move(m.topology), std::move(m.precision), std::move(m.warnings)};
  }
  return {ref.ends_with(".json") ? load_topology(std::string(ref)) : zoo::get(std::string(ref)), std::nullopt, {}};
}

}  // namespace qutibench
