// Measurement records in the QuTiBench CSV schema (the thesis's appendix Tables A.7-A.23,
// data/measurements/level3_thesis.csv, or a user's own), read onto the stable ids and written back.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <utility>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/file.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

/// A measurement row of a QuTiBench CSV: the record, the figures published beside it, and
/// every column beyond the schema's, kept as read (so a file survives a round trip).
struct recorded_measurement {
  measurement record;
  std::optional<double> fps_comp;   ///< published compute throughput (inputs/s)
  std::optional<double> fps_sys;    ///< published system throughput, where given
  std::vector<std::pair<std::string, std::string>> extra;  ///< further columns: name, value
  // The thesis file's provenance columns, parsed where present:
  std::string source_table;  ///< the thesis table, e.g. "A.7"
  int source_line = 0;       ///< the line of the thesis source the row was extracted from
  bool repaired = false;     ///< damaged source text was repaired (repair_notes say how)

  /// The published compute throughput, else batch / median compute latency.
  double compute_inputs_per_s() const {
    return fps_comp ? *fps_comp : static_cast<double>(record.what.batch) / record.compute.median.value();
  }
};

namespace detail {

/// One CSV record: its fields, unquoted, and the physical line it starts on (1-based).
struct csv_record {
  int line = 0;
  std::vector<std::string> fields;
};

/// Splits RFC 4180 text into records: fields separated by commas, records by CRLF, LF or
/// CR; a quoted field may hold commas, line breaks and doubled quotes. Blank lines are
/// skipped. Throws spec_error 401 naming `file`:line for an unterminated quoted field, text
/// after a closing quote, or a quote inside an unquoted field.
inline std::vector<csv_record> parse_csv(std::string_view text, const std::string& file) {
  auto fail = [&](int line, const std::string& what) {
    throw spec_error(error_id::malformed_record, file + ":" + std::to_string(line), what);
  };
  auto at_line_end = [&](std::size_t i) { return i == text.size() || text[i] == '\r' || text[i] == '\n'; };
  auto skip_line_end = [&](std::size_t& i) {
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i;
  };
  std::vector<csv_record> out;
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // spreadsheets save a UTF-8 byte order mark
  for (int line = 1; i < text.size(); ++line) {
    if (at_line_end(i)) {
      skip_line_end(i);
      continue;
    }
    csv_record record{line, {}};
    for (;;) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        for (++i;; ++i) {
          if (i == text.size()) fail(record.line, "quoted field is never closed");
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              ++i;
              continue;
            }
            ++i;
            break;
          }
          // A line break inside quotes belongs to the field but still counts as a physical
          // line, so later errors name the line an editor shows.
          if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++line;
          field += text[i];
        }
        if (!at_line_end(i) && text[i] != ',') fail(line, "text after a closing quote");
      } else {
        for (; !at_line_end(i) && text[i] != ','; ++i) {
          if (text[i] == '"') fail(line, "quote inside an unquoted field (quote the whole field)");
          field += text[i];
        }
      }
      record.fields.push_back(std::move(field));
      if (i == text.size() || text[i] != ',') break;
      ++i;
    }
    skip_line_end(i);
    out.push_back(std::move(record));
  }
  return out;
}

/// A platform as the thesis's measurement tables name it, and what the loader records for
/// it. `modes` lists the operating modes a row may name; {""} = the platform has none.
struct thesis_platform {
  std::string_view thesis_name;
  std::string_view id;
  std::string_view host;
  std::string_view kernel_path;  ///< empty where the tables do not say
  std::array<std::string_view, 3> modes;
  bool int8_carrier;  ///< sub-8-bit integers run in INT8 (gemmlowp, thesis Section 6.3)
};

/// Every platform of thesis Tables A.7-A.23. The NCS rows are the Myriad X stick (Table
/// 6.2's "NCS (MyriadX)"), hence ncs2.
inline constexpr thesis_platform thesis_platforms[] = {
    {"TX2", "tx2", "NVIDIA Jetson TX2 (256-core Pascal GPU)", "", {"maxn", "maxp", "maxq"}, false},
    {"ZCU104-FINN", "zcu104-finn", "Xilinx ZCU104 (XCZU7EV)", "FINN dataflow accelerator", {""}, false},
    {"U96-Quadcore A53", "ultra96-a53", "Avnet Ultra96 (quad-core Arm Cortex-A53)", "gemmlowp", {""}, true},
    {"NCS", "ncs2", "Intel Neural Compute Stick 2 (Movidius Myriad X)", "", {""}, false},
};

}  // namespace detail

