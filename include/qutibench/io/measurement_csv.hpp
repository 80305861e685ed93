// Measurement records in the QuTiBench CSV schema (the thesis's appendix Tables A.7-A.23,
// data/measurements/level3_thesis.csv, or a user's own) or in the shape of published
// tables (data/measurements/public_cnn_dev.csv), read onto the stable ids and written back;
// repeated measurements of one setting merged into one record.
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
#include "qutibench/io/measurement_row.hpp"
#include "qutibench/io/thesis_names.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

namespace measurement_csv {

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

/// The leading columns of a published table (../shared/reference/public/measured_cnn_dev.csv):
/// one throughput and one latency per row, of the kind `metric_kind` names.
inline constexpr std::array<std::string_view, 8> published_columns = {
    "topology_id", "platform_id", "mode", "datatype", "batch", "measured_inputs_per_s", "measured_latency_ms", "metric_kind"};

/// A published table's header and rows in the QuTiBench schema: the figures go to the
/// compute columns (metric_kind compute) or to the system ones (system, and unknown: a figure
/// whose source does not say may include what a deployment pays around the kernels);
/// metric_kind and the columns after it stay as extra columns. Errors name the table's columns.
class published_table {
 public:
  explicit published_table(const std::vector<std::string>& header) {
    for (const column kind : {fps_sys_col, fps_comp_col}) {
      std::vector<std::string>& n = kind == fps_sys_col ? system_ : compute_;
      n.assign(measurement_columns.begin(), measurement_columns.end());
      n[topology_col] = "topology_id";
      n[platform_col] = "platform_id";
      n[op_mode_col] = "mode";
      n[kind] = "measured_inputs_per_s";
      n[kind == fps_sys_col ? lat_sys_col : lat_comp_col] = "measured_latency_ms";
      n.insert(n.end(), header.begin() + 7, header.end());
    }
  }
  static bool is_header(const std::vector<std::string>& header) {
    return header.size() >= published_columns.size() &&
           std::equal(published_columns.begin(), published_columns.end(), header.begin());
  }
  /// The names the row's columns go by, and its fields in the schema's order.
  const std::vector<std::string>& names(const std::vector<std::string>& row) const {
    return row.size() > 7 && row[7] == "compute" ? compute_ : system_;
  }
  std::vector<std::string> fields(const std::vector<std::string>& row) const {
    std::vector<std::string> f(measurement_columns.size());
    f[topology_col] = row[0];
    f[platform_col] = row[1];
    f[op_mode_col] = row[2] == "unknown" ? "" : row[2];  // the table's word for a mode its source does not state
    f[datatype_col] = row[3];
    f[batch_col] = row[4];
    const bool compute = row[7] == "compute";
    auto figure = [](const std::string& v) { return v == "-" ? std::string() : v; };  // vendor tables print "-" for none
    f[compute ? fps_comp_col : fps_sys_col] = figure(row[5]);
    f[compute ? lat_comp_col : lat_sys_col] = figure(row[6]);
    f.insert(f.end(), row.begin() + 7, row.end());
    return f;
  }

 private:
  std::vector<std::string> system_, compute_;
};

/// The key of a row's setting: the ids, NUL-separated, then the mode. Only the mode is free
/// text, so it goes last: the ids before it cannot hold a NUL, and the key cannot be split two ways.
inline std::string setting_key(const measurement& m) {
  return m.what.topology + '\0' + m.platform + '\0' + m.what.type.name() + '\0' + std::to_string(m.what.batch) + '\0' + m.mode;
}

}  // namespace measurement_csv

