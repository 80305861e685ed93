// Platform specs as JSON files (data/platforms/*.json, schema data/schema/platform.schema.json),
// read with nlohmann_json. Opt-in: link qutibench::json. Every problem names the file and
// the JSON pointer of the offending value.
#pragma once

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/design_json.hpp"
#include "qutibench/io/json_reader.hpp"
#include "qutibench/platform.hpp"

namespace qutibench {

namespace detail {

/// Reads one spec, collecting every problem instead of stopping at the first.
class platform_reader : public design_reader {
 public:
  using design_reader::design_reader;

  platform read(const json& j) {
    platform p;
    if (!j.is_object()) {
      fail(error_id::malformed_json, "", "a platform spec must be a JSON object");
      return p;
    }
    known(j, "", {"$schema", "id", "aliases", "name", "kind", "source", "notes", "carrier_emulation", "peaks_rise_with_width",
                  "memory", "power", "peak_tera_ops_per_s", "modes", "fpga", "design", "interconnect"});
    p.id = text(j, "", "id", true);
    check_id(p.id, "/id");
    if (j.contains("aliases") && !j["aliases"].is_array()) fail(error_id::invalid_value, "/aliases", "must be an array of ids");
    for (std::size_t i = 0; j.contains("aliases") && j["aliases"].is_array() && i < j["aliases"].size(); ++i) {
      const std::string at = "/aliases/" + std::to_string(i), alias = text_value(j["aliases"][i], at, true);
      check_id(alias, at);
      if (alias == p.id || std::count(p.aliases.begin(), p.aliases.end(), alias))
        fail(error_id::inconsistent_spec, at, "'" + alias + "' is already the id or an alias");
      p.aliases.push_back(alias);
    }
    p.name = text(j, "", "name", true);
    p.source = text(j, "", "source", true);
    const std::string kind = text(j, "", "kind", true);
    if (auto k = parse_platform_kind(kind)) p.kind = *k;
    else if (j.contains("kind"))
      fail(error_id::invalid_value, "/kind", "'" + kind + "' is not one of cpu, gpu, tpu, vliw, fpga-overlay, fpga-dataflow, npu");
    p.carrier_emulation = flag(j, "", "carrier_emulation");
    p.peaks_rise_with_width = flag(j, "", "peaks_rise_with_width");

    std::optional<bytes_per_s> bandwidth;
    std::optional<bytes> on_chip;
    if (!j.contains("memory")) {
      fail(error_id::missing_field, "/memory", "required (bandwidth_gb_per_s at least)");
    } else if (const json& mem = j["memory"]; !mem.is_object()) {
      fail(error_id::invalid_value, "/memory", "must be an object");
    } else {
      known(mem, "/memory", {"bandwidth_gb_per_s", "capacity_gb", "on_chip_mb"});
      if (auto bw = rate(number(mem, "/memory", "bandwidth_gb_per_s", true, true), "/memory/bandwidth_gb_per_s", 1e-9))
        bandwidth = *bw * 1e9 * bytes_per_s_unit;
      if (auto cap = number(mem, "/memory", "capacity_gb", false, true)) p.memory_capacity = bytes::from_value(*cap * 1e9);
      if (auto oc = number(mem, "/memory", "on_chip_mb", false, false)) on_chip = bytes::from_value(*oc * 1e6);
    }
    const power_figures power = j.contains("power") ? read_power(j["power"], "/power") : power_figures{};

    if (j.contains("fpga")) p.fpga = read_fpga(j["fpga"], "/fpga");
    if (j.contains("interconnect")) p.link = read_interconnect(j["interconnect"], "/interconnect");
    const std::optional<deployed_design> design =
        j.contains("design") ? read_design(j["design"], "/design") : std::optional<deployed_design>{};
    check_design(p, design, "/design");
    p.on_chip = on_chip ? *on_chip : p.fpga ? p.fpga->bram + p.fpga->uram : bytes::from_value(0);

    const bool has_peaks = j.contains("peak_tera_ops_per_s"), has_modes = j.contains("modes");
    if (has_peaks == has_modes) {
      fail(has_peaks ? error_id::invalid_value : error_id::missing_field, "/peak_tera_ops_per_s",
           has_peaks ? "give peaks either at the top level or per mode in /modes, not both"
                     : "required: peak performance per datatype (or operating modes under /modes, each with its peaks)");
    } else if (has_peaks) {
      p.modes.push_back({"", read_peaks(j["peak_tera_ops_per_s"], "/peak_tera_ops_per_s"),
                         bandwidth.value_or(bytes_per_s::from_value(0)), power, design});
    } else if (const json& modes = j["modes"]; !modes.is_object() || modes.empty()) {
      fail(error_id::invalid_value, "/modes", "must be an object with at least one operating mode");
    } else {
      for (const auto& [name, m] : modes.items()) {
        const std::string at = "/modes/" + json_pointer_token(name);
        if (name.empty()) fail(error_id::invalid_value, at, "a mode needs a name");
        if (!m.is_object()) {
          fail(error_id::invalid_value, at, "must be an object");
          continue;
        }
        known(m, at, {"peak_tera_ops_per_s", "bandwidth_gb_per_s", "power", "design"});
        operating_mode mode{name, {}, bandwidth.value_or(bytes_per_s::from_value(0)), power, design};
        if (!m.contains("peak_tera_ops_per_s")) fail(error_id::missing_field, at + "/peak_tera_ops_per_s", "a mode needs its peaks");
        else mode.peaks = read_peaks(m["peak_tera_ops_per_s"], at + "/peak_tera_ops_per_s");
        if (auto bw = rate(number(m, at, "bandwidth_gb_per_s", false, true), at + "/bandwidth_gb_per_s", 1e-9))
          mode.bandwidth = *bw * 1e9 * bytes_per_s_unit;
        if (m.contains("power")) mode.power = read_power(m["power"], at + "/power");
        if (m.contains("design")) {
          mode.design = read_design(m["design"], at + "/design");
          check_design(p, mode.design, at + "/design");
        }
        p.modes.push_back(std::move(mode));
      }
    }
    return p;
  }

