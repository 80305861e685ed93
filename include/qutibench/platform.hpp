// Hardware platforms for level-0 predictions: peak performance per datatype and per
// operating mode, memory, power, FPGA resources, carrier emulation (thesis Sections
// 4.3.1, 5.2.2, 6.3), and the consistency checks a new spec should pass.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/units/systems/si/frequency.hpp>
#include <boost/units/systems/si/power.hpp>

#include "qutibench/datatype.hpp"
#include "qutibench/design.hpp"
#include "qutibench/error.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

using watts = quantity<boost::units::si::power>;
using hertz = quantity<boost::units::si::frequency>;

/// Inputs per second per watt: the thesis's power efficiency figure of merit (Section 6.5.2).
using inputs_per_joule = quantity<decltype(units::input / (units::second * boost::units::si::watt))>;

enum class platform_kind { cpu, gpu, tpu, vliw, fpga_overlay, fpga_dataflow, npu };

/// The stable name of a kind: "cpu", "gpu", "tpu", "vliw", "fpga-overlay", "fpga-dataflow", "npu".
constexpr std::string_view kind_name(platform_kind k) {
  constexpr std::string_view names[] = {"cpu", "gpu", "tpu", "vliw", "fpga-overlay", "fpga-dataflow", "npu"};
  return names[static_cast<int>(k)];
}

/// The kind called `name`, or none.
constexpr std::optional<platform_kind> parse_platform_kind(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(platform_kind::npu); ++k)
    if (kind_name(static_cast<platform_kind>(k)) == name) return static_cast<platform_kind>(k);
  return std::nullopt;
}

/// Theoretical peak performance for one natively supported datatype (ops = 2 x MACs).
struct peak_performance {
  datatype type;
  ops_per_s value;
};

/// Power figures; any may be unknown. `tdp` from a datasheet, base/idle/full measured at
/// the socket (thesis Section 5.3).
struct power_figures {
  std::optional<watts> tdp, base, idle, full;

  /// The power that efficiency divides by: the TDP, else the measured full power.
  std::optional<watts> budget() const { return tdp ? tdp : full; }
};

/// One operating mode (e.g. TX2 maxn, Coral TPU fast clock), fully resolved: its own
/// peaks, memory bandwidth and power. A platform without modes has one, named "".
struct operating_mode {
  std::string name;
  std::vector<peak_performance> peaks;  ///< native datatypes only; unsupported types are absent, never 0
  bytes_per_s bandwidth;                ///< external memory (HBM counts as external)
  power_figures power;
  std::optional<deployed_design> design;  ///< what runs in this mode, for the realistic model

  /// The native peak for `t`, or none if `t` is not native.
  std::optional<ops_per_s> native_peak(const datatype& t) const {
    for (const peak_performance& p : peaks)
      if (p.type == t) return p.value;
    return std::nullopt;
  }
};

/// FPGA device resources. Peaks derived from them follow the thesis's assumptions
/// (Section 6.3): LUTs at 500 MHz, DSPs at 666 MHz, two INT8 MACs per DSP slice (vector
/// width 2), and a utilization fraction (1 = the whole device; the thesis's third
/// refinement uses what a design actually occupies).
struct fpga_resources {
  double luts = 0;
  double dsps = 0;
  bytes bram = bytes::from_value(0);
  bytes uram = bytes::from_value(0);
  hertz lut_clock = 500e6 * boost::units::si::hertz;
  hertz dsp_clock = 666e6 * boost::units::si::hertz;
  double int8_macs_per_dsp = 2;
  double utilization = 1;

  /// INT8 peak of the DSP slices: DSPs x clock x MACs per DSP x 2 ops x utilization.
  /// Reproduces Table 6.2's DPU rows: 360, 1728, 2520 DSPs -> 0.96, 4.60, 6.71 TOP/s.
  ops_per_s dsp_int8_peak() const {
    return ops_per_s::from_value(dsps * dsp_clock.value() * int8_macs_per_dsp * 2 * utilization);
  }

  /// Peak of arithmetic built from LUTs (FINN, BISMO): LUTs x clock x utilization x 2 ops
  /// / `luts_per_mac`, the LUT cost of one MAC at the datatype in question (a property of
  /// the design and its bit widths, so the caller states it).
  ops_per_s lut_peak(double luts_per_mac) const {
    return ops_per_s::from_value(luts * lut_clock.value() * utilization * 2 / luts_per_mac);
  }
};

