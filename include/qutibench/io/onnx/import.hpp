// ONNX import: a qutibench topology from an ONNX file or its bytes, for C++, the CLI and
// Python alike (docs/onnx.md). The file is mapped, never read whole: payloads are skipped,
// and external data (side files) is never opened, since a network's costs need only
// tensor shapes.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "qutibench/io/onnx/walk.hpp"

namespace qutibench::onnx {

/// A file mapped read-only: the pages of payloads the reader skips are never loaded.
class mapped_file {
 public:
  explicit mapped_file(const std::filesystem::path& file) {
    const std::string where = file.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec) || (fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC)) < 0)
      throw spec_error(error_id::malformed_json, where, "cannot open (not a readable file)");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      ::close(fd_);
      throw spec_error(error_id::malformed_json, where, "cannot open (not a readable file)");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) {
      ::close(fd_);
      throw spec_error(error_id::malformed_json, where, "empty file, not an ONNX model");
    }
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (p == MAP_FAILED) {
      ::close(fd_);
      throw spec_error(error_id::malformed_json, where, "cannot map the file into memory");
    }
    // Random access: no read-ahead around the field headers the reader touches, so the
    // payloads between them stay unread (and out of the resident set).
    ::madvise(p, size_, MADV_RANDOM);
    data_ = static_cast<const std::uint8_t*>(p);
  }
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;
  ~mapped_file() {
    ::munmap(const_cast<std::uint8_t*>(data_), size_);
    ::close(fd_);
  }
  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }

 private:
  int fd_ = -1;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

/// The network in a serialized ONNX model. `source` names it in errors (the file, or
/// "ONNX model 'NAME'"); the topology is named `options.name`, else after the graph.
/// Throws spec_error: 501 for bytes that are not an ONNX model, 210 for operators or
/// forms qutibench cannot represent (every unsupported operator listed with its count),
/// and the topology builder's IDs for a network that is inconsistent.
inline imported_model import_model(std::span<const std::uint8_t> bytes, const std::string& source, const import_options& options = {}) {
  if (options.sequence_length && (*options.sequence_length < 1 || *options.sequence_length > max_dimension))
    throw spec_error(error_id::invalid_value, "sequence_length", "must be 1..2^31, got " + std::to_string(*options.sequence_length));
  model m;
  try {
    m = read_model(bytes);
  } catch (const wire_error& e) {
    throw spec_error(error_id::malformed_json, source, "not an ONNX model (truncated or not protobuf: " + e.what + ")");
  }
  if (!m.has_graph) throw spec_error(error_id::malformed_json, source, "not an ONNX model (no graph)");
  const std::string name = !options.name.empty() ? options.name : m.graph.name.empty() ? "onnx" : m.graph.name;
  try {
    return walk(m, source, name, options);
  } catch (const wire_error& e) {
    throw spec_error(error_id::malformed_json, source, "not an ONNX model (" + e.what + ")");
  }
}

/// The network in the ONNX file `file`, named after the file's stem unless options name it.
inline imported_model import_file(const std::filesystem::path& file, import_options options = {}) {
  if (options.name.empty()) options.name = file.stem().string();
  const mapped_file mapped(file);
  return import_model(mapped.bytes(), file.string(), options);
}

}  // namespace qutibench::onnx
