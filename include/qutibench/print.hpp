// Printing for people: `std::cout << q` for every quantity of qutibench's units (its value and unit symbols,
// e.g. "3.35e+12 B/s", the symbols from Boost.Units) and for every record with a field
// list (`fields(record, f)`: predictions, requirements, heatmap cells, measurements...) as
// "{name: value, ...}" with the names and null rules the CLI and Python use. Included by
// qutibench.hpp; qutibench/fmt.hpp gives {fmt} the same.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/units/io.hpp>

#include "qutibench/layers/kinds.hpp"
#include "qutibench/units.hpp"

namespace qutibench::units {

/// A unit's symbols as people write them: Boost.Units' "s^-1 B" as "B/s", "B^-1 op" as
/// "op/B" (positive powers first, the negative ones after one slash).
inline std::string readable_unit(std::string_view boost_symbols) {
  std::string over, under;
  for (std::size_t start = 0; start < boost_symbols.size();) {
    std::size_t end = boost_symbols.find(' ', start);
    if (end == std::string_view::npos) end = boost_symbols.size();
    std::string_view token = boost_symbols.substr(start, end - start);
    start = end + 1;
    std::string& side = token.find("^-") == std::string_view::npos ? over : under;
    std::string text(token);
    if (const auto minus = text.find("^-"); minus != std::string::npos) text.erase(minus + 1, 1);
    if (text.ends_with("^1")) text.resize(text.size() - 2);
    side += (side.empty() ? "" : " ") + text;
  }
  return (over.empty() ? "1" : over) + (under.empty() ? "" : "/" + under);
}

/// A quantity of qutibench's units (ops, bytes, elements, inputs, seconds) as its value and
/// unit ("1.92e+10 B/s" at the stream's default precision). Ours, not Boost.Units'
/// operator<< (more specialized, so it wins where boost/units/io.hpp is included too):
/// Boost's fails to compile for the exact integer counts. Other systems' quantities (SI
/// metres) keep Boost's printing.
template <class Dimension, class Value>
std::ostream& operator<<(std::ostream& os, const boost::units::quantity<boost::units::unit<Dimension, system>, Value>& q) {
  return os << q.value() << ' ' << readable_unit(boost::units::symbol_string(boost::units::unit<Dimension, system>()));
}

}  // namespace qutibench::units

namespace qutibench {

using units::operator<<;  // found from namespace qutibench too (records print their quantities through it)

namespace detail {
struct ignore_field {
  template <class T>
  void operator()(std::string_view, const T&) const {}
};

inline void print_value(std::ostream& os, std::string_view s) { os << s; }
inline void print_value(std::ostream& os, const std::string& s) { os << s; }
inline void print_value(std::ostream& os, bool b) { os << (b ? "yes" : "no"); }
inline void print_value(std::ostream& os, const tensor_shape& s) { os << s.str(); }
template <class T>
  requires std::integral<T> || std::floating_point<T>
void print_value(std::ostream& os, T v) {
  os << v;
}
template <class T>
void print_value(std::ostream& os, const std::optional<T>& v) {
  if (v) print_value(os, *v);
  else os << "null";  // as the CLI's JSON and Python's None: the field has no value
}
template <class T>
void print_value(std::ostream& os, const std::vector<T>& items) {
  os << '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) os << ", ";
    print_value(os, items[i]);
  }
  os << ']';
}
}  // namespace detail

/// A type with a field list (found by argument-dependent lookup, as the CLI and Python find it).
template <class R>
concept printable_record = requires(const R& r) { fields(r, detail::ignore_field{}); };

/// A record's fields as "{name: value, ...}" (NaN as nan, a field without a value as null).
template <printable_record R>
std::ostream& operator<<(std::ostream& os, const R& r) {
  bool first = true;
  os << '{';
  fields(r, [&](std::string_view name, const auto& value) {
    os << (first ? "" : ", ") << name << ": ";
    detail::print_value(os, value);
    first = false;
  });
  return os << '}';
}

}  // namespace qutibench

namespace qutibench::llm {
using qutibench::operator<<;  // the LLM records (request_prediction, operation_time) print too
}  // namespace qutibench::llm