/// How a datatype runs on a mode: natively, or in a carrier at the carrier's peak (memory
/// stays packed at the requested width; thesis Section 6.3).
struct execution {
  datatype carrier;
  ops_per_s peak;
};

/// The link that joins devices of a platform for tensor parallelism (NVLink, PCIe,
/// Ethernet): what each device sends (and receives) per second, and the time per message.
struct interconnect {
  std::string name;
  bytes_per_s bandwidth;                     ///< per device, per direction
  seconds latency = seconds::from_value(0);  ///< per message; 0 where the spec states none
};

/// A hardware platform: what thesis Table 6.2 records per row, plus on-chip memory and
/// resources for the refined memory and peak models.
struct platform {
  std::string id;
  std::vector<std::string> aliases;         ///< other names tables give it (a measurement's device), resolved as the id is
  std::string name;
  platform_kind kind = platform_kind::cpu;
  std::string source;                       ///< datasheet, paper or table every figure comes from
  bool carrier_emulation = false;           ///< sub-native datatypes run in a carrier (e.g. gemmlowp INT8)
  bool peaks_rise_with_width = false;       ///< a wider type may be faster (suppresses that check)
  std::optional<bytes> memory_capacity;     ///< external memory
  bytes on_chip = bytes::from_value(0);     ///< memory that can hold weights and activations on chip
  std::vector<operating_mode> modes;        ///< at least one; fastest first
  std::optional<fpga_resources> fpga;
  std::optional<interconnect> link;         ///< between devices of this platform

  /// True if the platform has named operating modes.
  bool has_modes() const { return !(modes.size() == 1 && modes.front().name.empty()); }

  /// The mode called `mode_name`; "" picks the first (fastest) mode. Throws spec_error 301
  /// listing the valid modes.
  const operating_mode& mode(std::string_view mode_name = {}) const {
    if (mode_name.empty() && !modes.empty()) return modes.front();
    for (const operating_mode& m : modes)
      if (m.name == mode_name) return m;
    std::string valid;
    for (const operating_mode& m : modes) valid += (valid.empty() ? "" : ", ") + m.name;
    throw spec_error(error_id::unknown_id, "platform '" + id + "'",
                     "no operating mode '" + std::string(mode_name) + "'" +
                         (has_modes() ? "; modes: " + valid : "; it has no operating modes"));
  }

  /// How datatype `t` runs on `m`: at its native peak, else (with carrier emulation) at
  /// the peak of the smallest native type that holds it; none if unsupported.
  std::optional<execution> run(const operating_mode& m, const datatype& t) const {
    if (auto p = m.native_peak(t)) return execution{t, *p};
    if (!carrier_emulation) return std::nullopt;
    std::vector<datatype> native;
    for (const peak_performance& p : m.peaks) native.push_back(p.type);
    const std::optional<datatype> c = carrier(t, native);
    if (!c) return std::nullopt;
    return execution{*c, *m.native_peak(*c)};
  }
};

/// Sane bounds for a ridge point (peak / bandwidth, ops per byte): outside them a unit slip
/// (MB for GB, GOP/s for TOP/s) is the likelier explanation. The thesis's platforms span
/// 7.4 (TX2 FP32 at maxq) to 1599 (FINN INT2).
inline constexpr double min_ridge_ops_per_byte = 0.1;
inline constexpr double max_ridge_ops_per_byte = 20000;

