// One row of a measurement CSV read onto a recorded measurement: the names a row may use,
// the figures it must give and the ones derived from them, and the checks that refuse what
// cannot be right (see `parse_measurements_csv` in measurement_csv.hpp for the file).
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/csv.hpp"
#include "qutibench/io/thesis_names.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

/// The columns of the QuTiBench measurement schema, in order; a file may add more after
/// them (the thesis's adds source_table, source_line, repaired, repair_notes).
inline constexpr std::array<std::string_view, 17> measurement_columns = {
    "topology",    "platform", "datatype", "pruning",     "op_mode",      "batch", "lat_sys_ms", "lat_comp_ms", "fps_sys",
    "fps_comp",    "tp_sys_gops", "tp_comp_gops", "top1", "top5", "base_pwr_w", "idle_pwr_w", "full_pwr_w"};

namespace measurement_csv {

enum column : std::size_t {
  topology_col, platform_col, datatype_col, pruning_col, op_mode_col, batch_col, lat_sys_col, lat_comp_col,
  fps_sys_col, fps_comp_col, tp_sys_col, tp_comp_col, top1_col, top5_col, base_pwr_col, idle_pwr_col, full_pwr_col
};

/// The fields of one row with the checks every column shares; each failure is spec_error
/// 401 naming file:line and the column as the file names it (`names`).
struct row_reader {
  const std::vector<std::string>& names;
  const std::vector<std::string>& f;
  const std::string& file;
  int line;

  // WHERE is built only on failure: a large file's rows would otherwise each allocate one.
  [[noreturn]] void fail(const std::string& what) const {
    throw spec_error(error_id::malformed_record, file + ":" + std::to_string(line), what);
  }

  /// An empty field is an unknown figure; a present one must be a finite number >= 0.
  std::optional<double> number(std::size_t c) const {
    const std::string& s = f[c];
    if (s.empty()) return std::nullopt;
    const std::optional<double> v = csv::parse_number(s);
    if (!v || !std::isfinite(*v) || *v < 0) fail(names[c] + " '" + s + "' is not a non-negative number");
    return v;
  }
  /// An empty field is unknown; a present one must be a positive finite number.
  std::optional<double> positive(std::size_t c) const {
    const std::optional<double> v = number(c);
    if (v == 0.0) fail(names[c] + " must be positive where given");
    return v;
  }
  std::optional<double> percentage(column c) const {
    const std::optional<double> v = number(c);
    if (v && *v > 100) fail(names[c] + " '" + f[c] + "' is not a percentage");
    return v;
  }
  std::uint64_t whole(std::size_t c) const {
    std::uint64_t v = 0;
    const std::string& s = f[c];
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v == 0) fail(names[c] + " '" + s + "' is not a positive whole number");
    return v;
  }
  /// Half a unit in the last printed digit of a present number ("0.07" -> 0.005, "1.5e-3"
  /// -> 5e-5): published figures are rounded, so cross-checks allow for that much.
  double half_unit(column c) const {
    const std::string& s = f[c];
    const std::size_t e = s.find_first_of("eE"), dot = s.find('.');
    int exponent = 0;
    if (e != std::string::npos) {
      const char* from = s.data() + e + 1 + (s[e + 1] == '+');
      std::from_chars(from, s.data() + s.size(), exponent);
    }
    const std::size_t mantissa_end = std::min(e, s.size());
    const int decimals = dot < mantissa_end ? static_cast<int>(mantissa_end - dot - 1) : 0;
    return 0.5 * std::pow(10.0, exponent - decimals);
  }
  std::optional<watts> power(column c) const {
    if (const std::optional<double> v = number(c)) return watts::from_value(*v);
    return std::nullopt;
  }
};

/// The zoo entry of a row's topology and pruning, or a failure listing the thesis names.
inline const zoo::entry& topology_of(const row_reader& r) {
  if (const zoo::entry* e = find_thesis_topology(r.f[topology_col], r.f[pruning_col])) return *e;
  std::string known;
  for (const zoo::entry& e : zoo::catalogue)
    if (!e.thesis_name.empty()) known += (known.empty() ? "" : ", ") + std::string(e.thesis_name);
  for (const auto& [alias, id] : thesis_topology_aliases) known += ", " + std::string(alias);
  r.fail("unknown topology '" + r.f[topology_col] + "' at pruning '" + r.f[pruning_col] + "'; known: zoo ids, or " + known);
}

/// A row's thesis platform (its op_mode checked against the platform's modes), or null for
/// an id the caller knows; a failure listing the known names otherwise.
inline const thesis_platform* platform_of(const row_reader& r, std::span<const std::string> platform_ids) {
  const std::string& name = r.f[platform_col];
  const thesis_platform* thesis = find_thesis_platform(name);
  if (!thesis) {
    if (std::ranges::find(platform_ids, name) != platform_ids.end()) return nullptr;
    std::string known;
    for (const thesis_platform& p : thesis_platforms) known += (known.empty() ? "" : ", ") + std::string(p.thesis_name);
    for (const std::string& id : platform_ids) known += ", " + id;
    r.fail("unknown platform '" + name + "'; known: " + known);
  }
  if (std::ranges::find(thesis->modes, r.f[op_mode_col]) == thesis->modes.end()) {
    std::string known;
    for (std::string_view m : thesis->modes)
      if (!m.empty()) known += (known.empty() ? "" : ", ") + std::string(m);
    r.fail(r.names[op_mode_col] + " '" + r.f[op_mode_col] + "' is not one of " + name + "'s" +
           (known.empty() ? " (it has none: leave " + r.names[op_mode_col] + " empty)" : ": " + known));
  }
  return thesis;
}