/// The columns of the QuTiBench measurement schema, in order; a file may add more after
/// them (the thesis's adds source_table, source_line, repaired, repair_notes).
inline constexpr std::array<std::string_view, 17> measurement_columns = {
    "topology",    "platform", "datatype", "pruning",     "op_mode",      "batch", "lat_sys_ms", "lat_comp_ms", "fps_sys",
    "fps_comp",    "tp_sys_gops", "tp_comp_gops", "top1", "top5", "base_pwr_w", "idle_pwr_w", "full_pwr_w"};

/// Reads level-3 measurements from a QuTiBench CSV (RFC 4180: quoted fields, doubled
/// quotes, CRLF): the 17 columns of `measurement_columns` first, any further columns kept
/// in `extra` (the thesis's source_table, source_line and repaired are also parsed).
///
/// Names map onto stable ids. Topology: the zoo's Table 6.1 name with the pruning ("CNV" +
/// "50" -> "CNV 50%" -> cnv-p50; at 100% a bare name such as "GoogLeNetv1" also matches), or
/// a zoo id (its pruning column empty or matching). Platform: the thesis's names
/// (`detail::thesis_platforms`: TX2 -> tx2 with op_mode maxn/maxp/maxq, ZCU104-FINN ->
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
/// the known ones), a bad number, or a row that repeats an earlier one's setting
/// (topology, platform, mode, datatype, batch); nothing is returned half-read.
inline std::vector<recorded_measurement> parse_measurements_csv(std::string_view text, const std::filesystem::path& file,
                                                                std::span<const std::string> platform_ids = {}) {
  const std::vector<detail::csv_record> records = detail::parse_csv(text, file.string());

  enum column : std::size_t {
    topology_col, platform_col, datatype_col, pruning_col, op_mode_col, batch_col, lat_sys_col, lat_comp_col,
    fps_sys_col, fps_comp_col, tp_sys_col, tp_comp_col, top1_col, top5_col, base_pwr_col, idle_pwr_col, full_pwr_col
  };
  std::string header;
  for (std::string_view c : measurement_columns) header += (header.empty() ? "" : ",") + std::string(c);
  if (records.empty() || records.front().fields.size() < measurement_columns.size() ||
      !std::equal(measurement_columns.begin(), measurement_columns.end(), records.front().fields.begin()))
    throw spec_error(error_id::malformed_record, file.string() + ":1",
                     "header must begin with '" + header + "' (further columns are kept)");
  const std::vector<std::string>& names = records.front().fields;
  auto extra_column = [&](std::string_view name) -> std::optional<std::size_t> {
    for (std::size_t c = measurement_columns.size(); c < names.size(); ++c)
      if (names[c] == name) return c;
    return std::nullopt;
  };
  const auto source_table_col = extra_column("source_table"), source_line_col = extra_column("source_line"),
             repaired_col = extra_column("repaired");

  std::vector<recorded_measurement> out;
  std::vector<int> lines;  // of the rows in `out`, for duplicate messages
  for (std::size_t r = 1; r < records.size(); ++r) {
    const std::vector<std::string>& f = records[r].fields;
    const std::string where = file.string() + ":" + std::to_string(records[r].line);
    auto fail = [&](const std::string& what) { throw spec_error(error_id::malformed_record, where, what); };
    if (f.size() != names.size())
      fail("expected " + std::to_string(names.size()) + " fields, got " + std::to_string(f.size()));

    // An empty field is an unknown figure; a present one must be a finite number >= 0.
    auto number_at = [&](std::size_t c) -> std::optional<double> {
      const std::string& s = f[c];
      if (s.empty()) return std::nullopt;
      double v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
        fail(names[c] + " '" + s + "' is not a non-negative number");
      return v;
    };
    auto number = [&](column c) { return number_at(c); };
    auto required = [&](column c) {
      const std::optional<double> v = number(c);
      if (!v || *v == 0) fail(std::string(measurement_columns[c]) + " is required and must be positive");
      return *v;
    };
    auto percentage = [&](column c) {
      const std::optional<double> v = number(c);
      if (v && *v > 100) fail(std::string(measurement_columns[c]) + " '" + f[c] + "' is not a percentage");
      return v;
    };
    auto whole_at = [&](std::size_t c) {
      std::uint64_t v = 0;
      const std::string& s = f[c];
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || end != s.data() + s.size() || v == 0)
        fail(names[c] + " '" + s + "' is not a positive whole number");
      return v;
    };

    // Topology: a zoo id, or the zoo's thesis name "NAME PRUNING%" (the bare name at 100%).
    const std::string pruned = f[topology_col] + " " + f[pruning_col] + "%";
    auto pruning_of = [](const zoo::entry& e) {
      const auto space = e.thesis_name.rfind(' ');
      return e.thesis_name.ends_with('%') ? std::string(e.thesis_name.substr(space + 1, e.thesis_name.size() - space - 2)) : "100";
    };
    const auto net = std::ranges::find_if(zoo::catalogue, [&](const zoo::entry& e) {
      if (e.id == f[topology_col]) return f[pruning_col].empty() || f[pruning_col] == pruning_of(e);
      return !e.thesis_name.empty() &&
             (e.thesis_name == pruned || (f[pruning_col] == "100" && e.thesis_name == f[topology_col]));
    });
    if (net == std::end(zoo::catalogue)) {
      std::string known;
      for (const zoo::entry& e : zoo::catalogue)
        if (!e.thesis_name.empty()) known += (known.empty() ? "" : ", ") + std::string(e.thesis_name);
      fail("unknown topology '" + f[topology_col] + "' at pruning '" + f[pruning_col] +
           "'; known: zoo ids, or " + known);
    }

    // Platform: a thesis name or its id (modes checked), or an id the caller knows.
    const auto thesis = std::ranges::find_if(detail::thesis_platforms, [&](const detail::thesis_platform& p) {
      return p.thesis_name == f[platform_col] || p.id == f[platform_col];
    });
    const bool other = thesis == std::end(detail::thesis_platforms) &&
                       std::ranges::find(platform_ids, f[platform_col]) != platform_ids.end();
    if (thesis == std::end(detail::thesis_platforms) && !other) {
      std::string known;
      for (const detail::thesis_platform& p : detail::thesis_platforms)
        known += (known.empty() ? "" : ", ") + std::string(p.thesis_name);
      for (const std::string& id : platform_ids) known += ", " + id;
      fail("unknown platform '" + f[platform_col] + "'; known: " + known);
    }
    if (!other && std::ranges::find(thesis->modes, f[op_mode_col]) == thesis->modes.end()) {
      std::string known;
      for (std::string_view m : thesis->modes)
        if (!m.empty()) known += (known.empty() ? "" : ", ") + std::string(m);
      fail("op_mode '" + f[op_mode_col] + "' is not one of " + f[platform_col] + "'s" +
           (known.empty() ? " (it has none: leave op_mode empty)" : ": " + known));
    }

    datatype type;
    try {
      type = datatype::parse(f[datatype_col]);
    } catch (const spec_error& e) {
      fail(e.what());
    }

    recorded_measurement row;
    measurement& m = row.record;
    m.what = kernel{std::string(net->id), measure_level::network, {}, type, whole_at(batch_col), 1};
    m.platform = other ? f[platform_col] : std::string(thesis->id);
    m.mode = f[op_mode_col];
    m.carrier = !other && thesis->int8_carrier ? carrier(type, std::span(&datatypes::int8, 1)).value_or(type) : type;
    m.kernel_path = other ? "" : std::string(thesis->kernel_path);
    m.host = other ? "" : std::string(thesis->host);

    const double batch = static_cast<double>(m.what.batch);
    const double fps_comp = required(fps_comp_col);
    row.fps_comp = fps_comp;
    m.work = ops::from_value(required(tp_comp_col) * 1e9 / fps_comp * batch);
    auto single_run = [](double s) {
      latency_stats l;
      l.median = l.min = l.max = l.q1 = l.q3 = seconds::from_value(s);
      l.runs = 1;
      return l;
    };
    const std::optional<double> lat_comp_ms = number(lat_comp_col);
    if (lat_comp_ms == 0.0) fail("lat_comp_ms must be positive");
    m.compute = single_run(lat_comp_ms ? *lat_comp_ms / 1000 : batch / fps_comp);
    const std::optional<double> lat_sys_ms = number(lat_sys_col), fps_sys = number(fps_sys_col);
    if (lat_sys_ms == 0.0 || fps_sys == 0.0) fail("lat_sys_ms and fps_sys must be positive where given");
    row.fps_sys = fps_sys;
    if (lat_sys_ms) m.system = single_run(*lat_sys_ms / 1000);
    else if (fps_sys) m.system = single_run(batch / *fps_sys);
    (void)number(tp_sys_col);  // not kept (it is fps_sys x ops per input), but must parse

    m.top1_pct = percentage(top1_col);
    m.top5_pct = percentage(top5_col);
    auto power = [&](column c) -> std::optional<watts> {
      if (const std::optional<double> v = number(c)) return watts::from_value(*v);
      return std::nullopt;
    };
    m.base_power = power(base_pwr_col);
    m.idle_power = power(idle_pwr_col);
    m.full_power = power(full_pwr_col);

    for (std::size_t c = measurement_columns.size(); c < names.size(); ++c) row.extra.emplace_back(names[c], f[c]);
    if (source_table_col) row.source_table = f[*source_table_col];
    if (source_line_col) {
      const std::uint64_t line = whole_at(*source_line_col);
      if (line > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) fail("source_line '" + f[*source_line_col] + "' is too large");
      row.source_line = static_cast<int>(line);
    }
    if (repaired_col) {
      if (f[*repaired_col] != "0" && f[*repaired_col] != "1") fail("repaired '" + f[*repaired_col] + "' must be 0 or 1");
      row.repaired = f[*repaired_col] == "1";
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
      const measurement& o = out[i].record;
      if (o.what.topology == m.what.topology && o.platform == m.platform && o.mode == m.mode && o.what.type == m.what.type &&
          o.what.batch == m.what.batch)
        fail("repeats the setting of line " + std::to_string(lines[i]) + " (" + m.what.topology + ", " + m.platform +
             (m.mode.empty() ? "" : ":" + m.mode) + ", " + type.name() + ", batch " + std::to_string(m.what.batch) + ")");
    }
    out.push_back(std::move(row));
    lines.push_back(records[r].line);
  }
  return out;
}