/// Consistency checks for a loaded platform (`qutibench check-platform`): every mode has
/// peaks; peaks do not rise as datatypes widen (unless `peaks_rise_with_width`); ridge
/// points lie within sane bounds; modes are listed fastest first; a stated INT8 peak of an
/// FPGA matches its DSP-derived peak within 5 %; a design's array datatype has a peak in
/// its mode, and the design, a configuration of the device, is no faster than the mode (its
/// array's peak within 5 % of the mode's, an FPGA clock at most the LUT clock, its outer
/// level's bandwidth within 5 % of the mode's). `where` prefixes each problem (a file).
inline std::vector<spec_problem> check(const platform& p, const std::string& where) {
  std::vector<spec_problem> out;
  auto add = [&](std::string field, std::string what) {
    out.push_back({error_id::inconsistent_spec, where + ": " + field, std::move(what)});
  };
  if (p.modes.empty()) add("/modes", "a platform needs at least one operating mode");
  for (std::size_t mi = 0; mi < p.modes.size(); ++mi) {
    const operating_mode& m = p.modes[mi];
    const std::string at = p.has_modes() ? "/modes/" + m.name + "/peak_tera_ops_per_s" : "/peak_tera_ops_per_s";
    if (m.peaks.empty()) add(at, "no peak performance for any datatype");
    for (const peak_performance& a : m.peaks) {
      const double ridge = a.value.value() / m.bandwidth.value();
      if (!(ridge >= min_ridge_ops_per_byte && ridge <= max_ridge_ops_per_byte))
        add(at + "/" + a.type.name(), "ridge point " + std::to_string(ridge) + " ops/byte outside " +
                                          std::to_string(min_ridge_ops_per_byte) + ".." +
                                          std::to_string(max_ridge_ops_per_byte) + "; check the units");
      if (p.peaks_rise_with_width) continue;
      for (const peak_performance& b : m.peaks)
        if (b.type.bits > a.type.bits && b.value > a.value)
          add(at + "/" + b.type.name(), "peak rises from " + a.type.name() + " to the wider " + b.type.name() +
                                            "; set peaks_rise_with_width if that is intended");
    }
    if (mi == 0) continue;
    for (const peak_performance& a : m.peaks)
      if (auto prev = p.modes[mi - 1].native_peak(a.type); prev && a.value > *prev)
        add(at + "/" + a.type.name(), "mode '" + m.name + "' is faster than the mode before it ('" +
                                          p.modes[mi - 1].name + "'); list modes fastest first");
  }
  for (const operating_mode& m : p.modes)
    if (m.design && m.design->array_peak() && !m.native_peak(m.design->array->type))
      add(p.has_modes() ? "/modes/" + m.name + "/design/array/datatype" : "/design/array/datatype",
          "the design's array is stated in " + m.design->array->type.name() +
              ", which has no peak in this mode to scale from; state that peak or the array's datatype");
  for (const operating_mode& m : p.modes) {
    if (!m.design) continue;
    const std::string at = p.has_modes() ? "/modes/" + m.name + "/design" : "/design";
    const auto tera = [](double ops_per_s) { return shown_number(ops_per_s / 1e12); };
    if (const std::optional<double> design = m.design->array_peak())
      if (const auto device = m.native_peak(m.design->array->type); device && *design > 1.05 * device->value())
        add(at + "/array", "the design's " + m.design->array->type.name() + " peak " + tera(*design) +
                               " TOP/s (units x 2 x MACs per cycle x clock) exceeds the mode's " + tera(device->value()) +
                               " TOP/s; a design runs on the device, so at most at its peak");
    // Only a fabric (dataflow) design runs at the LUT clock; an array's clock is its
    // engines' (Versal's AI Engines: 1.25 GHz, above any LUT clock).
    if (m.design->clock_hz && !m.design->array && p.fpga && *m.design->clock_hz > p.fpga->lut_clock.value())
      add(at + "/clock_mhz", "the fabric clock exceeds the LUT clock (" + shown_number(p.fpga->lut_clock.value() / 1e6) +
                                 " MHz) the peaks assume");
    if (const auto& outer = m.design->levels.empty() ? std::nullopt : m.design->levels.back().bandwidth;
        outer && outer->value() > 1.05 * m.bandwidth.value())
      add(at + "/levels/" + std::to_string(m.design->levels.size() - 1) + "/bandwidth_gb_per_s",
          "the outer level streams at " + shown_number(outer->value() / 1e9) + " GB/s, faster than the mode's memory (" +
              shown_number(m.bandwidth.value() / 1e9) + " GB/s)");
  }
  if (p.fpga)
    for (const operating_mode& m : p.modes)
      if (auto stated = m.native_peak(datatypes::int8)) {
        const double derived = p.fpga->dsp_int8_peak().value();
        if (std::abs(stated->value() - derived) > 0.05 * derived)
          add("/fpga", "stated INT8 peak " + std::to_string(stated->value() / 1e12) +
                           " TOP/s differs by more than 5 % from the DSP-derived " + std::to_string(derived / 1e12) +
                           " TOP/s; set fpga.utilization or the clocks to what the design uses");
      }
  return out;
}

}  // namespace qutibench