/// Reads level-3 measurements, one record per row, from a CSV (RFC 4180: quoted fields,
/// doubled quotes, CRLF) in either of two shapes, told apart by the header:
/// - the QuTiBench schema: the 17 columns of `measurement_columns` first, any further
///   columns kept in `extra` (the thesis's source_table, source_line and repaired are also
///   parsed);
/// - a published table (`measurement_csv::published_columns`, the shape of
///   data/measurements/public_cnn_dev.csv): measured_inputs_per_s and measured_latency_ms
///   are compute figures where metric_kind is compute, system figures where it is system or
///   unknown (compute then unknown); a figure "-" is none, and a row with neither figure
///   (a setting its source printed no result for) is skipped; mode "unknown" is not stated
///   (empty op_mode);
///   metric_kind and the columns after it are kept in `extra`.
///
/// Names map onto stable ids. Topology: the zoo's Table 6.1 name with the pruning ("CNV" +
/// "50" -> "CNV 50%" -> cnv-p50; at 100% a bare name such as "GoogLeNetv1" also matches),
/// an appendix name (`thesis_topology_aliases`: ResNet50v1.5), or a zoo id (its pruning
/// column empty or matching). Platform: the thesis's names (`thesis_platforms`: TX2 -> tx2
/// with op_mode maxn/maxp/maxq, ZCU104-FINN -> zcu104-finn, U96-Quadcore A53 ->
/// ultra96-a53, NCS -> ncs2, ZCU104-BISMO, Ultra96-DPU, ZCU102-DPU, ZCU104-DPU, TPU ->
/// coral-tpu with op_mode fast/slow), their ids, or any id in `platform_ids` (e.g. the
/// data/platforms specs and "host"; its op_mode is not checked here). Datatypes:
/// datatype::parse.
///
/// Each row is a level-3 kernel (threads 1: the tables do not record threads) at the
/// row's batch; an empty batch is not stated (batch 0). A row gives, of compute and of
/// system, any of latency (ms per batch), fps (inputs/s) and GOP/s, at least one figure in
/// all; the others derive: fps from GOP/s and ops per input, latency from batch / fps.
/// Each latency is a single run (runs = 1, min = max = q1 = q3 = median); a kind with no
/// figure, or with only a throughput at an unstated batch, has an unknown latency (median
/// NaN, runs 0). Ops per input = the row's GOP/s / fps (compute, else system), else the
/// zoo network's; work = ops per input x batch (x 1 where the batch is not stated). The
/// inputs/s a row states (fps, or GOP/s over ops) are kept beside the record: the tables
/// give latency and throughput as separate figures that need not agree. On the Cortex-A53
/// the carrier of INT2/INT4 is INT8 (gemmlowp); elsewhere it is the row's datatype.
///
/// A setting (topology, platform, mode, datatype, batch) measured on several rows gives
/// several records, in file order: `merge_repeats` aggregates them.
///
/// `file` names the text in errors. Throws spec_error 401 naming file:line and the column
/// for a header of neither shape, a row with the wrong number of fields, an unknown name
/// (listing the known ones), a bad number, a row with no figure, a latency alone at an
/// unstated batch, a system latency below the compute latency, or an fps more than tenfold
/// off batch / latency (both beyond the rounding of the printed digits); nothing is
/// returned half-read.
inline std::vector<recorded_measurement> parse_measurements_csv(std::string_view text, const std::filesystem::path& file,
                                                                std::span<const std::string> platform_ids = {}) {
  const std::string file_name = file.string();
  std::vector<std::string> names;  // the header's, once read
  std::optional<measurement_csv::published_table> table;
  std::vector<recorded_measurement> out;
  // Rows are not nothrow-movable (boost::units quantities), so growing the vector would
  // copy every row read so far (a fifth of a 100,000-row load). Reserved: one per line
  // break, but no more than the shortest valid row (22 bytes: "cnv,h,int1,,,,,,,1,,,,,,,\n")
  // allows, so junk text cannot reserve more than a valid file of its size would use.
  out.reserve(std::min(static_cast<std::size_t>(std::ranges::count(text, '\n')), text.size() / 22) + 1);
  measurement_csv::zoo_ops ops_of;
  auto header_error = [&] {
    std::string schema, published;
    for (std::string_view c : measurement_columns) schema += (schema.empty() ? "" : ",") + std::string(c);
    for (std::string_view c : measurement_csv::published_columns) published += (published.empty() ? "" : ",") + std::string(c);
    return spec_error(error_id::malformed_record, file_name + ":1",
                      "header must begin with '" + schema + "' or, for a published table, '" + published +
                          "' (further columns are kept)");
  };
  // Rows are read as the CSV reader finds them, so no copy of the whole file's fields is held.
  csv::for_each_record(text, file_name, [&](const csv::record& rec) {
    if (names.empty()) {
      if (measurement_csv::published_table::is_header(rec.fields))
        table.emplace(rec.fields);
      else if (rec.fields.size() < measurement_columns.size() ||
               !std::equal(measurement_columns.begin(), measurement_columns.end(), rec.fields.begin()))
        throw header_error();
      names = rec.fields;
      return;
    }
    if (rec.fields.size() != names.size())
      throw spec_error(error_id::malformed_record, file_name + ":" + std::to_string(rec.line),
                       "expected " + std::to_string(names.size()) + " fields, got " + std::to_string(rec.fields.size()));
    if (table) {
      const std::vector<std::string> fields = table->fields(rec.fields);
      const measurement_csv::row_reader r{table->names(rec.fields), fields, file_name, rec.line};
      if (const std::string& kind = rec.fields[7]; kind != "compute" && kind != "system" && kind != "unknown")
        r.fail("metric_kind '" + kind + "' must be compute, system or unknown");
      if (fields[measurement_csv::fps_sys_col].empty() && fields[measurement_csv::lat_sys_col].empty() &&
          fields[measurement_csv::fps_comp_col].empty() && fields[measurement_csv::lat_comp_col].empty())
        return;  // the source printed no figure for this setting ("-"): nothing was measured
      out.push_back(measurement_csv::read_row(r, platform_ids, ops_of));
      measurement_csv::read_extra(r, out.back());
      return;
    }
    const measurement_csv::row_reader r{names, rec.fields, file_name, rec.line};
    out.push_back(measurement_csv::read_row(r, platform_ids, ops_of));
    measurement_csv::read_extra(r, out.back());
  });
  if (names.empty()) throw header_error();
  return out;
}