/// Reads the file `file` with `parse_measurements_csv`; spec_error 401 if it cannot be opened.
inline std::vector<recorded_measurement> load_measurements_csv(const std::filesystem::path& file,
                                                               std::span<const std::string> platform_ids = {}) {
  const std::optional<std::string> text = detail::read_text(file);
  if (!text) throw spec_error(error_id::malformed_record, file.string(), "cannot open");
  return parse_measurements_csv(*text, file, platform_ids);
}

namespace detail {
/// A CSV field, quoted where it holds a comma, a quote or a line break.
inline std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
inline std::string csv_number(std::optional<double> v) {
  if (!v || std::isnan(*v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
  return ec == std::errc{} ? std::string(buf, end) : "";
}
}  // namespace detail

/// Writes rows in the QuTiBench schema that `load_measurements_csv` reads back: stable ids
/// (topology with its pruning, platform, datatype), latencies in ms, published fps where
/// known (else batch / latency), GOP/s = fps x ops per input, then the extra columns of
/// the first row (every row must carry the same). Lines end in CRLF, as the thesis file's.
inline void write_measurements_csv(std::ostream& out, std::span<const recorded_measurement> rows) {
  std::vector<std::string> extra;
  if (!rows.empty())
    for (const auto& [name, value] : rows.front().extra) extra.push_back(name);
  std::string line;
  for (std::string_view c : measurement_columns) line += (line.empty() ? "" : ",") + std::string(c);
  for (const std::string& e : extra) line += "," + detail::csv_field(e);
  out << line << "\r\n";
  for (const recorded_measurement& r : rows) {
    const measurement& m = r.record;
    if (r.extra.size() != extra.size())
      throw std::invalid_argument("write_measurements_csv: rows carry different extra columns");
    const zoo::entry& e = zoo::find(m.what.topology);
    const auto space = e.thesis_name.rfind(' ');
    const std::string pruning =
        e.thesis_name.ends_with('%') ? std::string(e.thesis_name.substr(space + 1, e.thesis_name.size() - space - 2)) : "100";
    const double batch = static_cast<double>(m.what.batch);
    const double per_input = m.work.value() / batch;
    const double fps_comp = r.compute_inputs_per_s();
    const std::optional<double> fps_sys =
        r.fps_sys ? r.fps_sys : std::isnan(m.system.median.value()) ? std::nullopt : std::optional(batch / m.system.median.value());
    auto ms = [](const latency_stats& l) { return std::isnan(l.median.value()) ? std::optional<double>() : std::optional(l.median.value() * 1000); };
    auto w = [](const std::optional<watts>& p) { return p ? std::optional(p->value()) : std::nullopt; };
    const std::string fields[] = {m.what.topology, m.platform, m.what.type.name(), pruning, m.mode,
                                  std::to_string(m.what.batch), detail::csv_number(ms(m.system)), detail::csv_number(ms(m.compute)),
                                  detail::csv_number(fps_sys), detail::csv_number(fps_comp),
                                  detail::csv_number(fps_sys ? std::optional(*fps_sys * per_input / 1e9) : std::nullopt),
                                  detail::csv_number(fps_comp * per_input / 1e9), detail::csv_number(m.top1_pct),
                                  detail::csv_number(m.top5_pct), detail::csv_number(w(m.base_power)),
                                  detail::csv_number(w(m.idle_power)), detail::csv_number(w(m.full_power))};
    line.clear();
    for (const std::string& f : fields) line += (line.empty() ? "" : ",") + detail::csv_field(f);
    for (const auto& [name, value] : r.extra) line += "," + detail::csv_field(value);
    out << line << "\r\n";
  }
}

}  // namespace qutibench
