// The library's field lists (`fields(record, f)`, e.g. predict/fields.hpp) as Python
// dicts, so that a figure has the name and the None/NaN rules the command line's tables
// give it.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convert.hpp"

namespace qutibench::python {

/// A field's value for Python: str, int, float (None for NaN), None for none, a list.
inline py::object to_py(std::string_view s) { return py::str(s.data(), s.size()); }
inline py::object to_py(const std::string& s) { return py::str(s); }
inline py::object to_py(double v) { return number(v); }
inline py::object to_py(bool v) { return py::bool_(v); }
template <std::integral T>
  requires(!std::same_as<T, bool>)
py::object to_py(T v) { return py::int_(v); }
inline py::object to_py(const tensor_shape& s) { return shape_tuple(s); }
template <class T>
py::object to_py(const std::optional<T>& v) { return v ? to_py(*v) : py::none(); }
template <class T>
py::object to_py(const std::vector<T>& items) {
  py::list out;
  for (const T& item : items) out.append(to_py(item));
  return out;
}

/// Adds every field of `r` to `d` (after what `d` holds: a binding's context comes first).
template <class Record>
py::dict& add_fields(py::dict& d, const Record& r) {
  fields(r, [&](std::string_view name, const auto& v) { d[to_py(name)] = to_py(v); });
  return d;
}

/// The fields of `r` as a dict.
template <class Record>
py::dict dict_of(const Record& r) {
  py::dict d;
  return add_fields(d, r);
}

}  // namespace qutibench::python
