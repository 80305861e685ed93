// Measurement records in the QuTiBench CSV schema (the thesis's appendix Tables A.7-A.23,
// data/measurements/level3_thesis.csv, or a user's own), read onto the stable ids and written back.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/csv.hpp"
#include "qutibench/io/file.hpp"
#include "qutibench/io/thesis_names.hpp"
#include "qutibench/measure/record.hpp"
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
/// 401 naming file:line.
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
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
      fail(names[c] + " '" + s + "' is not a non-negative number");
    return v;
  }
  double required(column c) const {
    const std::optional<double> v = number(c);
    if (!v || *v == 0) fail(std::string(measurement_columns[c]) + " is required and must be positive");
    return *v;
  }
  std::optional<double> percentage(column c) const {
    const std::optional<double> v = number(c);
    if (v && *v > 100) fail(std::string(measurement_columns[c]) + " '" + f[c] + "' is not a percentage");
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
    r.fail("op_mode '" + r.f[op_mode_col] + "' is not one of " + name + "'s" +
           (known.empty() ? " (it has none: leave op_mode empty)" : ": " + known));
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
/// the printed figures round from.
inline void check_in_flight(const row_reader& r, column lat_col, column fps_col, double batch) {
  const std::optional<double> lat_ms = r.number(lat_col), fps = r.number(fps_col);
  if (!lat_ms || !fps) return;
  const double most = (*fps + r.half_unit(fps_col)) * (*lat_ms + r.half_unit(lat_col)) / 1000 / batch;
  const double least = (*fps - r.half_unit(fps_col)) * (*lat_ms - r.half_unit(lat_col)) / 1000 / batch;
  if (most < 1 / max_batches_in_flight || least > max_batches_in_flight)
    r.fail(std::string(measurement_columns[fps_col]) + " " + r.f[fps_col] + " x " + std::string(measurement_columns[lat_col]) +
           " " + r.f[lat_col] + " / batch " + r.f[batch_col] + " puts " + csv::number(*fps * *lat_ms / 1000 / batch) +
           " batches in flight, not within 1/10..10 of one; check the units (ms, inputs/s) and per batch vs per input");
}

/// A published figure is a single run: every statistic is that figure.
inline latency_stats single_run(double s) {
  latency_stats l;
  l.median = l.min = l.max = l.q1 = l.q3 = seconds::from_value(s);
  l.runs = 1;
  return l;
}

/// The kernel, platform and latencies of one row (see `parse_measurements_csv`).
inline recorded_measurement read_row(const row_reader& r, std::span<const std::string> platform_ids) {
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
  m.what = kernel{std::string(net.id), measure_level::network, {}, type, r.whole(batch_col), 1};
  m.platform = thesis ? std::string(thesis->id) : r.f[platform_col];
  m.mode = r.f[op_mode_col];
  m.carrier = thesis && thesis->int8_carrier ? carrier(type, std::span(&datatypes::int8, 1)).value_or(type) : type;
  m.kernel_path = thesis ? std::string(thesis->kernel_path) : "";
  m.host = thesis ? std::string(thesis->host) : "";

  const double batch = static_cast<double>(m.what.batch);
  const double fps_comp = r.required(fps_comp_col);
  row.fps_comp = fps_comp;
  m.work = ops::from_value(r.required(tp_comp_col) * 1e9 / fps_comp * batch);
  const std::optional<double> lat_comp_ms = r.number(lat_comp_col);
  if (lat_comp_ms == 0.0) r.fail("lat_comp_ms must be positive");
  m.compute = single_run(lat_comp_ms ? *lat_comp_ms / 1000 : batch / fps_comp);
  const std::optional<double> lat_sys_ms = r.number(lat_sys_col), fps_sys = r.number(fps_sys_col);
  if (lat_sys_ms == 0.0 || fps_sys == 0.0) r.fail("lat_sys_ms and fps_sys must be positive where given");
  row.fps_sys = fps_sys;
  if (lat_sys_ms) m.system = single_run(*lat_sys_ms / 1000);
  else if (fps_sys) m.system = single_run(batch / *fps_sys);
  (void)r.number(tp_sys_col);  // not kept (it is fps_sys x ops per input), but must parse
  // System latency includes compute latency; the thesis prints sub-0.1 ms figures to 0.01 ms
  // (FINN CNV batch 1: 0.07 system, 0.072 compute), so only a gap beyond the rounding counts.
  if (lat_sys_ms && lat_comp_ms &&
      *lat_sys_ms + r.half_unit(lat_sys_col) < *lat_comp_ms - r.half_unit(lat_comp_col))
    r.fail("lat_sys_ms " + r.f[lat_sys_col] + " is below lat_comp_ms " + r.f[lat_comp_col] +
           ", which the system latency includes");
  check_in_flight(r, lat_sys_col, fps_sys_col, batch);
  check_in_flight(r, lat_comp_col, fps_comp_col, batch);

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

/// Seconds as the fewest significant digits of milliseconds that read back to the same
/// seconds ("" for NaN). The row checks allow for the rounding of the printed digits, so a
/// written row must not print more digits than the one read, as x / 1000 * 1000 often would
/// (7.8695 -> 7.8694999999999995).
inline std::string ms_text(double s) {
  if (std::isnan(s)) return "";
  char buf[32];
  for (int digits = 1;; ++digits) {
    char* end = std::to_chars(buf, buf + sizeof buf, s * 1000, std::chars_format::general, digits).ptr;
    double back = 0;
    std::from_chars(buf, end, back);
    if (back / 1000 == s || digits == 17) return std::string(buf, end);
  }
}

}  // namespace measurement_csv

/// Reads level-3 measurements from a QuTiBench CSV (RFC 4180: quoted fields, doubled
/// quotes, CRLF): the 17 columns of `measurement_columns` first, any further columns kept
/// in `extra` (the thesis's source_table, source_line and repaired are also parsed).
///
/// Names map onto stable ids. Topology: the zoo's Table 6.1 name with the pruning ("CNV" +
/// "50" -> "CNV 50%" -> cnv-p50; at 100% a bare name such as "GoogLeNetv1" also matches), or
/// a zoo id (its pruning column empty or matching). Platform: the thesis's names
/// (`thesis_platforms`: TX2 -> tx2 with op_mode maxn/maxp/maxq, ZCU104-FINN ->
/// zcu104-finn, U96-Quadcore A53 -> ultra96-a53, NCS -> ncs2), their ids, or any id in
/// `platform_ids` (e.g. the data/platforms specs and "host"). Datatypes: datatype::parse.
///
/// Each row is a level-3 kernel (batch from the row, threads 1: the tables do not record
/// threads). The thesis publishes one figure per setting, so each latency is a single run:
/// runs = 1 and min = max = q1 = q3 = median. Compute latency = lat_comp_ms, or batch /
/// fps_comp where that is empty; system latency = lat_sys_ms, or batch / fps_sys, or unknown
/// (median NaN, runs 0). work = tp_comp_gops x 1e9 / fps_comp x batch (ops per input x
/// batch). The published fps are kept beside the record: the tables give latency and
/// throughput as separate figures that need not agree. On the Cortex-A53 the carrier of
/// INT2/INT4 is INT8 (gemmlowp); elsewhere it is the row's datatype.
///
/// `file` names the text in errors. Throws spec_error 401 naming file:line for a header without
/// the schema's columns, a row with the wrong number of fields, an unknown name (listing
/// the known ones), a bad number, a system latency below the compute latency or an fps
/// more than tenfold off batch / latency (both beyond the rounding of the printed digits),
/// or a row that repeats an earlier one's setting (topology, platform, mode, datatype,
/// batch); nothing is returned half-read.
inline std::vector<recorded_measurement> parse_measurements_csv(std::string_view text, const std::filesystem::path& file,
                                                                std::span<const std::string> platform_ids = {}) {
  const std::string file_name = file.string();
  std::vector<std::string> names;  // the header's, once read
  std::vector<recorded_measurement> out;
  // Rows are not nothrow-movable (boost::units quantities), so growing the vector would
  // copy every row read so far (a fifth of a 100,000-row load). Reserved: one per line
  // break, but no more than the shortest valid row (28 bytes: "cnv,h,int1,,,1,,,,1,,1,,,,,\n")
  // allows, so junk text cannot reserve more than a valid file of its size would use.
  out.reserve(std::min(static_cast<std::size_t>(std::ranges::count(text, '\n')), text.size() / 28) + 1);
  // A setting's first line, for the duplicate message. Hashed: a 100,000-row file spent a
  // fifth of its load comparing keys in an ordered map's tree.
  std::unordered_map<std::string, int> first_line;
  auto header_error = [&] {
    std::string header;
    for (std::string_view c : measurement_columns) header += (header.empty() ? "" : ",") + std::string(c);
    return spec_error(error_id::malformed_record, file_name + ":1", "header must begin with '" + header + "' (further columns are kept)");
  };
  // Rows are read as the CSV reader finds them, so no copy of the whole file's fields is held.
  csv::for_each_record(text, file_name, [&](const csv::record& rec) {
    if (names.empty()) {
      if (rec.fields.size() < measurement_columns.size() ||
          !std::equal(measurement_columns.begin(), measurement_columns.end(), rec.fields.begin()))
        throw header_error();
      names = rec.fields;
      return;
    }
    const measurement_csv::row_reader r{names, rec.fields, file_name, rec.line};
    if (r.f.size() != names.size())
      r.fail("expected " + std::to_string(names.size()) + " fields, got " + std::to_string(r.f.size()));
    recorded_measurement row = measurement_csv::read_row(r, platform_ids);
    measurement_csv::read_extra(r, row);
    const measurement& m = row.record;
    // Only the mode is free text, so it goes last: the NUL-separated ids before it cannot
    // hold a NUL, and the key cannot be split two ways.
    const auto [at, fresh] = first_line.try_emplace(
        m.what.topology + '\0' + m.platform + '\0' + m.what.type.name() + '\0' + std::to_string(m.what.batch) + '\0' + m.mode,
        rec.line);
    if (!fresh)
      r.fail("repeats the setting of line " + std::to_string(at->second) + " (" + m.what.topology + ", " + m.platform +
             (m.mode.empty() ? "" : ":" + m.mode) + ", " + m.what.type.name() + ", batch " + std::to_string(m.what.batch) + ")");
    out.push_back(std::move(row));
  });
  if (names.empty()) throw header_error();
  return out;
}

/// Reads the file `file` with `parse_measurements_csv`; spec_error 401 if it cannot be opened.
inline std::vector<recorded_measurement> load_measurements_csv(const std::filesystem::path& file,
                                                               std::span<const std::string> platform_ids = {}) {
  const std::optional<std::string> text = read_text(file);
  if (!text) throw spec_error(error_id::malformed_record, file.string(), "cannot open");
  return parse_measurements_csv(*text, file, platform_ids);
}

/// Writes rows in the QuTiBench schema that `load_measurements_csv` reads back: stable ids
/// (topology with its pruning, platform, datatype), latencies in ms (empty where read as
/// batch / published fps), published fps where known (else batch / latency), GOP/s = fps x ops per input, then the extra columns of
/// the first row (every row must carry the same). Lines end in CRLF, as the thesis file's.
inline void write_measurements_csv(std::ostream& out, std::span<const recorded_measurement> rows) {
  std::vector<std::string> extra;
  if (!rows.empty())
    for (const auto& [name, value] : rows.front().extra) extra.push_back(name);
  std::string line;
  for (std::string_view c : measurement_columns) line += (line.empty() ? "" : ",") + std::string(c);
  for (const std::string& e : extra) line += "," + csv::field(e);
  out << line << "\r\n";
  for (const recorded_measurement& r : rows) {
    const measurement& m = r.record;
    if (r.extra.size() != extra.size())
      throw std::invalid_argument("write_measurements_csv: rows carry different extra columns");
    const double batch = static_cast<double>(m.what.batch);
    const double per_input = m.work.value() / batch;
    const double fps_comp = r.compute_inputs_per_s();
    const std::optional<double> fps_sys =
        r.fps_sys ? r.fps_sys : std::isnan(m.system.median.value()) ? std::nullopt : std::optional(batch / m.system.median.value());
    auto w = [](const std::optional<watts>& p) { return p ? std::optional(p->value()) : std::nullopt; };
    // A latency the reader derived from a published fps stays empty: written out, it would
    // meet the latency checks that the row, read without it, never had to pass.
    auto ms = [&](const latency_stats& l, const std::optional<double>& published_fps) {
      return published_fps && l.median.value() == batch / *published_fps ? std::string()
                                                                           : measurement_csv::ms_text(l.median.value());
    };
    const std::string fields[] = {m.what.topology, m.platform, m.what.type.name(), thesis_pruning(zoo::find(m.what.topology)), m.mode,
                                  std::to_string(m.what.batch), ms(m.system, r.fps_sys), ms(m.compute, r.fps_comp),
                                  csv::number(fps_sys), csv::number(fps_comp),
                                  csv::number(fps_sys ? std::optional(*fps_sys * per_input / 1e9) : std::nullopt),
                                  csv::number(fps_comp * per_input / 1e9), csv::number(m.top1_pct),
                                  csv::number(m.top5_pct), csv::number(w(m.base_power)),
                                  csv::number(w(m.idle_power)), csv::number(w(m.full_power))};
    line.clear();
    for (const std::string& f : fields) line += (line.empty() ? "" : ",") + csv::field(f);
    for (const auto& [name, value] : r.extra) line += "," + csv::field(value);
    out << line << "\r\n";
  }
}

}  // namespace qutibench