/// How far fps x latency / batch may stray from 1 either way. By Little's law that product is
/// the number of batches in flight: a pipelined kernel overlaps batches (FINN's reach 2.0 in
/// the thesis tables) and a throughput run may idle between them (0.74), so neither is an
/// error; a tenfold gap is not seen in real data but is what a unit slip (s for ms, per
/// batch for per input at batch >= 10) produces.
inline constexpr double max_batches_in_flight = 10;

/// Refuses a row whose latency and throughput of one kind (sys or comp) cannot both be
/// right: fps x latency / batch outside 1/10..10 (`max_batches_in_flight`) for every value
/// the printed figures round from. The throughput is the fps as printed, else the GOP/s
/// over ops per input (the inputs/s the record keeps and a written file prints).
inline void check_in_flight(const row_reader& r, column lat_col, column fps_col, column gops_col, double batch,
                            double ops_per_input) {
  const std::optional<double> lat_ms = r.number(lat_col);
  if (!lat_ms || batch == 0) return;
  double fps = 0, fps_half = 0;
  std::string stated;
  if (const std::optional<double> printed = r.number(fps_col)) {
    fps = *printed, fps_half = r.half_unit(fps_col);
    stated = r.names[fps_col] + " " + r.f[fps_col];
  } else if (const std::optional<double> gops = r.number(gops_col)) {
    fps = *gops * 1e9 / ops_per_input, fps_half = r.half_unit(gops_col) * 1e9 / ops_per_input;
    stated = r.names[gops_col] + " " + r.f[gops_col] + " (" + csv::number(fps) + " inputs/s)";
  } else {
    return;
  }
  const double most = (fps + fps_half) * (*lat_ms + r.half_unit(lat_col)) / 1000 / batch;
  const double least = (fps - fps_half) * (*lat_ms - r.half_unit(lat_col)) / 1000 / batch;
  if (most < 1 / max_batches_in_flight || least > max_batches_in_flight)
    r.fail(stated + " x " + r.names[lat_col] + " " + r.f[lat_col] + " / batch " + r.f[batch_col] + " puts " +
           csv::number(fps * *lat_ms / 1000 / batch) +
           " batches in flight, not within 1/10..10 of one; check the units (ms, inputs/s) and per batch vs per input");
}

/// A published figure is a single run: every statistic is that figure.
inline latency_stats single_run(double s) {
  latency_stats l;
  l.median = l.min = l.max = l.q1 = l.q3 = seconds::from_value(s);
  l.runs = 1;
  return l;
}

/// Ops per input of zoo networks, built once per file: a row that gives a throughput in
/// inputs/s or GOP/s only needs them to derive the other.
class zoo_ops {
 public:
  double operator()(const zoo::entry& e) {
    auto it = ops_.find(e.id);
    if (it == ops_.end()) it = ops_.emplace(e.id, profile(e.make()).total_ops).first;
    return it->second;
  }

 private:
  std::unordered_map<std::string_view, double> ops_;
};

/// What a row gives of one kind (system or compute): latency per batch in ms, inputs/s,
/// GOP/s; each may be empty.
struct published {
  std::optional<double> lat_ms, fps, gops;
  bool any() const { return lat_ms || fps || gops; }
};

inline published published_of(const row_reader& r, column lat, column fps, column gops) {
  return {r.positive(lat), r.positive(fps), r.positive(gops)};
}

/// The latency statistics a row's figures of one kind give, and the inputs/s it states
/// (published, else GOP/s / ops per input; none where only a latency is given, as the
/// record then derives batch / latency). Latency as published, else batch / inputs/s;
/// unknown (NaN) where the kind gives nothing or the batch is not stated. A latency alone
/// needs the batch.
inline std::pair<latency_stats, std::optional<double>> derived(const row_reader& r, const published& p, double batch,
                                                               double ops_per_input, column lat_col, column fps_col,
                                                               column gops_col) {
  const std::optional<double> fps = p.fps ? p.fps : p.gops ? std::optional(*p.gops * 1e9 / ops_per_input) : std::nullopt;
  if (p.lat_ms && !fps && batch == 0)
    r.fail(r.names[lat_col] + " " + r.f[lat_col] + " gives no throughput without a batch: give the batch or the inputs/s");
  // The rate the kind gives, as stated or as batch / latency, within any device's.
  const double rate = fps ? *fps : p.lat_ms && batch > 0 ? batch / (*p.lat_ms / 1000) : min_measured_rate;
  if (!plausible_rate(rate)) {
    const column given = p.fps ? fps_col : p.gops ? gops_col : lat_col;
    r.fail(r.names[given] + " " + r.f[given] + " gives " + csv::number(rate) +
           " inputs/s, beyond any device (1e-9..1e12): check the units (ms, inputs/s, GOP/s)");
  }
  if (p.lat_ms) return {single_run(*p.lat_ms / 1000), fps};
  if (fps && batch > 0) return {single_run(batch / *fps), fps};
  return {latency_stats{}, fps};
}

