// Measurement records, validation against measured datasets, the reference executor,
// the host adapter and the host's empirical roofline.
#include <cmath>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind.hpp"
#include "convert.hpp"
#include "qutibench/io/catalogue.hpp"
#include "qutibench/measure/host_cpu.hpp"
#include "qutibench/measure/host_roofline.hpp"
#include "qutibench/validation/dataset.hpp"

namespace qutibench::python {

namespace {

template <class T>
py::object optional(const std::optional<T>& v) {
  if (!v) return py::none();
  if constexpr (std::is_same_v<T, watts>) return py::cast(v->value());
  else return py::cast(*v);
}

py::dict record_dict(const measurement& m) {
  py::dict d;
  d["topology"] = m.what.topology;
  d["level"] = static_cast<int>(m.what.level);
  d["layers"] = m.what.layers;
  d["platform"] = m.platform;
  d["mode"] = m.mode;
  d["datatype"] = m.what.type.name();
  d["carrier"] = m.carrier.name();
  d["batch"] = m.what.batch;
  d["threads"] = m.what.threads;
  d["ops"] = m.work.value();
  d["compute_median_s"] = number(m.compute.median.value());
  d["compute_min_s"] = number(m.compute.min.value());
  d["compute_max_s"] = number(m.compute.max.value());
  d["compute_q1_s"] = number(m.compute.q1.value());
  d["compute_q3_s"] = number(m.compute.q3.value());
  d["runs"] = m.compute.runs;
  d["system_median_s"] = number(m.system.median.value());
  d["top1_pct"] = optional(m.top1_pct);
  d["top5_pct"] = optional(m.top5_pct);
  d["base_power_w"] = optional(m.base_power);
  d["idle_power_w"] = optional(m.idle_power);
  d["full_power_w"] = optional(m.full_power);
  d["kernel_path"] = m.kernel_path;
  d["host"] = m.host;
  return d;
}

std::vector<recorded_measurement> rows_of(const std::filesystem::path& file) {
  std::vector<std::string> ids{"host"};
  for (const platform& p : load_platforms(data_dir() / "platforms")) ids.push_back(p.id);
  return load_measurements_csv(file, ids);
}

py::dict agreement_dict(const model_agreement& a) {
  py::dict d;
  d["n"] = a.n;
  d["pearson"] = number(a.pearson);
  d["spearman"] = number(a.spearman);
  d["median_abs_log10_error"] = number(a.median_abs_log10_error);
  d["max_abs_log10_error"] = number(a.max_abs_log10_error);
  d["efficiency_median"] = number(a.efficiency_median);
  d["efficiency_min"] = number(a.efficiency_min);
  d["efficiency_max"] = number(a.efficiency_max);
  return d;
}

}  // namespace

void bind_measure(py::module_& m) {
  m.def("load_measurements", [](const std::filesystem::path& file) {
        py::list out;
        for (const recorded_measurement& r : rows_of(file)) {
          py::dict d = record_dict(r.record);
          d["fps_comp"] = optional(r.fps_comp);
          d["fps_sys"] = optional(r.fps_sys);
          for (const auto& [name, value] : r.extra) d[name.c_str()] = value;
          out.append(d);
        }
        return out;
      }, py::arg("path"), "records of a QuTiBench measurement CSV, names mapped onto the stable ids");

  m.def("validate_dataset", [](const std::filesystem::path& file, const std::string& model, const std::string& metric) {
        const auto rows = rows_of(file);
        const auto platforms = load_platforms(data_dir() / "platforms");
        const validation_metric me = parse_validation_metric(metric);
        const validation_model mo = parse_validation_model(model);
        std::vector<validation_point> points = validation_points(rows, platforms, me);
        calibrate_leave_one_topology_out(points, validation_points(rows, platforms, me, false));
        py::list groups;
        for (const validation_group& g : validation_report(points, mo)) {
          py::dict d;
          d["platform"] = g.platform;
          d["task"] = g.task;
          for (auto item : agreement_dict(g.model)) d[item.first] = item.second;
          d["plain"] = agreement_dict(g.plain);
          groups.append(d);
        }
        py::list pts;
        for (const validation_point& p : points) {
          py::dict d;
          d["platform"] = p.platform;
          d["mode"] = p.mode;
          d["task"] = p.task;
          d["topology"] = p.topology;
          d["datatype"] = p.type.name();
          d["batch"] = p.batch;
          d["measured"] = p.measured;
          d["plain"] = p.plain;
          d["refined"] = p.refined;
          d["calibrated"] = p.calibrated;
          pts.append(d);
        }
        py::dict out;
        out["model"] = model;
        out["metric"] = metric;
        out["groups"] = groups;
        out["points"] = pts;
        return out;
      }, py::arg("path"), py::arg("model") = "plain", py::arg("metric") = "compute",
      "predictions against a measured dataset (thesis Table 7.1's method): per-group figures and every point "
      "with its measured, plain, refined and calibrated (leave-one-topology-out) inputs/s");

  m.def("measured_pareto_points", [](const std::filesystem::path& file, const std::string& task) {
        py::list out;
        for (const measured_point& p : measured_pareto_points(rows_of(file), task, load_accuracy(data_dir() / "accuracy" / "table5_2.csv"))) {
          py::dict d;
          d["platform"] = p.platform;
          d["mode"] = p.mode;
          d["topology"] = p.topology;
          d["datatype"] = p.type.name();
          d["accuracy_top1"] = p.top1_pct;
          d["inputs_per_s"] = p.inputs_per_s;
          d["latency_s"] = p.latency_s;
          d["full_power_w"] = optional(p.full_power);
          out.append(d);
        }
        return out;
      }, py::arg("path"), py::arg("task"), "measured pareto points of a task: best throughput, lowest latency, accuracy");

  m.def("orthogonality", [](double a, double b, double c, double d) {
        const orthogonality o = orthogonality_of(a, b, c, d);
        py::dict out;
        out["p1"] = o.p1;
        out["q1"] = o.q1;
        out["p2"] = o.p2;
        out["q2"] = o.q2;
        out["complementary"] = o.complementary();
        out["interaction"] = o.interaction();
        out["distance"] = o.distance();
        return out;
      }, py::arg("original"), py::arg("quantized"), py::arg("pruned"), py::arg("both"),
      "gains of quantization and pruning from the throughput of A, B, C, D (thesis Section 8.3.2)");

  m.def("batch_summaries", [](const std::filesystem::path& file) {
        py::list out;
        for (const batch_summary& s : batch_summaries(rows_of(file))) {
          py::dict d;
          d["platform"] = s.platform;
          d["mode"] = s.mode;
          d["topology"] = s.topology;
          d["datatype"] = s.type.name();
          d["batches"] = s.batches;
          d["best_inputs_per_s"] = s.best_inputs_per_s;
          d["best_batch"] = s.best_batch;
          d["latency_at_best_s"] = s.latency_at_best_s;
          d["min_latency_s"] = s.min_latency_s;
          d["overhead_median"] = number(s.overhead_median);
          d["overhead_max"] = number(s.overhead_max);
          out.append(d);
        }
        return out;
      }, py::arg("path"), "latency vs throughput over batch and system/compute overhead per setting");

  m.def("kernels", [](const topology& t, int level, const datatype& type, std::uint64_t batch, unsigned threads) {
        py::list out;
        for (const kernel& k : kernels_of(t, static_cast<measure_level>(level), type, batch, threads)) out.append(k.layers);
        return out;
      }, py::arg("topology"), py::arg("level"), py::arg("datatype") = "int8", py::arg("batch") = 1, py::arg("threads") = 1,
      "the layer lists of a level's kernels (1: layers with MACs, 2: stacks of 2 and 4, 3: the whole network)");

  m.def("measure", [](const topology& t, int level, const datatype& type, std::uint64_t batch, unsigned threads,
                      std::size_t repeats, double min_time) {
        host_cpu host(repeat_options{2, repeats, 100000, seconds::from_value(min_time)});
        py::list out;
        for (const kernel& k : kernels_of(t, static_cast<measure_level>(level), type, batch, threads)) {
          measurement r;
          {
            py::gil_scoped_release release;
            r = host.measure(t, k);
          }
          out.append(record_dict(r));
        }
        return out;
      }, py::arg("topology"), py::arg("level") = 3, py::arg("datatype") = "int8", py::arg("batch") = 1,
      py::arg("threads") = 1, py::arg("repeats") = 5, py::arg("min_time") = 0.05,
      "measure a level's kernels on this CPU with the reference executor (each kernel checked against a naive loop)");

  m.def("host_roofline", [](const std::vector<unsigned>& threads) {
        host_roofline_options o;
        o.threads = threads;
        py::gil_scoped_release release;
        return measure_host_roofline(o);
      }, py::arg("threads") = std::vector<unsigned>{1}, "this CPU's empirical roofline as a Platform (modes '1t', '2t', ...)");
}

}  // namespace qutibench::python
