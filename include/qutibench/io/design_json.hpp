// The `design` object of a platform spec (design.hpp, docs/platforms.md): read into a
// deployed_design with every problem named by its JSON pointer, and written back. The
// platform reader (platform_json.hpp) derives from the reader here, which also holds the
// checks both share: positive rates above a floor, whole counts, objects.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "qutibench/datatype.hpp"
#include "qutibench/design.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/json_reader.hpp"

namespace qutibench {

namespace detail {

/// Reads a spec's deployed design, collecting every problem instead of stopping at the first.
class design_reader : public json_reader {
 public:
  using json_reader::json_reader;

 protected:
  /// A peak or bandwidth of at least `floor` in its key's unit: one op or byte per second,
  /// far below any computer (the slowest shipped peak is 7.7e10 ops/s). Smaller values are
  /// unit slips or denormals (5e-324), and as op and byte counts fit in 64 bits (206) the
  /// floor keeps every latency finite (2^64 ops at 1 op/s: 1.8e19 s) where they would overflow.
  std::optional<double> rate(std::optional<double> v, const std::string& at, double floor) {
    if (!v || *v >= floor) return v;
    fail(error_id::invalid_value, at, "must be at least " + shown(json(floor)) + " (one per second), got " + shown(json(*v)));
    return std::nullopt;
  }

  /// True if `j` is an object; a 503 naming `at` otherwise.
  bool object(const json& j, const std::string& at) {
    if (j.is_object()) return true;
    fail(error_id::invalid_value, at, "must be an object");
    return false;
  }

  /// A required count of resources: a positive whole number (1728, or 1728.0 as JSON
  /// Schema's integer allows; a device has no half DSP slice).
  std::optional<double> count(const json& j, const std::string& at, const char* key) {
    const std::optional<double> v = number(j, at, key, true, true);
    if (!v || std::floor(*v) == *v) return v;
    fail(error_id::invalid_value, at + "/" + key, "must be a whole number, got " + shown(j[key]));
    return std::nullopt;
  }

  /// A mode's deployed design (design.hpp): every number positive, fractions at most 1,
  /// only the last memory level without a capacity.
  std::optional<deployed_design> read_design(const json& j, const std::string& at) {
    if (!object(j, at)) return std::nullopt;
    known(j, at, {"source", "units", "units_take", "clock_mhz", "array", "depthwise_share", "layer_runs", "threads", "levels",
                  "host_link_gb_per_s", "per_layer_us", "per_inference_us"});
    deployed_design d;
    d.source = text(j, at, "source", true);
    if (auto v = count(j, at, "units")) d.units = *v;
    if (const std::string take = text(j, at, "units_take", true); take == "inputs") d.sharing = unit_sharing::inputs;
    else if (take == "tiles") d.sharing = unit_sharing::tiles;
    else if (j.contains("units_take")) fail(error_id::invalid_value, at + "/units_take", "'" + take + "' is not one of inputs, tiles");
    if (auto v = number(j, at, "clock_mhz", false, true)) {
      if (d.sharing == unit_sharing::tiles)
        fail(error_id::invalid_value, at + "/clock_mhz",
             "only an inputs engine's array is MACs per cycle; a tiles engine takes its peak from the mode");
      else d.clock_hz = *v * 1e6;
    }
    if (j.contains("array")) d.array = read_array(j["array"], at + "/array");
    if (auto v = number(j, at, "depthwise_share", false, true)) {
      if (*v > 1) fail(error_id::invalid_value, at + "/depthwise_share", "must be a fraction in (0, 1]");
      else d.depthwise_share = *v;
    }
    if (const std::string runs = text(j, at, "layer_runs", false); runs == "per-input") d.runs = layer_runs::per_input;
    else if (j.contains("layer_runs") && runs != "per-batch")
      fail(error_id::invalid_value, at + "/layer_runs", "'" + runs + "' is not one of per-batch, per-input");
    if (j.contains("threads")) {
      // Each thread drives one unit; and no prediction takes more than max_prediction_threads.
      const auto most = static_cast<std::uint64_t>(std::min(d.units, static_cast<double>(max_prediction_threads)));
      if (const std::optional<double> v = count(j, at, "threads"); v && *v > static_cast<double>(most))
        fail(error_id::invalid_value, at + "/threads",
             "each thread drives one unit: at most " + std::to_string(most) + " for this design, got " + shown(j["threads"]));
      else if (v) d.threads = static_cast<std::uint64_t>(*v);
    }
    if (!j.contains("levels") || !j["levels"].is_array() || j["levels"].empty()) {
      fail(error_id::missing_field, at + "/levels", "required: the memory levels, fastest first, the last without capacity_mb");
    } else {
      for (std::size_t i = 0; i < j["levels"].size(); ++i) {
        const std::string here = at + "/levels/" + std::to_string(i);
        if (auto l = read_level(j["levels"][i], here)) {
          if (!l->capacity && i + 1 < j["levels"].size())
            fail(error_id::invalid_value, here + "/capacity_mb", "only the last level may be unbounded");
          if (l->capacity && i + 1 == j["levels"].size())
            fail(error_id::invalid_value, here + "/capacity_mb", "the last level holds what the others cannot: omit its capacity");
          d.levels.push_back(std::move(*l));
        }
      }
    }
    if (auto v = rate(number(j, at, "host_link_gb_per_s", false, true), at + "/host_link_gb_per_s", 1e-9))
      d.host_link = bytes_per_s::from_value(*v * 1e9);
    if (auto v = number(j, at, "per_layer_us", false, false)) d.per_layer = seconds::from_value(*v * 1e-6);
    if (auto v = number(j, at, "per_inference_us", false, false)) d.per_inference = seconds::from_value(*v * 1e-6);
    return d;
  }

