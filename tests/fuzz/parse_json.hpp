// Shared by the JSON fuzz targets: the input as JSON, or none (not JSON is the loaders'
// error 501, tested elsewhere; the targets fuzz what comes after parsing).
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

inline std::optional<nlohmann::ordered_json> parse_json(const std::uint8_t* data, std::size_t size) {
  try {
    return nlohmann::ordered_json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}
