#include "table.hpp"

#include <algorithm>
#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

namespace qutibench::cli {

format parse_format(const std::string& name) {
  if (name == "table") return format::table;
  if (name == "csv") return format::csv;
  if (name == "json") return format::json;
  throw std::invalid_argument("unknown format '" + name + "' (table, csv or json)");
}

std::string format_real(double v) { return fmt::format("{:.15g}", v); }

namespace {

std::string text(const cell& c, format f) {
  struct visitor {
    format f;
    std::string operator()(std::monostate) const { return f == format::table ? "-" : ""; }
    std::string operator()(const std::string& s) const {
      if (f != format::csv || s.find_first_of(",\"\n") == std::string::npos) return s;
      std::string q = "\"";
      for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      return q + "\"";
    }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return format_real(v); }
  };
  return std::visit(visitor{f}, c);
}

nlohmann::ordered_json json_of(const cell& c) {
  struct visitor {
    nlohmann::ordered_json operator()(std::monostate) const { return nullptr; }
    nlohmann::ordered_json operator()(const std::string& s) const { return s; }
    nlohmann::ordered_json operator()(std::int64_t v) const { return v; }
    nlohmann::ordered_json operator()(double v) const { return v; }
  };
  return std::visit(visitor{}, c);
}

}  // namespace

nlohmann::ordered_json to_json(const table& t) {
  auto rows = nlohmann::ordered_json::array();
  for (const auto& r : t.rows) {
    nlohmann::ordered_json o;
    for (std::size_t i = 0; i < t.columns.size(); ++i) o[t.columns[i]] = json_of(r[i]);
    rows.push_back(std::move(o));
  }
  return rows;
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
