// The `qutibench._core` extension: one bind_* function per area, each in its own file.
#include "bind.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "qutibench: level-0 roofline predictions, platforms, measurements (QuTiBench, Blott 2021)";
  qutibench::python::bind_errors(m);
  qutibench::python::bind_model(m);
  qutibench::python::bind_predict(m);
  qutibench::python::bind_measure(m);
}
