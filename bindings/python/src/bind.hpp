// Shared declarations of the binding files.
#pragma once

#include <pybind11/pybind11.h>

namespace qutibench::python {

namespace py = pybind11;

/// SpecError and MeasureError (ValueError / RuntimeError subclasses with `.id`).
void bind_errors(py::module_& m);
/// Datatypes, topologies and their builder, the zoo, requirements.
void bind_model(py::module_& m);
/// Platforms, predictions, sweeps, heatmaps, pareto.
void bind_predict(py::module_& m);
/// Measurement records, dataset validation, the executor and host adapter.
void bind_measure(py::module_& m);

}  // namespace qutibench::python