 private:
  static constexpr auto bytes_per_s_unit = units::byte / units::second;

  /// What a design states only where the platform gives it a meaning: a clock without an
  /// array rescales an FPGA's LUT peaks, and runtime threads drive the units of an
  /// `inputs` engine or a CPU's cores (predict/realistic.hpp); elsewhere they would be
  /// silently ignored, so they are refused.
  void check_design(const platform& p, const std::optional<deployed_design>& d, const std::string& at) {
    if (!d) return;
    if (d->clock_hz && !d->array && !p.fpga)
      fail(error_id::invalid_value, at + "/clock_mhz",
           "a clock needs the array it drives (MACs per cycle), or an fpga block whose LUT peaks it rescales");
    if (d->threads && d->sharing != unit_sharing::inputs && p.kind != platform_kind::cpu)
      fail(error_id::invalid_value, at + "/threads",
           "runtime threads drive an inputs engine's units or a CPU's cores; this design's units split each layer");
  }

  std::vector<peak_performance> read_peaks(const json& peaks, const std::string& at) {
    std::vector<peak_performance> out;
    if (!peaks.is_object() || peaks.empty()) {
      fail(peaks.is_object() ? error_id::missing_field : error_id::invalid_value, at,
           "must map at least one datatype to its peak in 10^12 ops/s, e.g. {\"int8\": 4.6}");
      return out;
    }
    std::vector<datatype> seen;
    for (const auto& [key, v] : peaks.items()) {
      const std::string here = at + "/" + json_pointer_token(key);
      std::optional<datatype> t;
      try {
        t = datatype::parse(key);
      } catch (const spec_error&) {
        fail(error_id::unknown_datatype, here, "'" + key + "' is not a datatype; valid: " + std::string(datatype::valid_names));
      }
      // Datatype names read case-insensitively, so "int8" and "INT8" are one key given twice.
      if (t && std::ranges::find(seen, *t) != seen.end()) {
        fail(error_id::duplicate_key, here, "the datatype " + t->name() + " given twice (names are case-insensitive)");
        continue;
      }
      if (t) seen.push_back(*t);
      const std::optional<double> tops = rate(value(v, here, true), here, 1e-12);
      if (t && tops) out.push_back({*t, ops_per_s::from_value(*tops * 1e12)});
    }
    return out;
  }