/// Which figure of a setting measured several times stands for it: the median of the
/// samples' throughputs, or the best (highest).
enum class repeat_statistic { median, best };

/// One record per setting (topology, platform, mode, datatype, batch), in the order of
/// first appearance. A setting on one row keeps it unchanged. Several rows are samples of
/// it: the compute and system latency statistics summarize the samples that give that kind
/// (runs = their number, min = the best), the stated inputs/s is the median or best
/// (`statistic`) of the samples' inputs/s, and the rest (accuracy, power, extra columns,
/// provenance) is the first sample's.
inline std::vector<recorded_measurement> merge_repeats(std::span<const recorded_measurement> rows,
                                                       repeat_statistic statistic = repeat_statistic::median) {
  std::unordered_map<std::string, std::vector<const recorded_measurement*>> samples;
  std::vector<const recorded_measurement*> first;
  for (const recorded_measurement& r : rows) {
    auto& s = samples[measurement_csv::setting_key(r.record)];
    if (s.empty()) first.push_back(&r);
    s.push_back(&r);
  }
  std::vector<recorded_measurement> out;
  out.reserve(first.size());
  for (const recorded_measurement* f : first) {
    out.push_back(*f);
    const auto& s = samples.at(measurement_csv::setting_key(f->record));
    if (s.size() == 1) continue;
    const double batch = static_cast<double>(f->record.what.batch);
    auto merge = [&](auto latency_of, auto fps_of, latency_stats& stats, std::optional<double>& fps) {
      std::vector<double> latencies, throughputs;
      for (const recorded_measurement* r : s) {
        if (const double l = latency_of(*r).median.value(); !std::isnan(l)) latencies.push_back(l);
        if (const std::optional<double> x = fps_of(*r)) throughputs.push_back(*x);
        else if (const double l = latency_of(*r).median.value(); !std::isnan(l) && batch > 0) throughputs.push_back(batch / l);
      }
      if (!latencies.empty()) stats = summarize(std::move(latencies));
      if (throughputs.empty()) return;
      const five_numbers q = quantiles(std::move(throughputs));
      fps = statistic == repeat_statistic::best ? q.max : q.median;
    };
    measurement& m = out.back().record;
    merge([](const recorded_measurement& r) { return r.record.compute; }, [](const recorded_measurement& r) { return r.fps_comp; },
          m.compute, out.back().fps_comp);
    merge([](const recorded_measurement& r) { return r.record.system; }, [](const recorded_measurement& r) { return r.fps_sys; },
          m.system, out.back().fps_sys);
  }
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
/// (topology with its pruning, platform, datatype), the batch (empty where not stated),
/// latencies in ms (empty where unknown or read as batch / published fps), published fps
/// where known (else batch / latency), GOP/s = fps x ops per input, then the extra columns
/// of the first row (every row must carry the same). Lines end in CRLF, as the thesis file's.
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
    const double per_input = m.work.value() / std::max(batch, 1.0);
    const double fps_comp = r.compute_inputs_per_s(), fps_sys = r.system_inputs_per_s();  // NaN (written empty) where unknown
    auto w = [](const std::optional<watts>& p) { return p ? std::optional(p->value()) : std::nullopt; };
    // A latency the reader derived from a published fps stays empty: written out, it would
    // meet the latency checks that the row, read without it, never had to pass.
    auto ms = [&](const latency_stats& l, const std::optional<double>& published_fps) {
      return published_fps && l.median.value() == batch / *published_fps ? std::string()
                                                                           : measurement_csv::ms_text(l.median.value());
    };
    const std::string fields[] = {m.what.topology, m.platform, m.what.type.name(), thesis_pruning(zoo::find(m.what.topology)), m.mode,
                                  m.what.batch == 0 ? std::string() : std::to_string(m.what.batch), ms(m.system, r.fps_sys), ms(m.compute, r.fps_comp),
                                  csv::number(fps_sys), csv::number(fps_comp),
                                  csv::number(fps_sys * per_input / 1e9),
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