/// The kernel, platform and figures of one row (see `parse_measurements_csv`).
inline recorded_measurement read_row(const row_reader& r, std::span<const std::string> platform_ids, zoo_ops& ops_of) {
  const zoo::entry& net = topology_of(r);
  const thesis_platform* thesis = platform_of(r, platform_ids);
  datatype type;
  try {
    type = datatype::parse(r.f[datatype_col]);
  } catch (const spec_error& e) {
    r.fail(e.what());
  }
  recorded_measurement row;
  measurement& m = row.record;
  const std::uint64_t batch_n = r.f[batch_col].empty() ? 0 : r.whole(batch_col);
  if (batch_n > max_batch) r.fail(r.names[batch_col] + " '" + r.f[batch_col] + "' is past 2^40, the largest batch taken");
  m.what = kernel{std::string(net.id), measure_level::network, {}, type, batch_n, 1};
  m.platform = thesis ? std::string(thesis->id) : r.f[platform_col];
  m.mode = r.f[op_mode_col];
  m.carrier = thesis && thesis->int8_carrier ? carrier(type, std::span(&datatypes::int8, 1)).value_or(type) : type;
  m.kernel_path = thesis ? std::string(thesis->kernel_path) : "";
  m.host = thesis ? std::string(thesis->host) : "";

  const published comp = published_of(r, lat_comp_col, fps_comp_col, tp_comp_col);
  const published sys = published_of(r, lat_sys_col, fps_sys_col, tp_sys_col);
  if (!comp.any() && !sys.any())
    r.fail("gives no figure: a row needs a latency, an fps or a GOP/s, of compute (lat_comp_ms, fps_comp, tp_comp_gops) or "
           "system (lat_sys_ms, fps_sys, tp_sys_gops)");
  // Ops per input as the row's own GOP/s and fps give them (the thesis's ops count), else the zoo's.
  const double ops_per_input = comp.fps && comp.gops ? *comp.gops * 1e9 / *comp.fps
                               : sys.fps && sys.gops ? *sys.gops * 1e9 / *sys.fps
                                                     : ops_of(net);
  const double batch = static_cast<double>(batch_n);
  m.work = ops::from_value(ops_per_input * std::max(batch, 1.0));
  std::tie(m.compute, row.fps_comp) = derived(r, comp, batch, ops_per_input, lat_comp_col, fps_comp_col, tp_comp_col);
  std::tie(m.system, row.fps_sys) = derived(r, sys, batch, ops_per_input, lat_sys_col, fps_sys_col, tp_sys_col);
  // System latency includes compute latency; the thesis prints sub-0.1 ms figures to 0.01 ms
  // (FINN CNV batch 1: 0.07 system, 0.072 compute), so only a gap beyond the rounding counts.
  if (sys.lat_ms && comp.lat_ms && *sys.lat_ms + r.half_unit(lat_sys_col) < *comp.lat_ms - r.half_unit(lat_comp_col))
    r.fail(r.names[lat_sys_col] + " " + r.f[lat_sys_col] + " is below " + r.names[lat_comp_col] + " " + r.f[lat_comp_col] +
           ", which the system latency includes");
  check_in_flight(r, lat_sys_col, fps_sys_col, tp_sys_col, batch, ops_per_input);
  check_in_flight(r, lat_comp_col, fps_comp_col, tp_comp_col, batch, ops_per_input);

  m.top1_pct = r.percentage(top1_col);
  m.top5_pct = r.percentage(top5_col);
  m.base_power = r.power(base_pwr_col);
  m.idle_power = r.power(idle_pwr_col);
  m.full_power = r.power(full_pwr_col);
  return row;
}

/// The extra columns of a row, and the thesis file's provenance columns where present.
inline void read_extra(const row_reader& r, recorded_measurement& row) {
  for (std::size_t c = measurement_columns.size(); c < r.names.size(); ++c) {
    row.extra.emplace_back(r.names[c], r.f[c]);
    const std::string& value = r.f[c];
    if (r.names[c] == "source_table") {
      row.source_table = value;
    } else if (r.names[c] == "source_line") {
      const std::uint64_t line = r.whole(c);
      if (line > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) r.fail("source_line '" + value + "' is too large");
      row.source_line = static_cast<int>(line);
    } else if (r.names[c] == "repaired") {
      if (value != "0" && value != "1") r.fail("repaired '" + value + "' must be 0 or 1");
      row.repaired = value == "1";
    }
  }
}

}  // namespace measurement_csv
}  // namespace qutibench
