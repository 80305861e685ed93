// The published-accuracy CSV files (data/accuracy/*.csv): accuracy records from a file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/accuracy.hpp"
#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/csv.hpp"
#include "qutibench/io/file.hpp"

namespace qutibench {

/// Reads CSV text with the header `topology,task,datatype,top1_pct,top5_pct`; `file` names
/// it in errors. Throws spec_error 401 naming file:line for a malformed row (101 for an
/// unknown datatype); nothing is returned half-read.
inline std::vector<accuracy_record> parse_accuracy_csv(std::string_view text, const std::filesystem::path& file) {
  const std::string header = "topology,task,datatype,top1_pct,top5_pct";
  std::vector<accuracy_record> out;
  const std::vector<csv::record> records = csv::parse(text, file.string());
  for (const csv::record& rec : records) {
    const std::vector<std::string>& f = rec.fields;
    const std::string where = file.string() + ":" + std::to_string(rec.line);
    if (&rec == &records.front()) {
      if (rec.line != 1 || f != std::vector<std::string>{"topology", "task", "datatype", "top1_pct", "top5_pct"})
        throw spec_error(error_id::malformed_record, file.string() + ":1", "header must be '" + header + "'");
      continue;
    }
    if (f.size() != 5) throw spec_error(error_id::malformed_record, where, "expected 5 columns, got " + std::to_string(f.size()));
    auto number_of = [&](const std::string& s, const char* column) {
      const std::optional<double> v = csv::parse_number(s);
      if (!v || !(*v >= 0 && *v <= 100))  // NaN fails too
        throw spec_error(error_id::malformed_record, where, std::string(column) + " '" + s + "' is not a percentage");
      return *v;
    };
    if (f[0].empty() || f[1].empty()) throw spec_error(error_id::malformed_record, where, "topology and task are required");
    datatype type;
    try {
      type = datatype::parse(f[2]);
    } catch (const spec_error& e) {
      throw spec_error(error_id::unknown_datatype, where, e.what());
    }
    accuracy_record r{f[0], f[1], type, number_of(f[3], "top1_pct"), std::nullopt};
    if (!f[4].empty()) r.top5_pct = number_of(f[4], "top5_pct");
    out.push_back(std::move(r));
  }
  return out;
}

/// Reads the file `file` with `parse_accuracy_csv`; spec_error 401 if it cannot be opened.
inline std::vector<accuracy_record> load_accuracy(const std::filesystem::path& file) {
  const std::optional<std::string> text = read_text(file);
  if (!text) throw spec_error(error_id::malformed_record, file.string(), "cannot open");
  return parse_accuracy_csv(*text, file);
}

}  // namespace qutibench
