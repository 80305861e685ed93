// The `qutibench._core` extension: one bind_* function per area, each in its own file.
#include <string>

#include "bind.hpp"
#include "qutibench/version.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "qutibench: level-0 roofline predictions, platforms, measurements (QuTiBench, Blott 2021)";
  m.attr("__version__") = std::string(qutibench::version);
  qutibench::python::bind_errors(m);
  qutibench::python::bind_model(m);
  qutibench::python::bind_predict(m);
  qutibench::python::bind_measure(m);
}
