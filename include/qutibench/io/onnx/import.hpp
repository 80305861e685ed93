// ONNX import: a qutibench topology from an ONNX file or its bytes, for C++, the CLI and
// Python alike (docs/onnx.md). The file is read in chunks, never whole: payloads are
// skipped, and external data (side files) is never opened, since a network's costs need
// only tensor shapes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "qutibench/io/onnx/walk.hpp"

namespace qutibench::onnx {

/// The network in an ONNX model read from `source`. `where` names it in errors (the
/// file, or "ONNX model 'NAME'"); the topology is named `options.name`, else after the
/// graph. Throws spec_error: 501 for bytes that are not an ONNX model, 210 for operators
/// or forms qutibench cannot represent (every unsupported operator listed with its
/// count), 503 for a sequence length outside 1..2^31, and the topology builder's IDs for
/// a network that is inconsistent.
inline imported_model import_source(const byte_source& source, const std::string& where, const import_options& options = {}) {
  if (options.sequence_length && (*options.sequence_length < 1 || *options.sequence_length > max_dimension))
    throw spec_error(error_id::invalid_value, "sequence_length", "must be 1..2^31, got " + std::to_string(*options.sequence_length));
  if (source.size() == 0) throw spec_error(error_id::malformed_json, where, "empty file, not an ONNX model");
  model m;
  try {
    m = read_model(source);
  } catch (const wire_error& e) {
    throw spec_error(error_id::malformed_json, where, "not an ONNX model (truncated or not protobuf: " + e.what + ")");
  }
  if (!m.has_graph) throw spec_error(error_id::malformed_json, where, "not an ONNX model (no graph)");
  const std::string name = !options.name.empty() ? options.name : m.graph.name.empty() ? "onnx" : m.graph.name;
  try {
    return walk(m, where, name, options);
  } catch (const wire_error& e) {  // a tensor whose payload or dims contradict its shape
    throw spec_error(error_id::malformed_json, where, "not an ONNX model (" + e.what + ")");
  }
}

/// The network in the serialized ONNX model `bytes` (see import_source).
inline imported_model import_model(std::span<const std::uint8_t> bytes, const std::string& where, const import_options& options = {}) {
  return import_source(memory_source(bytes), where, options);
}

/// The network in the ONNX file `file`, named after the file's stem unless options name it.
inline imported_model import_file(const std::filesystem::path& file, import_options options = {}) {
  if (options.name.empty()) options.name = file.stem().string();
  return import_source(file_source(file), file.string(), options);
}

}  // namespace qutibench::onnx
