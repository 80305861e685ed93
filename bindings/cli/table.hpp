// A small result table for the command line: one set of rows printed as an aligned
// text table, CSV or JSON (an array of objects with the column names as keys).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace qutibench::cli {

/// A cell: text, an exact count (signed, or unsigned up to 2^64 - 1) or a real number;
/// null prints empty (CSV), "-" (table), null (JSON).
using cell = std::variant<std::monostate, std::string, std::int64_t, std::uint64_t, double>;

enum class format { table, csv, json };

struct table {
  std::vector<std::string> columns;
  std::vector<std::vector<cell>> rows;
  /// Printed below the rows in the text table only (e.g. a totals line).
  std::vector<std::vector<cell>> footer;
};

/// Parses "table", "csv" or "json" (the --format values).
format parse_format(const std::string& name);

/// Tables wider than this print one record as a field per line.
inline constexpr std::size_t max_table_width = 120;

/// Writes `t` to `out` in format `f`. CSV and JSON reals keep 15 significant digits so
/// that exact counts divided by 10^6 or 10^9 survive a round trip; a table is for people:
/// 4 significant digits, thousands grouped, "-" for null, and a single record wider than
/// max_table_width as a field per line.
void print(std::ostream& out, const table& t, format f);

/// A cell as one item of a list cell: numbers in full, ungrouped ("-" for null).
std::string text_of(const cell& c);

/// The rows of `t` as a JSON array of objects keyed by column name.
nlohmann::ordered_json to_json(const table& t);

/// A real number as text with 15 significant digits, trailing zeros dropped.
std::string format_real(double v);

/// A real number as a person reads it: 4 significant digits with the whole part grouped
/// by thousands (1,811; 752.9; 0.01235), in scientific notation below 0.001 and from
/// 10^9, where grouped digits stop being easy to read (6.61e-07, 6.71e+12).
std::string readable_real(double v);

/// A real number as a cell; NaN (unsupported, unknown) becomes an empty cell. An
/// infinite intensity prints "inf" in text and CSV, null in JSON.
cell real(double v);

}  // namespace qutibench::cli
