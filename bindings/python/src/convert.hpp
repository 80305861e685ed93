// Conversions between Python values and the library's value types, and the data
// directory every binding file reads from.
#pragma once

#include <dlfcn.h>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/io/catalogue.hpp"
#include "qutibench/layer.hpp"
#include "qutibench/precision.hpp"

namespace qutibench::python {

namespace py = pybind11;

/// The data directory: $QUTIBENCH_DATA_DIR, else the copy packed into the package (a pip
/// install: qutibench/data), else the copy `cmake --install` put beside it (both found from
/// the file this extension was loaded from, so an installed package never reads the source
/// tree), else the source tree's data/, else the install prefix's. The build tree's module
/// (build/python/qutibench) has nothing beside it: the source tree's data is its own.
inline std::filesystem::path data_dir() {
  Dl_info self{};
  const bool found = dladdr(reinterpret_cast<const void*>(&data_dir), &self) != 0 && self.dli_fname && *self.dli_fname;
  const std::filesystem::path here = found ? std::filesystem::path(self.dli_fname).parent_path() : std::filesystem::path();
  std::error_code elsewhere;
  const bool installed = found && !std::filesystem::equivalent(here, QUTIBENCH_BUILD_ARTIFACT_DIR, elsewhere);
  return locate_data_dir({installed ? here / "data" : std::filesystem::path(),
                          installed ? here / QUTIBENCH_DATA_FROM_ARTIFACT : std::filesystem::path(), QUTIBENCH_SOURCE_DATA_DIR,
                          QUTIBENCH_INSTALLED_DATA_DIR});
}

/// A number for Python, None when unknown (NaN).
inline py::object number(double v) { return std::isnan(v) ? py::none() : py::cast(v); }

inline py::tuple shape_tuple(const tensor_shape& s) {
  py::tuple t(static_cast<std::size_t>(s.rank));
  for (int i = 0; i < s.rank; ++i) t[static_cast<std::size_t>(i)] = s[i];
  return t;
}

// Python arguments become library values here, each problem a SpecError naming the
// argument: pybind's own conversions would truncate floats, read "12" as [1, 2], or fail
// with "Unable to cast" and no ID. Ranges are checked by the library functions the CLI
// calls too (checked_batch, efficiency_model::constant, ...).

/// The type name and an excerpt of the repr of `h`, for messages.
inline std::string shown(py::handle h) {
  std::string r = py::repr(h).cast<std::string>();
  if (r.size() > 60) r = r.substr(0, 57) + "...";
  return std::string(py::type::of(h).attr("__name__").cast<std::string>()) + " " + r;
}

[[noreturn]] inline void bad_argument(std::string_view name, const std::string& what) {
  throw spec_error(error_id::invalid_value, "argument '" + std::string(name) + "'", what);
}

/// A whole number (int or numpy integer; not a bool or a float) within 0..2^64 - 1.
inline std::uint64_t to_count(py::handle h, std::string_view name) {
  if (!PyIndex_Check(h.ptr()) || py::isinstance<py::bool_>(h)) bad_argument(name, "must be an integer, got " + shown(h));
  const py::int_ v = py::reinterpret_steal<py::int_>(PyNumber_Index(h.ptr()));
  const unsigned long long n = PyLong_AsUnsignedLongLong(v.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    bad_argument(name, "must be an integer from 0 to 2^64 - 1, got " + shown(h));
  }
  return n;
}

/// A whole number (as to_count) within the signed 64-bit range: batches, LLM counts, levels
/// and thread counts, whose checks (checked_batch, parse_measure_level, ...) name the range
/// in their own message, as they do for the CLI's signed options.
inline std::int64_t to_integer(py::handle h, std::string_view name) {
  if (!PyIndex_Check(h.ptr()) || py::isinstance<py::bool_>(h)) bad_argument(name, "must be an integer, got " + shown(h));
  const py::int_ v = py::reinterpret_steal<py::int_>(PyNumber_Index(h.ptr()));
  const long long n = PyLong_AsLongLong(v.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    bad_argument(name, "must be an integer within 64 bits, got " + shown(h));
  }
  return n;
}

/// A list, tuple, range or array of whole numbers (as to_integer; a string is refused, not split).
inline std::vector<std::int64_t> to_integers(py::handle h, std::string_view name) {
  if (py::isinstance<py::str>(h) || py::isinstance<py::bytes>(h) || !py::isinstance<py::iterable>(h))
    bad_argument(name, "must be a sequence of integers, got " + shown(h));
  std::vector<std::int64_t> out;
  for (py::handle x : py::reinterpret_borrow<py::iterable>(h)) out.push_back(to_integer(x, name));
  return out;
}

/// A real number: an int or a float, or what converts to one (numpy's scalars of any
/// width); not a bool, a string or bytes (float() would parse those). An int beyond a
/// double's range is refused like any other non-number.
inline double to_real(py::handle h, std::string_view name) {
  if (py::isinstance<py::bool_>(h) || py::isinstance<py::str>(h) || py::isinstance<py::bytes>(h))
    bad_argument(name, "must be a number, got " + shown(h));
  PyObject* f = PyNumber_Float(h.ptr());
  if (f == nullptr) {
    PyErr_Clear();
    bad_argument(name, "must be a number, got " + shown(h));
  }
  const double v = PyFloat_AS_DOUBLE(f);
  Py_DECREF(f);
  return v;
}

/// A str argument (pybind's own refusal of another type is a TypeError listing the whole
/// signature, where every other bad argument is a 503 naming it).
inline std::string to_text(py::handle h, std::string_view name) {
  if (!py::isinstance<py::str>(h)) bad_argument(name, "must be a string, got " + shown(h));
  return h.cast<std::string>();
}

/// None, or a str argument (as to_text).
inline std::optional<std::string> to_optional_text(py::handle h, std::string_view name) {
  if (h.is_none()) return std::nullopt;
  return to_text(h, name);
}

/// A bool argument: True or False, numpy's too; not whatever Python finds truthy (the
/// string "no" is).
inline bool to_flag(py::handle h, std::string_view name) {
  if (py::isinstance<py::bool_>(h)) return h.cast<bool>();
  if (py::isinstance(h, py::module_::import("numpy").attr("bool_"))) return h.attr("item")().cast<bool>();
  bad_argument(name, "must be True or False, got " + shown(h));
}

/// A datatype from its name ("int8", "uint4", "bf16", ...) or a Datatype.
inline datatype to_datatype(py::handle h, std::string_view name) {
  if (py::isinstance<py::str>(h)) return datatype::parse(h.cast<std::string>());
  if (py::isinstance<datatype>(h)) return h.cast<datatype>();
  bad_argument(name, "must be a datatype name such as 'int8' or a Datatype, got " + shown(h));
}

inline tensor_shape to_shape(py::handle h) {
  if (!py::isinstance<py::tuple>(h) && !py::isinstance<py::list>(h)) bad_argument("shape", "must be a tuple of dimensions, got " + shown(h));
  const py::sequence t = py::reinterpret_borrow<py::sequence>(h);
  if (t.size() > static_cast<std::size_t>(tensor_shape::max_rank))
    throw spec_error(error_id::rank_mismatch, "shape", "rank above 4");
  tensor_shape s;
  for (const py::handle v : t) {
    const std::uint64_t d = to_count(v, "shape");
    if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      bad_argument("shape", "a dimension must be below 2^63, got " + std::to_string(d));
    s.dims[static_cast<std::size_t>(s.rank++)] = static_cast<std::int64_t>(d);
  }
  return s;
}

/// A precision from a datatype (uniform) or {"fallback": (w, a), "overrides": {node: (w, a)}}.
inline precision to_precision(py::handle p) {
  if (!py::isinstance<py::dict>(p)) {
    if (!py::isinstance<py::str>(p) && !py::isinstance<datatype>(p))
      bad_argument("precision", "must be a datatype name, a Datatype or {'fallback': (w, a), 'overrides': {node: (w, a)}}, got " +
                                    shown(p));
    return precision::uniform(to_datatype(p, "precision"));
  }
  const py::dict d = py::reinterpret_borrow<py::dict>(p);
  for (const auto& [key, value] : d)
    if (!py::isinstance<py::str>(key) || (key.cast<std::string>() != "fallback" && key.cast<std::string>() != "overrides"))
      throw spec_error(error_id::unknown_field, "argument 'precision': " + py::repr(key).cast<std::string>(),
                       "unknown key; valid here: fallback, overrides");
  auto pair = [](py::handle h, const std::string& where) {
    if (!(py::isinstance<py::tuple>(h) || py::isinstance<py::list>(h)) || py::len(h) != 2)
      bad_argument(where, "must be a (weights, activations) pair of datatypes, got " + shown(h));
    const py::sequence t = py::reinterpret_borrow<py::sequence>(h);
    return layer_precision{to_datatype(t[0], where), to_datatype(t[1], where)};
  };
  precision out;
  if (d.contains("fallback")) out.fallback = pair(d["fallback"], "precision fallback");
  if (d.contains("overrides")) {
    if (!py::isinstance<py::dict>(d["overrides"])) bad_argument("precision overrides", "must be a dict {node: (w, a)}, got " + shown(d["overrides"]));
    for (const auto& [node, types] : py::reinterpret_borrow<py::dict>(d["overrides"]))
      out.set(py::str(node).cast<std::string>(), pair(types, "precision override " + py::repr(node).cast<std::string>()));
  }
  return out;
}

}  // namespace qutibench::python
