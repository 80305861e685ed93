// LLM measurements a user ran on their own device, as a CSV whose columns are named as the
// `qutibench llm` options and keys: each row a request (topology, formats, batch, prompt,
// output) and one figure measured for it (decode or prefill tokens/s per sequence). What
// the few-shot calibration of an LLM request fits on (validation/llm_calibration.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/csv.hpp"
#include "qutibench/io/file.hpp"
#include "qutibench/io/llm_config.hpp"
#include "qutibench/llm/formats.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/predict/llm.hpp"

namespace qutibench::llm {

enum class measured_phase { prefill, decode };

/// One measured row: the request as `qutibench llm` takes it and its measured tokens/s per
/// sequence; `where` ("FILE:LINE") anchors problems found when it is predicted.
struct measured_request {
  std::string where, topology, weights, kv, activations;
  decoder model;
  tensor_formats formats;
  request req;
  measured_phase phase = measured_phase::decode;
  double tokens_per_s = 0;
};

/// The columns: the first four required, the others optional with the llm command's
/// defaults, `source` and `notes` free text.
inline constexpr std::array<std::string_view, 15> request_columns = {
    "topology", "weights", "metric", "value", "kv", "activations", "batch", "prompt", "output", "tp", "pp", "ep", "micro_batches",
    "source", "notes"};

/// The rows of `text` (CSV with a header, any order of the columns above). Each problem is
/// a spec_error naming `file`:line and the column: 401 (malformed_record) for a header
/// without a required column or with an unknown or repeated one, a row whose field count is
/// not the header's, a metric other than decode_tokens_per_s / prefill_tokens_per_s, a value
/// outside 1e-9..1e12 tokens/s, a count (batch, prompt, output, tp, pp, ep,
/// micro_batches) that is not a whole number from 1 to 1e9 (the request's own checks of
/// the split follow when it is predicted); the llm command's format, datatype and topology
/// errors (101; 301; a config.json's own 50x), re-anchored at the row and column. A
/// topology is resolved once (a zoo id under `data_dir`, or a config.json path as
/// --topology takes it: relative to the working directory).
inline std::vector<measured_request> parse_measured_requests(std::string_view text, const std::string& file,
                                                             const std::filesystem::path& data_dir) {
  const std::vector<csv::record> records = csv::parse(text, file);
  if (records.empty()) throw spec_error(error_id::malformed_record, file, "no header: give topology,weights,metric,value and rows");
  const csv::record& header = records.front();
  std::array<int, request_columns.size()> at{};
  at.fill(-1);
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const auto it = std::ranges::find(request_columns, header.fields[i]);
    const std::string where = file + ":" + std::to_string(header.line) + " column '" + header.fields[i] + "'";
    if (it == request_columns.end())
      throw spec_error(error_id::malformed_record, where, "not a column; valid: topology, weights, metric, value, kv, activations, batch, "
                                                          "prompt, output, tp, pp, ep, micro_batches, source, notes");
    int& slot = at[static_cast<std::size_t>(it - request_columns.begin())];
    if (slot >= 0) throw spec_error(error_id::malformed_record, where, "given twice");
    slot = static_cast<int>(i);
  }
  for (std::size_t c = 0; c < 4; ++c)
    if (at[c] < 0)
      throw spec_error(error_id::malformed_record, file + ":" + std::to_string(header.line),
                       "the header lacks the column '" + std::string(request_columns[c]) + "'");
  std::map<std::string, decoder, std::less<>> decoders;  // rows name a handful of models
  std::vector<measured_request> out;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const csv::record& rec = records[r];
    const std::string line = file + ":" + std::to_string(rec.line);
    if (rec.fields.size() != header.fields.size())
      throw spec_error(error_id::malformed_record, line,
                       "has " + std::to_string(rec.fields.size()) + " fields, the header " + std::to_string(header.fields.size()));
    const auto field = [&](std::size_t c, std::string_view fallback) {
      return at[c] < 0 ? std::string(fallback) : rec.fields[static_cast<std::size_t>(at[c])];
    };
    const auto where = [&](std::size_t c) { return line + " column '" + std::string(request_columns[c]) + "'"; };
    const auto count = [&](std::size_t c, std::string_view fallback) {
      const double v = csv::parse_number(field(c, fallback)).value_or(std::nan(""));
      if (!(v >= 1 && v <= 1e9 && v == std::floor(v)))
        throw spec_error(error_id::malformed_record, where(c), "must be a whole number from 1 to 1e9, got '" + field(c, fallback) + "'");
      return v;
    };
    measured_request m;
    m.where = line;
    m.topology = field(0, ""), m.weights = field(1, ""), m.kv = field(4, "f16"), m.activations = field(5, "fp16");
    const std::string metric = field(2, "");
    if (metric != "decode_tokens_per_s" && metric != "prefill_tokens_per_s")
      throw spec_error(error_id::malformed_record, where(2), "must be decode_tokens_per_s or prefill_tokens_per_s, got '" + metric + "'");
    m.phase = metric == "decode_tokens_per_s" ? measured_phase::decode : measured_phase::prefill;
    m.tokens_per_s = csv::parse_number(field(3, "")).value_or(std::nan(""));
    if (!plausible_rate(m.tokens_per_s))
      throw spec_error(error_id::malformed_record, where(3), "must be from 1e-9 to 1e12 tokens/s, got '" + field(3, "") + "'");
    m.req.batch = count(6, "1"), m.req.prompt = count(7, "512"), m.req.output = count(8, "128");
    m.req.tp = count(9, "1"), m.req.pp = count(10, "1"), m.req.ep = count(11, "1"), m.req.micro_batches = count(12, "1");
    // The command's own readings of each, their errors re-anchored at the row and column.
    const auto at_column = [&](std::size_t c, auto&& read) {
      try {
        return read();
      } catch (const spec_error& e) {
        throw spec_error(e.id(), where(c) + " " + e.where(), e.reason());
      }
    };
    m.formats = {at_column(1, [&]() -> const storage_format& { return find_format(m.weights); }),
                 at_column(5, [&] { return datatype::parse(m.activations); }),
                 at_column(4, [&]() -> const storage_format& { return find_format(m.kv); })};
    auto it = decoders.find(m.topology);
    if (it == decoders.end()) it = decoders.emplace(m.topology, at_column(0, [&] { return find_decoder(m.topology, data_dir); })).first;
    m.model = it->second;
    out.push_back(std::move(m));
  }
  if (out.empty()) throw spec_error(error_id::malformed_record, file, "has a header but no rows");
  return out;
}

/// The rows of the CSV file `file` (see parse_measured_requests); spec_error 401 if it cannot be read.
inline std::vector<measured_request> load_measured_requests(const std::filesystem::path& file, const std::filesystem::path& data_dir) {
  const std::optional<std::string> text = read_text(file);
  if (!text) throw spec_error(error_id::malformed_record, file.string(), "cannot open");
  return parse_measured_requests(*text, file.string(), data_dir);
}

}  // namespace qutibench::llm
