#include "table.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

#include "fields.hpp"
#include "qutibench/io/csv.hpp"

namespace qutibench::cli {

format parse_format(const std::string& name) {
  if (name == "table") return format::table;
  if (name == "csv") return format::csv;
  if (name == "json") return format::json;
  throw std::invalid_argument("unknown format '" + name + "' (table, csv or json)");
}

std::string format_real(double v) { return fmt::format("{:.15g}", v); }

namespace {

/// `number` (digits, an optional sign and decimals) with its whole part in groups of three.
std::string grouped(std::string number) {
  const std::size_t first = number.front() == '-' ? 1 : 0;
  const std::size_t point = std::min(number.find('.'), number.size());
  for (std::size_t i = point; i > first + 3; i -= 3) number.insert(i - 3, ",");
  return number;
}

}  // namespace

std::string readable_real(double v) {
  if (std::isnan(v)) return "-";  // unknown, as an empty cell prints (and never "-nan")
  const double a = std::fabs(v);
  if (!std::isfinite(v) || v == 0 || a < 1e-3 || a >= 1e9) return fmt::format("{:.4g}", v);
  const int exponent = static_cast<int>(std::floor(std::log10(a)));  // 10^exponent <= |v|
  // Digits past the 4th: decimals dropped, or whole places rounded to zeros (42,920).
  const double unit = std::pow(10.0, exponent - 3);
  std::string s = fmt::format("{:.{}f}", exponent > 3 ? std::round(v / unit) * unit : v, std::max(0, 3 - exponent));
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return grouped(s);
}

cell real(double v) { return std::isnan(v) ? cell{} : cell{v}; }

namespace {

/// A cell as `f` writes it: tables for people (4 significant digits, thousands grouped,
/// "-" for null), CSV in full (15 significant digits, ungrouped).
std::string text(const cell& c, format f) {
  struct visitor {
    format f;
    std::string operator()(std::monostate) const { return f == format::table ? "-" : ""; }
    std::string operator()(const std::string& s) const { return f == format::csv ? csv::field(s) : s; }
    std::string operator()(std::int64_t v) const { return f == format::table ? grouped(std::to_string(v)) : std::to_string(v); }
    std::string operator()(std::uint64_t v) const { return f == format::table ? grouped(std::to_string(v)) : std::to_string(v); }
    std::string operator()(double v) const { return f == format::table ? readable_real(v) : format_real(v); }
  };
  return std::visit(visitor{f}, c);
}

nlohmann::ordered_json json_of(const cell& c) {
  struct visitor {
    nlohmann::ordered_json operator()(std::monostate) const { return nullptr; }
    nlohmann::ordered_json operator()(const std::string& s) const { return s; }
    nlohmann::ordered_json operator()(std::int64_t v) const { return v; }
    nlohmann::ordered_json operator()(std::uint64_t v) const { return v; }
    nlohmann::ordered_json operator()(double v) const { return v; }
  };
  return std::visit(visitor{}, c);
}

}  // namespace

std::string text_of(const cell& c) { return std::holds_alternative<std::monostate>(c) ? "-" : text(c, format::json); }

nlohmann::ordered_json to_json(const table& t) {
  auto rows = nlohmann::ordered_json::array();
  for (const auto& r : t.rows) {
    nlohmann::ordered_json o;
    for (std::size_t i = 0; i < t.columns.size(); ++i) o[t.columns[i]] = json_of(r[i]);
    rows.push_back(std::move(o));
  }
  return rows;
}

named_cells& named_cells::set(std::string_view name, cell value) {
  for (auto& [n, c] : cells_)
    if (n == name) {
      c = std::move(value);
      return *this;
    }
  cells_.emplace_back(std::string(name), std::move(value));
  return *this;
}

std::vector<cell> named_cells::row(const std::vector<std::string>& columns) const {
  std::vector<cell> out;
  for (const std::string& column : columns) {
    const auto it = std::find_if(cells_.begin(), cells_.end(), [&](const auto& nc) { return nc.first == column; });
    if (it == cells_.end()) throw std::logic_error("qutibench: no field '" + column + "' for this table");
    out.push_back(it->second);
  }
  return out;
}

nlohmann::ordered_json named_cells::object(const std::vector<std::string>& columns) const {
  const std::vector<cell> cells = row(columns);
  nlohmann::ordered_json o = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < columns.size(); ++i) o[columns[i]] = json_of(cells[i]);
  return o;
}

nlohmann::ordered_json named_cells::object() const {
  nlohmann::ordered_json o = nlohmann::ordered_json::object();
  for (const auto& [name, c] : cells_) o[name] = json_of(c);
  return o;
}

void print(std::ostream& out, const table& t, format f) {
  if (f == format::json) {
    out << to_json(t).dump(2) << '\n';
    return;
  }
  if (f == format::csv) {
    for (std::size_t i = 0; i < t.columns.size(); ++i) out << (i ? "," : "") << t.columns[i];
    out << '\n';
    for (const auto& r : t.rows) {
      for (std::size_t i = 0; i < r.size(); ++i) out << (i ? "," : "") << text(r[i], f);
      out << '\n';
    }
    return;
  }
  std::vector<std::size_t> width(t.columns.size());
  for (std::size_t i = 0; i < t.columns.size(); ++i) width[i] = t.columns[i].size();
  for (const auto* block : {&t.rows, &t.footer})
    for (const auto& r : *block)
      for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], text(r[i], f).size());
  std::size_t total = 0;
  for (std::size_t w : width) total += w + 2;
  if (t.rows.size() == 1 && t.footer.empty() && total - 2 > max_table_width) {
    // One record too wide for a terminal: a field per line reads better than a long row.
    std::size_t longest = 0;
    for (const std::string& c : t.columns) longest = std::max(longest, c.size());
    for (std::size_t i = 0; i < t.columns.size(); ++i) out << fmt::format("{:<{}}  {}", t.columns[i], longest, text(t.rows[0][i], f)) << '\n';
    return;
  }
  // Text columns (any text cell) left-aligned, numbers right-aligned; no padding after the
  // last column.
  std::vector<bool> text_column(t.columns.size(), false);
  for (const auto& r : t.rows)
    for (std::size_t i = 0; i < r.size(); ++i) text_column[i] = text_column[i] || std::holds_alternative<std::string>(r[i]);
  auto emit = [&](std::string s) {
    s.erase(s.find_last_not_of(' ') + 1);
    out << s << '\n';
  };
  auto line = [&](const std::vector<cell>& r) {
    std::string s;
    for (std::size_t i = 0; i < r.size(); ++i) {
      s += (i ? "  " : "") + (text_column[i] ? fmt::format("{:<{}}", text(r[i], f), width[i]) : fmt::format("{:>{}}", text(r[i], f), width[i]));
    }
    emit(std::move(s));
  };
  std::string header;
  for (std::size_t i = 0; i < t.columns.size(); ++i) header += (i ? "  " : "") + fmt::format("{:<{}}", t.columns[i], width[i]);
  emit(std::move(header));
  for (const auto& r : t.rows) line(r);
  if (!t.footer.empty()) {
    out << std::string(total - 2, '-') << '\n';
    for (const auto& r : t.footer) line(r);
  }
}

}  // namespace qutibench::cli
