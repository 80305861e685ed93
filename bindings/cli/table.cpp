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

cell real(double v) { return std::isnan(v) ? cell{} : cell{v}; }

namespace {

std::string text(const cell& c, format f) {
  struct visitor {
    format f;
    std::string operator()(std::monostate) const { return f == format::table ? "-" : ""; }
    std::string operator()(const std::string& s) const { return f == format::csv ? csv::field(s) : s; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(std::uint64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return format_real(v); }
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

std::string text_of(const cell& c) { return text(c, format::table); }

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
  auto line = [&](const std::vector<cell>& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      const bool left = std::holds_alternative<std::string>(r[i]);
      out << (i ? "  " : "") << (left ? fmt::format("{:<{}}", text(r[i], f), width[i]) : fmt::format("{:>{}}", text(r[i], f), width[i]));
    }
    out << '\n';
  };
  for (std::size_t i = 0; i < t.columns.size(); ++i) out << (i ? "  " : "") << fmt::format("{:<{}}", t.columns[i], width[i]);
  out << '\n';
  for (const auto& r : t.rows) line(r);
  if (!t.footer.empty()) {
    std::size_t total = 0;
    for (std::size_t w : width) total += w + 2;
    out << std::string(total - 2, '-') << '\n';
    for (const auto& r : t.footer) line(r);
  }
}

}  // namespace qutibench::cli
