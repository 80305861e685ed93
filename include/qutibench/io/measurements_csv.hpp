// Level-3 measurements published in the QuTiBench thesis (appendix Tables A.7-A.23), read
// from a CSV such as data/measurements/level3_thesis.csv onto the library's stable ids.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

/// A measurement read from published data, with its provenance: `measurement` has no
/// fields for where a figure comes from, so the loader returns them alongside.
struct recorded_measurement {
  measurement record;
  std::string source_table;  ///< the thesis table, e.g. "A.7"
  int source_line = 0;       ///< the line of the thesis source the row was extracted from
  bool repaired = false;     ///< damaged source text was repaired (the CSV's repair_notes say how)
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

/// Reads level-3 measurements from a CSV with the header
/// `topology,platform,datatype,pruning,op_mode,batch,lat_sys_ms,lat_comp_ms,fps_sys,fps_comp,
/// tp_sys_gops,tp_comp_gops,top1,top5,base_pwr_w,idle_pwr_w,full_pwr_w,source_table,
/// source_line,repaired,repair_notes` (RFC 4180: quoted fields, doubled quotes, CRLF).
///
/// Names are the thesis's and map onto stable ids: topology + pruning through the zoo's
/// Table 6.1 names ("CNV" + "50" -> "CNV 50%" -> cnv-p50; at 100% a bare name such as
/// "GoogLeNetv1" also matches), platforms through `detail::thesis_platforms` (TX2 -> tx2
/// with op_mode maxn/maxp/maxq, ZCU104-FINN -> zcu104-finn, U96-Quadcore A53 ->
/// ultra96-a53, NCS -> ncs2), datatypes through datatype::parse.
///
/// Each row becomes a level-3 kernel (batch from the row, threads 1: the tables do not
/// record threads). The thesis publishes one figure per setting, so each latency is a
/// single run: runs = 1 and min = max = q1 = q3 = median. Compute latency = lat_comp_ms,
/// or batch / fps_comp where that is empty; system latency = lat_sys_ms, or batch / fps_sys,
/// or unknown (median NaN, runs 0) where both are empty. work = tp_comp_gops x 1e9 /
/// fps_comp x batch (ops per input x batch; tp_comp_gops and fps_comp are required).
/// Accuracy and power columns may be empty (unknown). On the Cortex-A53 the carrier of
/// INT2/INT4 is INT8 (gemmlowp); elsewhere it is the row's datatype.
///
/// The tables publish latency and throughput as separate figures, and they need not agree
/// (lat_comp_ms often differs from batch / fps_comp): a record's throughput, derived from
/// its latency, can then differ from the published fps.
///
/// Throws spec_error 401 naming file:line for a file that cannot be read, a wrong header, a
/// row with the wrong number of fields, an unknown name (listing the known ones) or a bad
/// number; nothing is returned half-read.
inline std::vector<recorded_measurement> load_measurements_csv(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw spec_error(error_id::malformed_record, file.string(), "cannot open");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::vector<detail::csv_record> records = detail::parse_csv(text, file.string());

  static constexpr std::array<std::string_view, 21> columns = {
      "topology",    "platform",    "datatype",   "pruning",   "op_mode",    "batch",        "lat_sys_ms",
      "lat_comp_ms", "fps_sys",     "fps_comp",   "tp_sys_gops", "tp_comp_gops", "top1",       "top5",
      "base_pwr_w",  "idle_pwr_w",  "full_pwr_w", "source_table", "source_line", "repaired",   "repair_notes"};
  enum column : std::size_t {
    topology_col, platform_col, datatype_col, pruning_col, op_mode_col, batch_col, lat_sys_col, lat_comp_col,
    fps_sys_col, fps_comp_col, tp_sys_col, tp_comp_col, top1_col, top5_col, base_pwr_col, idle_pwr_col,
    full_pwr_col, source_table_col, source_line_col, repaired_col
  };
  std::string header;
  for (std::string_view c : columns) header += (header.empty() ? "" : ",") + std::string(c);
  if (records.empty() || !std::ranges::equal(records.front().fields, columns))
    throw spec_error(error_id::malformed_record, file.string() + ":1", "header must be '" + header + "'");

  std::vector<recorded_measurement> out;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const std::vector<std::string>& f = records[r].fields;
    const std::string where = file.string() + ":" + std::to_string(records[r].line);
    auto fail = [&](const std::string& what) { throw spec_error(error_id::malformed_record, where, what); };
    if (f.size() != columns.size())
      fail("expected " + std::to_string(columns.size()) + " fields, got " + std::to_string(f.size()));

    // An empty field is an unknown figure; a present one must be a finite number >= 0.
    auto number = [&](column c) -> std::optional<double> {
      const std::string& s = f[c];
      if (s.empty()) return std::nullopt;
      double v = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
        fail(std::string(columns[c]) + " '" + s + "' is not a non-negative number");
      return v;
    };
    auto required = [&](column c) {
      const std::optional<double> v = number(c);
      if (!v || *v == 0) fail(std::string(columns[c]) + " is required and must be positive");
      return *v;
    };
    auto percentage = [&](column c) {
      const std::optional<double> v = number(c);
      if (v && *v > 100) fail(std::string(columns[c]) + " '" + f[c] + "' is not a percentage");
      return v;
    };
    auto whole = [&](column c) {
      std::uint64_t v = 0;
      const std::string& s = f[c];
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || end != s.data() + s.size() || v == 0)
        fail(std::string(columns[c]) + " '" + s + "' is not a positive whole number");
      return v;
    };