  std::optional<interconnect> read_interconnect(const json& j, const std::string& at) {
    if (!j.is_object()) {
      fail(error_id::invalid_value, at, "must be an object");
      return std::nullopt;
    }
    known(j, at, {"name", "bandwidth_gb_per_s", "latency_us"});
    interconnect link{.name = text(j, at, "name", true), .bandwidth = bytes_per_s::from_value(0)};
    const auto bandwidth = rate(number(j, at, "bandwidth_gb_per_s", true, true), at + "/bandwidth_gb_per_s", 1e-9);
    const auto latency = number(j, at, "latency_us", false, false);
    if (!bandwidth) return std::nullopt;
    link.bandwidth = bytes_per_s::from_value(*bandwidth * 1e9);
    if (latency) link.latency = seconds::from_value(*latency * 1e-6);
    return link;
  }

  power_figures read_power(const json& j, const std::string& at) {
    power_figures p;
    if (!j.is_object() || j.empty()) {
      fail(error_id::invalid_value, at, "must be an object with at least one of tdp_w, base_w, idle_w, full_w");
      return p;
    }
    known(j, at, {"tdp_w", "base_w", "idle_w", "full_w"});
    auto w = [&](const char* key) -> std::optional<watts> {
      if (auto v = number(j, at, key, false, true)) return *v * boost::units::si::watt;
      return std::nullopt;
    };
    p.tdp = w("tdp_w");
    p.base = w("base_w");
    p.idle = w("idle_w");
    p.full = w("full_w");
    if (p.idle && p.full && *p.full < *p.idle)
      fail(error_id::inconsistent_spec, at + "/full_w", "full power " + shown(j["full_w"]) + " W is below idle power " +
                                                         shown(j["idle_w"]) + " W; full is measured under load, idle without");
    return p;
  }