  std::optional<mac_array> read_array(const json& j, const std::string& at) {
    if (!object(j, at)) return std::nullopt;
    known(j, at, {"pixels", "in_channels", "out_channels", "datatype"});
    mac_array a;
    if (auto v = count(j, at, "pixels")) a.pixels = *v;
    if (auto v = count(j, at, "in_channels")) a.in_channels = *v;
    if (auto v = count(j, at, "out_channels")) a.out_channels = *v;
    if (j.contains("datatype")) {
      try {
        a.type = datatype::parse(text(j, at, "datatype", true));
      } catch (const spec_error&) {
        fail(error_id::unknown_datatype, at + "/datatype", "not a datatype; valid: " + std::string(datatype::valid_names));
      }
    }
    return a;
  }

  std::optional<memory_level> read_level(const json& j, const std::string& at) {
    if (!object(j, at)) return std::nullopt;
    known(j, at, {"name", "capacity_mb", "bandwidth_gb_per_s", "holds"});
    memory_level l;
    l.name = text(j, at, "name", true);
    if (auto v = number(j, at, "capacity_mb", false, true)) l.capacity = bytes::from_value(*v * 1e6);
    if (auto v = rate(number(j, at, "bandwidth_gb_per_s", false, true), at + "/bandwidth_gb_per_s", 1e-9))
      l.bandwidth = bytes_per_s::from_value(*v * 1e9);
    if (j.contains("holds")) {
      const std::string h = text(j, at, "holds", true);
      if (h == "both") l.holds = level_holds::both;
      else if (h == "weights") l.holds = level_holds::weights;
      else if (h == "activations") l.holds = level_holds::activations;
      else fail(error_id::invalid_value, at + "/holds", "'" + h + "' is not one of both, weights, activations");
    }
    return l;
  }
};

}  // namespace detail

/// A deployed design as the `design` object `read_design` reads back.
inline nlohmann::ordered_json to_json(const deployed_design& d) {
  using json = nlohmann::ordered_json;
  json j = {{"source", d.source}, {"units", d.units}, {"units_take", d.sharing == unit_sharing::inputs ? "inputs" : "tiles"}};
  if (d.clock_hz) j["clock_mhz"] = *d.clock_hz / 1e6;
  if (d.array)
    j["array"] = {{"pixels", d.array->pixels}, {"in_channels", d.array->in_channels},
                  {"out_channels", d.array->out_channels}, {"datatype", d.array->type.name()}};
  if (d.depthwise_share) j["depthwise_share"] = *d.depthwise_share;
  j["layer_runs"] = d.runs == layer_runs::per_input ? "per-input" : "per-batch";
  if (d.threads) j["threads"] = *d.threads;
  json levels = json::array();
  for (const memory_level& l : d.levels) {
    json level = {{"name", l.name}};
    if (l.capacity) level["capacity_mb"] = l.capacity->value() / 1e6;
    if (l.bandwidth) level["bandwidth_gb_per_s"] = l.bandwidth->value() / 1e9;
    level["holds"] = l.holds == level_holds::both ? "both" : l.holds == level_holds::weights ? "weights" : "activations";
    levels.push_back(level);
  }
  j["levels"] = levels;
  if (d.host_link) j["host_link_gb_per_s"] = d.host_link->value() / 1e9;
  j["per_layer_us"] = d.per_layer.value() * 1e6;
  j["per_inference_us"] = d.per_inference.value() * 1e6;
  return j;
}

}  // namespace qutibench