    // Topology: the zoo's thesis name "NAME PRUNING%", or the bare name at 100%.
    const std::string pruned = f[topology_col] + " " + f[pruning_col] + "%";
    const auto net = std::ranges::find_if(zoo::catalogue, [&](const zoo::entry& e) {
      return !e.thesis_name.empty() &&
             (e.thesis_name == pruned || (f[pruning_col] == "100" && e.thesis_name == f[topology_col]));
    });
    if (net == std::end(zoo::catalogue)) {
      std::string known;
      for (const zoo::entry& e : zoo::catalogue)
        if (!e.thesis_name.empty()) known += (known.empty() ? "" : ", ") + std::string(e.thesis_name);
      fail("unknown topology '" + f[topology_col] + "' at pruning '" + f[pruning_col] + "'; known: " + known);
    }

    const auto platform_it =
        std::ranges::find(detail::thesis_platforms, f[platform_col], &detail::thesis_platform::thesis_name);
    if (platform_it == std::end(detail::thesis_platforms)) {
      std::string known;
      for (const detail::thesis_platform& p : detail::thesis_platforms)
        known += (known.empty() ? "" : ", ") + std::string(p.thesis_name);
      fail("unknown platform '" + f[platform_col] + "'; known: " + known);
    }
    const detail::thesis_platform& plat = *platform_it;
    if (std::ranges::find(plat.modes, f[op_mode_col]) == plat.modes.end()) {
      std::string known;
      for (std::string_view m : plat.modes)
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
    m.what = kernel{std::string(net->id), measure_level::network, {}, type, whole(batch_col), 1};
    m.platform = plat.id;
    m.mode = f[op_mode_col];
    m.carrier = plat.int8_carrier ? carrier(type, std::span(&datatypes::int8, 1)).value_or(type) : type;
    m.kernel_path = plat.kernel_path;
    m.host = plat.host;

    const double batch = static_cast<double>(m.what.batch);
    const double fps_comp = required(fps_comp_col);
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
    if (lat_sys_ms) m.system = single_run(*lat_sys_ms / 1000);
    else if (fps_sys) m.system = single_run(batch / *fps_sys);
    (void)number(tp_sys_col);  // not recorded (it is fps_sys x ops per input), but must parse

    m.top1_pct = percentage(top1_col);
    m.top5_pct = percentage(top5_col);
    auto power = [&](column c) -> std::optional<watts> {
      if (const std::optional<double> v = number(c)) return watts::from_value(*v);
      return std::nullopt;
    };
    m.base_power = power(base_pwr_col);
    m.idle_power = power(idle_pwr_col);
    m.full_power = power(full_pwr_col);

    if (f[source_table_col].empty()) fail("source_table is required");
    row.source_table = f[source_table_col];
    const std::uint64_t source_line = whole(source_line_col);
    if (source_line > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
      fail("source_line '" + f[source_line_col] + "' is too large");
    row.source_line = static_cast<int>(source_line);
    if (f[repaired_col] != "0" && f[repaired_col] != "1") fail("repaired '" + f[repaired_col] + "' must be 0 or 1");
    row.repaired = f[repaired_col] == "1";
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace qutibench
