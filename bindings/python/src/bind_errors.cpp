// C++ errors arrive in Python as exceptions carrying the same ID and message.
#include "bind.hpp"

#include "qutibench/error.hpp"

namespace qutibench::python {

void bind_errors(py::module_& m) {
  // Handles live as long as the interpreter: the translator below refers to them.
  static py::handle spec = py::exception<spec_error>(m, "SpecError", PyExc_ValueError).release();
  static py::handle measure = py::exception<measure_error>(m, "MeasureError", PyExc_RuntimeError).release();
  py::register_exception_translator([](std::exception_ptr p) {
    auto raise = [](py::handle type, const error& e) {
      py::object instance = py::reinterpret_borrow<py::object>(type)(e.what());
      instance.attr("id") = static_cast<int>(e.id());
      PyErr_SetObject(type.ptr(), instance.ptr());
    };
    try {
      if (p) std::rethrow_exception(p);
    } catch (const spec_error& e) {
      raise(spec, e);
    } catch (const measure_error& e) {
      raise(measure, e);
    }
  });
}

}  // namespace qutibench::python
