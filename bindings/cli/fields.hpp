// The library's field lists (`fields(record, f)`, e.g. predict/fields.hpp) as the command
// line's cells: every command prints a record by naming the columns it wants, so a figure
// keeps the name and the null/NaN rules the library gives it (and Python's dicts use).
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "qutibench/layer.hpp"
#include "table.hpp"

namespace qutibench::cli {

/// A field's value as a cell: text, an exact count, a real (NaN: null), or null for none.
inline cell to_cell(std::string_view s) { return std::string(s); }
inline cell to_cell(const std::string& s) { return s; }
inline cell to_cell(double v) { return real(v); }
inline cell to_cell(bool v) { return std::string(v ? "yes" : "no"); }
template <std::signed_integral T>
cell to_cell(T v) { return static_cast<std::int64_t>(v); }
template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>)
cell to_cell(T v) { return static_cast<std::uint64_t>(v); }
/// A shape as the text an editor shows, e.g. "(64, 56, 56)".
inline cell to_cell(const tensor_shape& s) { return s.str(); }
template <class T>
cell to_cell(const std::optional<T>& v) { return v ? to_cell(*v) : cell{}; }
/// A list (batches, layers) as one space-separated text cell.
template <class T>
cell to_cell(const std::vector<T>& items) {
  std::string out;
  for (const T& item : items) {
    out += (out.empty() ? "" : " ") + text_of(to_cell(item));
  }
  return out;
}

/// Named cells: the fields of one or more records plus the context a command adds.
class named_cells {
 public:
  /// Appends every field of `r` (its `fields()` overload, found by argument-dependent lookup).
  template <class Record>
  named_cells& add(const Record& r) {
    fields(r, [this](std::string_view name, const auto& v) { set(name, to_cell(v)); });
    return *this;
  }
  /// Sets `name`, replacing a field of that name (a command's context wins).
  named_cells& set(std::string_view name, cell value);
  /// The cells of `columns` in their order; a column no field names is a programming error.
  std::vector<cell> row(const std::vector<std::string>& columns) const;
  /// Every field as a JSON object, in field order.
  nlohmann::ordered_json object() const;
  /// The fields `columns` as a JSON object, in their order.
  nlohmann::ordered_json object(const std::vector<std::string>& columns) const;

 private:
  std::vector<std::pair<std::string, cell>> cells_;
};

/// The fields of `r` alone.
template <class Record>
named_cells cells_of(const Record& r) {
  named_cells c;
  c.add(r);
  return c;
}

/// The columns a calibrated prediction adds after its model: "calibration" (the file), then
/// the fields of the calibration record `r` in their order, as Python's keys follow them.
template <class Record>
std::vector<std::string> calibration_columns(const Record& r) {
  std::vector<std::string> names{"calibration"};
  fields(r, [&](std::string_view name, const auto&) { names.emplace_back(name); });
  return names;
}

}  // namespace qutibench::cli
