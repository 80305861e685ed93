// Conversions between Python values and the library's value types, and the data
// directory every binding file reads from.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <filesystem>

#include "qutibench/io/catalogue.hpp"
#include "qutibench/layer.hpp"
#include "qutibench/precision.hpp"

namespace qutibench::python {

namespace py = pybind11;

/// The data directory: $QUTIBENCH_DATA_DIR, the source tree's data/, or the installed one.
inline std::filesystem::path data_dir() { return locate_data_dir({QUTIBENCH_SOURCE_DATA_DIR, QUTIBENCH_INSTALLED_DATA_DIR}); }

/// A number for Python, None when unknown (NaN).
inline py::object number(double v) { return std::isnan(v) ? py::none() : py::cast(v); }

inline py::tuple shape_tuple(const tensor_shape& s) {
  py::tuple t(static_cast<std::size_t>(s.rank));
  for (int i = 0; i < s.rank; ++i) t[static_cast<std::size_t>(i)] = s[i];
  return t;
}

inline tensor_shape to_shape(const py::tuple& t) {
  if (t.size() > static_cast<std::size_t>(tensor_shape::max_rank))
    throw spec_error(error_id::rank_mismatch, "shape", "rank above 4");
  tensor_shape s;
  for (const py::handle& v : t) s.dims[static_cast<std::size_t>(s.rank++)] = v.cast<std::int64_t>();
  return s;
}

/// A precision from a datatype (uniform) or {"fallback": (w, a), "overrides": {node: (w, a)}}.
inline precision to_precision(const py::object& p) {
  if (!py::isinstance<py::dict>(p)) {
    const datatype d = p.cast<datatype>();
    return precision::uniform(d);
  }
  const py::dict d = p.cast<py::dict>();
  precision out;
  auto pair = [](const py::handle& h) {
    const auto t = h.cast<std::pair<datatype, datatype>>();
    return layer_precision{t.first, t.second};
  };
  if (d.contains("fallback")) out.fallback = pair(d["fallback"]);
  if (d.contains("overrides"))
    for (const auto& [node, types] : d["overrides"].cast<py::dict>()) out.set(node.cast<std::string>(), pair(types));
  return out;
}

}  // namespace qutibench::python
