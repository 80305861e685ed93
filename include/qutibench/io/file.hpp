// Reading a data file whole, for the loaders: a path that is not a readable regular file
// (a directory, a missing file) is "no text", never an exception from inside the stream.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

namespace qutibench {

/// The bytes of `file`, or none if it is not a readable regular file (libstdc++ throws
/// from inside a stream that reads a directory).
inline std::optional<std::string> read_text(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace qutibench
