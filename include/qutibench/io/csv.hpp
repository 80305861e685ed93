// Comma-separated text (RFC 4180), read and written for the CSV file formats of io/
// (measurements, accuracy tables, thesis Table 7.1). Written here rather than taken from
// Debian's fast-cpp-csv-parser (libfccp-dev): that reader fixes the column count at
// compile time and counts lines without quoted line breaks, while these formats keep any
// extra columns and must name the physical line of every problem.
#pragma once

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qutibench/error.hpp"

namespace qutibench::csv {

/// One CSV record: its fields, unquoted, and the physical line it starts on (1-based).
struct record {
  int line = 0;
  std::vector<std::string> fields;
};

/// Calls `on_record(const record&)` for each record of RFC 4180 text, in order: fields
/// separated by commas, records by CRLF, LF or CR; a quoted field may hold commas, line
/// breaks and doubled quotes. Blank lines are skipped. The record is reused from call to
/// call (its fields keep their storage), so a large file costs no allocation per row.
/// Throws spec_error 401 naming `file`:line for an unterminated quoted field, text after a
/// closing quote, or a quote inside an unquoted field.
template <class F>
void for_each_record(std::string_view text, const std::string& file, F&& on_record) {
  auto fail = [&](int line, const std::string& what) {
    throw spec_error(error_id::malformed_record, file + ":" + std::to_string(line), what);
  };
  auto at_line_end = [&](std::size_t i) { return i == text.size() || text[i] == '\r' || text[i] == '\n'; };
  auto skip_line_end = [&](std::size_t& i) {
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') ++i;
  };
  record rec;
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // spreadsheets save a UTF-8 byte order mark
  for (int line = 1; i < text.size(); ++line) {
    if (at_line_end(i)) {
      skip_line_end(i);
      continue;
    }
    rec.line = line;
    std::size_t n = 0;
    for (;;) {
      if (n == rec.fields.size()) rec.fields.emplace_back();
      std::string& field = rec.fields[n++];
      field.clear();
      if (i < text.size() && text[i] == '"') {
        for (++i;; ++i) {
          if (i == text.size()) fail(rec.line, "quoted field is never closed");
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
      if (i == text.size() || text[i] != ',') break;
      ++i;
    }
    rec.fields.resize(n);
    skip_line_end(i);
    on_record(std::as_const(rec));
  }
}

/// The records of RFC 4180 text (see `for_each_record`).
inline std::vector<record> parse(std::string_view text, const std::string& file) {
  std::vector<record> out;
  for_each_record(text, file, [&](const record& r) { out.push_back(r); });
  return out;
}

/// The number that fills the whole of `field` (std::from_chars: no sign "+", no spaces; "inf"
/// and "nan" read as such), or none. The formats check their own ranges.
inline std::optional<double> parse_number(std::string_view field) {
  double v = 0;
  const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec != std::errc{} || end != field.data() + field.size()) return std::nullopt;
  return v;
}

/// A CSV field, quoted where it holds a comma, a quote or a line break.
inline std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
/// A number as the shortest text that reads back to it; empty when unknown (none or NaN).
inline std::string number(std::optional<double> v) {
  if (!v || std::isnan(*v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);
  return ec == std::errc{} ? std::string(buf, end) : "";
}
}  // namespace qutibench::csv
