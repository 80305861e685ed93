// Shared by the JSON fuzz targets: the input as JSON or as a spec, or none. Not JSON is the loaders'
// error 501, tested elsewhere; the targets fuzz what comes after parsing.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>

#include <nlohmann/json.hpp>

#include "qutibench/io/json_reader.hpp"

inline std::optional<nlohmann::ordered_json> parse_json(const std::uint8_t* data, std::size_t size) {
  try {
    return nlohmann::ordered_json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

/// The spec `read` accepts from the input, or none; whatever it accepts must be written
/// back by to_json and read again into the same JSON (else abort: a fuzzer finding).
template <class T>
std::optional<T> accepted_spec(const std::uint8_t* data, std::size_t size, qutibench::spec_reader<T> read) {
  const std::optional<nlohmann::ordered_json> j = parse_json(data, size);
  T spec, back;
  if (!j || !read(*j, "fuzz", spec).empty()) return std::nullopt;
  if (!read(to_json(spec), "round trip", back).empty() || to_json(back) != to_json(spec)) std::abort();
  return spec;
}
