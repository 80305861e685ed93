// Measurement records, validation against measured datasets, the reference executor,
// the host adapter and the host's empirical roofline.
#include <chrono>
#include <cmath>
#include <functional>
#include <string_view>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind.hpp"
#include "convert.hpp"
#include "fields.hpp"
#include "qutibench/io/catalogue.hpp"
#include "qutibench/measure/host_cpu.hpp"
#include "qutibench/measure/host_roofline.hpp"
#include "qutibench/validation/dataset.hpp"
#include "qutibench/validation/few_shot.hpp"
#include "qutibench/validation/llm_calibration.hpp"
#include "qutibench/validation/measured.hpp"

namespace qutibench::python {

namespace {

/// Points given as dicts (`few_shot_point`'s fields; `network` for its topology), each
/// checked by the library; `points[i]` names a bad one.
std::vector<validation_point> few_shot_points_of(const py::handle& points) {
  if (py::isinstance<py::str>(points) || py::isinstance<py::dict>(points) || !py::isinstance<py::iterable>(points))
    bad_argument("points", "must be a list of dicts, got " + shown(points));
  std::vector<validation_point> out;
  for (const py::handle h : py::reinterpret_borrow<py::iterable>(points)) {
    const std::string where = "points[" + std::to_string(out.size()) + "]";
    if (!py::isinstance<py::dict>(h)) bad_argument(where, "must be a dict, got " + shown(h));
    const py::dict d = py::reinterpret_borrow<py::dict>(h);
    const auto get = [&](const char* key) {
      if (!d.contains(key)) throw spec_error(error_id::invalid_value, where, std::string("lacks '") + key + "'");
      return d[key];
    };
    const auto text = [&](const char* key) {
      const py::object v = get(key);
      if (!py::isinstance<py::str>(v)) bad_argument(where + "." + key, "must be a string, got " + shown(v));
      return v.cast<std::string>();
    };
    const auto real = [&](const char* key) { return to_real(get(key), where + "." + key); };
    out.push_back(
        few_shot_point(where, text("platform"), text("network"), real("measured"), real("realistic"), real("plain"), real("dispatches")));
  }
  return out;
}

/// few_shot_calibration over points that are their own training rows, each result a dict
/// with its predictions' `errors` and the device (its `platform`) under `device_key`.
py::list few_shot_dicts(const std::vector<validation_point>& pts, const std::vector<std::size_t>& ks, const char* device_key) {
  py::list out;
  for (const few_shot_result& r : few_shot_calibration(pts, pts, ks)) {
    py::dict d;
    d[device_key] = r.platform;
    add_fields(d, r);
    if (std::string_view(device_key) != "platform") d.attr("pop")("platform");
    d["errors"] = r.errors;
    out.append(d);
  }
  return out;
}

/// Measurement files and what validation makes of them.
void bind_measured_data(py::module_& m) {
  m.def("load_measurements", [](const py::object& path) {
        const std::string file = to_text(path, "path");
        py::list out;
        for (const recorded_measurement& r : load_measurements(file, data_dir())) {
          py::dict d = dict_of(r.record);
          d["fps_comp"] = to_py(r.fps_comp);
          d["fps_sys"] = to_py(r.fps_sys);
          for (const auto& [name, value] : r.extra) d[name.c_str()] = value;
          out.append(d);
        }
        return out;
      }, py::arg("path"), "records of a QuTiBench measurement CSV, names mapped onto the stable ids");

  m.def("validate_dataset", [](const py::object& path, const py::object& model_arg, const py::object& metric_arg) {
        const std::string file = to_text(path, "path"), model = to_text(model_arg, "model"), metric = to_text(metric_arg, "metric");
        // The names first, then the file: the CLI's order, so both give one error.
        const validation_model mo = parse_validation_model(model);
        const validation_metric me = parse_validation_metric(metric);
        const auto rows = load_measurements(file, data_dir());
        const auto platforms = load_platforms(data_dir() / "platforms");
        std::vector<validation_point> points = validation_points(rows, platforms, me);
        calibrate_leave_one_topology_out(points, validation_points(rows, platforms, me, false));
        const std::vector<thesis_correlation> table_7_1 = thesis_table_7_1(data_dir());
        py::list groups;
        for (const validation_group& g : validation_report(points, mo)) {
          py::dict d;
          d["platform"] = g.platform;
          d["task"] = g.task;
          add_fields(d, g.model);
          d["thesis_pearson"] = to_py(thesis_pearson(table_7_1, g.platform, g.task));  // as the CLI's, None where the thesis has none
          d["plain"] = dict_of(g.plain);
          groups.append(d);
        }
        py::list pts;
        for (const validation_point& p : points) pts.append(dict_of(p));
        py::dict out;
        out["model"] = model;
        out["metric"] = metric;
        out["groups"] = groups;
        out["points"] = pts;
        return out;
      }, py::arg("path"), py::arg("model") = "plain", py::arg("metric") = "compute",
      "predictions against a measured dataset (thesis Table 7.1's method): per-group figures and every point "
      "with its measured, plain, refined and calibrated (leave-one-topology-out) inputs/s");

  m.def("few_shot_calibration", [](const py::object& path, const py::object& k, const py::object& metric_arg) {
        const std::string file = to_text(path, "path"), metric = to_text(metric_arg, "metric");
        const std::vector<std::size_t> ks = parse_few_shot_networks(to_integers(k, "k"));
        const auto rows = load_measurements(file, data_dir());
        const auto platforms = load_platforms(data_dir() / "platforms");
        const validation_metric me = parse_validation_metric(metric);
        py::list out;
        for (const few_shot_result& r :
             few_shot_calibration(validation_points(rows, platforms, me), validation_points(rows, platforms, me, false), ks))
          out.append(dict_of(r));
        return out;
      }, py::arg("path"), py::arg("k"), py::arg("metric") = "compute",
      "per device and network count k: factors fitted on every k of its networks, error on the others");

  m.def("few_shot_points", [](const py::object& points, const py::object& k) {
        const std::vector<std::size_t> ks = parse_few_shot_networks(to_integers(k, "k"));
        return few_shot_dicts(few_shot_points_of(points), ks, "platform");
      }, py::arg("points"), py::arg("k"), "few_shot_calibration over points given as dicts, each prediction's error too");

  m.def("llm_few_shot", [](const platform& pf, const py::object& mode_arg, const py::object& path, const py::object& k) {
        const std::string mode = to_text(mode_arg, "mode"), file = to_text(path, "path");
        const std::vector<std::size_t> ks = parse_few_shot_networks(to_integers(k, "k"));
        return few_shot_dicts(llm::load_calibration_points(file, pf, pf.mode(mode), data_dir()), ks, "phase");
      }, py::arg("platform"), py::arg("mode"), py::arg("path"), py::arg("k"),
      "few_shot_calibration over an LLM measurement CSV of one platform mode, each phase as a device");

  m.def("fit_few_shot", [](const py::object& points) {
        const std::vector<validation_point> pts = few_shot_points_of(points);
        if (pts.empty()) bad_argument("points", "give at least one point");
        std::vector<const validation_point*> train;
        for (const validation_point& p : pts) {
          if (p.platform != pts.front().platform)
            bad_argument("points", "factors belong to one device: got '" + pts.front().platform + "' and '" + p.platform + "'");
          train.push_back(&p);
        }
        const few_shot_factors f = fit_few_shot(train);
        py::dict d;
        d["efficiency"] = f.efficiency;
        d["dispatch_s"] = f.dispatch_s;
        return d;
      }, py::arg("points"), "the few-shot factors fitted on one device's points given as dicts");

  m.def("measured_pareto_points", [](const py::object& path, const py::object& task_arg) {
        const std::string file = to_text(path, "path"), task = to_text(task_arg, "task");
        check_task(task);  // before the file, as the CLI's pareto
        py::list out;
        const auto rows = load_measurements(file, data_dir());
        for (const measured_point& p : measured_pareto_points(rows, task, published_accuracy(data_dir()))) out.append(dict_of(p));
        return out;
      }, py::arg("path"), py::arg("task"), "measured pareto points of a task: best throughput, lowest latency, accuracy");

  m.def("orthogonality", [](const py::object& a, const py::object& b, const py::object& c, const py::object& d) {
        return dict_of(orthogonality_of(to_real(a, "original"), to_real(b, "quantized"), to_real(c, "pruned"), to_real(d, "both")));
      }, py::arg("original"), py::arg("quantized"), py::arg("pruned"), py::arg("both"),
      "gains of quantization and pruning from the throughput of A, B, C, D (thesis Section 8.3.2)");

  m.def("thesis_table_7_1", [] {
        py::list out;
        for (const thesis_correlation& c : thesis_table_7_1(data_dir())) out.append(dict_of(c));
        return out;
      }, "thesis Table 7.1: Pearson's r of predicted against measured throughput per platform and task");

  m.def("batch_summaries", [](const std::filesystem::path& file) {
        py::list out;
        for (const batch_summary& s : batch_summaries(load_measurements(file, data_dir()))) out.append(dict_of(s));
        return out;
      }, py::arg("path"), "latency vs throughput over batch and system/compute overhead per setting");
}

/// An interruption point for a measurement that runs without the GIL: every 50 ms at most
/// (a clock read otherwise) it takes the GIL and runs Python's signal handlers, so that
/// Ctrl-C ends the measurement within a step with KeyboardInterrupt, thrown through the
/// library as error_already_set, instead of when the whole measurement is done.
std::function<void()> python_interruption_point() {
  using clock = std::chrono::steady_clock;
  return [last = clock::now()]() mutable {
    if (clock::now() - last < std::chrono::milliseconds(50)) return;
    last = clock::now();
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  };
}

/// The executor and the host: kernels, measurements, the host roofline. Level, threads,
/// repeats and min_time arrive signed and unchecked: the library checks them, as for the CLI.
void bind_host(py::module_& m) {
  m.def("kernels", [](const topology& t, const py::object& level, const py::object& type, const py::object& batch,
                      const py::object& threads) {
        py::list out;
        for (const kernel& k : kernels_of(t, parse_measure_level(to_integer(level, "level")), to_datatype(type, "datatype"),
                                          to_integer(batch, "batch"), parse_measure_threads(to_integer(threads, "threads"))))
          out.append(k.layers);
        return out;
      }, py::arg("topology"), py::arg("level"), py::arg("datatype") = "int8", py::arg("batch") = 1, py::arg("threads") = 1,
      "the layer lists of a level's kernels (1: layers with MACs, 2: stacks of 2 and 4, 3: the whole network)");

  m.def("measure", [](const topology& t, const py::object& level, const py::object& type, const py::object& batch,
                      const py::object& threads, const py::object& repeats, const py::object& min_time) {
        const std::vector<kernel> kernels =
            kernels_of(t, parse_measure_level(to_integer(level, "level")), to_datatype(type, "datatype"), to_integer(batch, "batch"),
                       parse_measure_threads(to_integer(threads, "threads")));
        host_cpu host(measure_repeats(to_integer(repeats, "repeats"), to_real(min_time, "min_time")), python_interruption_point());
        std::vector<kernel_job> jobs;
        for (const kernel& k : kernels) jobs.push_back({&t, k});
        std::vector<measurement> measured;
        {
          py::gil_scoped_release release;
          measured = host.measure_interleaved(jobs);
        }
        py::list out;
        for (const measurement& r : measured) out.append(dict_of(r));
        return out;
      }, py::arg("topology"), py::arg("level") = 3, py::arg("datatype") = "int8", py::arg("batch") = 1,
      py::arg("threads") = 1, py::arg("repeats") = 5, py::arg("min_time") = 0.05,
      "measure a level's kernels on this CPU with the reference executor (each kernel checked against a naive loop), "
      "interleaved in groups of 16; Ctrl-C stops it within a step (KeyboardInterrupt)");

  m.def("host_roofline", [](const std::vector<std::int64_t>& threads) {
        host_roofline_options o;
        o.threads = threads;
        o.interruption_point = python_interruption_point();
        py::gil_scoped_release release;
        return measure_host_roofline(o);
      }, py::arg("threads") = std::vector<std::int64_t>{1},
      "this CPU's empirical roofline as a Platform (modes '1t', '2t', ...); Ctrl-C stops it (KeyboardInterrupt)");
}

}  // namespace

void bind_measure(py::module_& m) {
  bind_measured_data(m);
  bind_host(m);
}

}  // namespace qutibench::python