  /// An id or alias: what the command line takes before ":MODE".
  void check_id(const std::string& id, const std::string& at) {
    if (!id.empty() && !std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'; }))
      fail(error_id::invalid_value, at, "'" + id + "' must use only a-z, 0-9, '-' and '.'");
  }

  std::optional<fpga_resources> read_fpga(const json& j, const std::string& at) {
    if (!object(j, at)) return std::nullopt;
    known(j, at, {"luts", "dsps", "bram_mb", "uram_mb", "lut_clock_mhz", "dsp_clock_mhz", "int8_macs_per_dsp", "utilization"});
    fpga_resources r;
    if (auto v = count(j, at, "luts")) r.luts = *v;
    if (auto v = count(j, at, "dsps")) r.dsps = *v;
    if (auto v = number(j, at, "bram_mb", false, false)) r.bram = bytes::from_value(*v * 1e6);
    if (auto v = number(j, at, "uram_mb", false, false)) r.uram = bytes::from_value(*v * 1e6);
    if (auto v = number(j, at, "lut_clock_mhz", false, true)) r.lut_clock = *v * 1e6 * boost::units::si::hertz;
    if (auto v = number(j, at, "dsp_clock_mhz", false, true)) r.dsp_clock = *v * 1e6 * boost::units::si::hertz;
    if (auto v = number(j, at, "int8_macs_per_dsp", false, true)) r.int8_macs_per_dsp = *v;
    if (auto v = number(j, at, "utilization", false, true)) {
      if (*v > 1) fail(error_id::invalid_value, at + "/utilization", "must be a fraction in (0, 1]");
      else r.utilization = *v;
    }
    return r;
  }
};

}  // namespace detail

/// Reads a platform spec from parsed JSON, collecting every problem (`where` names the
/// file in messages). The platform is complete only if no problem was found.
inline std::vector<spec_problem> read_platform(const nlohmann::ordered_json& j, const std::string& where, platform& out) {
  detail::platform_reader r(where);
  out = r.read(j);
  return std::move(r.problems);
}

/// Loads a platform spec; throws the first problem as spec_error (5xx, or 101 for an
/// unknown datatype key) naming the file and the JSON pointer. Nothing half-read escapes.
inline platform load_platform(const std::filesystem::path& file) { return load_spec<platform>(file, &read_platform); }

/// Everything `qutibench check-platform` reports for a file: schema problems, and when
/// there are none, the consistency checks of `check()`.
inline std::vector<spec_problem> check_platform_file(const std::filesystem::path& file) {
  std::vector<spec_problem> problems;
  platform p;
  if (auto j = read_json_file(file, problems)) problems = read_platform(*j, file.string(), p);
  if (problems.empty()) problems = check(p, file.string());
  return problems;
}

/// A platform as a spec that `load_platform` reads back (data/schema/platform.schema.json):
/// top-level peaks for a platform without modes, `modes` otherwise; FPGA resources and
/// on-chip memory where known.
inline nlohmann::ordered_json to_json(const platform& p) {
  using json = nlohmann::ordered_json;
  auto peaks = [](const operating_mode& m) {
    json j = json::object();
    for (const peak_performance& pk : m.peaks) j[pk.type.name()] = pk.value.value() / 1e12;
    return j;
  };
  auto power = [](const power_figures& w) {
    json j = json::object();
    if (w.tdp) j["tdp_w"] = w.tdp->value();
    if (w.base) j["base_w"] = w.base->value();
    if (w.idle) j["idle_w"] = w.idle->value();
    if (w.full) j["full_w"] = w.full->value();
    return j;
  };
  json j = {{"id", p.id}};
  if (!p.aliases.empty()) j["aliases"] = p.aliases;
  j.update({{"name", p.name}, {"kind", std::string(kind_name(p.kind))}, {"source", p.source}});
  if (p.carrier_emulation) j["carrier_emulation"] = true;
  if (p.peaks_rise_with_width) j["peaks_rise_with_width"] = true;
  const operating_mode& first = p.modes.front();
  j["memory"] = {{"bandwidth_gb_per_s", first.bandwidth.value() / 1e9}};
  if (p.memory_capacity) j["memory"]["capacity_gb"] = p.memory_capacity->value() / 1e9;
  j["memory"]["on_chip_mb"] = p.on_chip.value() / 1e6;
  if (p.link)
    j["interconnect"] = {{"name", p.link->name}, {"bandwidth_gb_per_s", p.link->bandwidth.value() / 1e9},
                         {"latency_us", p.link->latency.value() * 1e6}};
  if (!p.has_modes()) {
    if (json w = power(first.power); !w.empty()) j["power"] = w;
    j["peak_tera_ops_per_s"] = peaks(first);
    if (first.design) j["design"] = to_json(*first.design);
  } else {
    json modes = json::object();
    for (const operating_mode& m : p.modes) {
      json mode = {{"peak_tera_ops_per_s", peaks(m)}};
      if (m.bandwidth != first.bandwidth) mode["bandwidth_gb_per_s"] = m.bandwidth.value() / 1e9;
      if (json w = power(m.power); !w.empty()) mode["power"] = w;
      if (m.design) mode["design"] = to_json(*m.design);
      modes[m.name] = mode;
    }
    j["modes"] = modes;
  }
  if (p.fpga) {
    const fpga_resources& f = *p.fpga;
    j["fpga"] = {{"luts", f.luts}, {"dsps", f.dsps}, {"bram_mb", f.bram.value() / 1e6}, {"uram_mb", f.uram.value() / 1e6},
                 {"lut_clock_mhz", f.lut_clock.value() / 1e6}, {"dsp_clock_mhz", f.dsp_clock.value() / 1e6},
                 {"int8_macs_per_dsp", f.int8_macs_per_dsp}, {"utilization", f.utilization}};
  }
  return j;
}

}  // namespace qutibench
