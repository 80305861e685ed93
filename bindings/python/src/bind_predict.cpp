// Platforms, roofline predictions (whole network, per layer), numpy sweeps, heatmaps and
// pareto frontiers.
#include <cmath>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind.hpp"
#include "convert.hpp"
#include "fields.hpp"
#include "qutibench/io/catalogue.hpp"
#include "qutibench/io/llm_config.hpp"
#include "qutibench/io/llm_measurements.hpp"
#include "qutibench/predict/fields.hpp"
#include "qutibench/predict/heatmap.hpp"
#include "qutibench/predict/llm.hpp"
#include "qutibench/predict/llm_sweep.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/predict/sweep.hpp"
#include "qutibench/validation/device_calibration.hpp"
#include "qutibench/validation/llm_calibration.hpp"

namespace qutibench::python {

namespace {

/// A scenario from the Python arguments; `efficiency` None, a number (compute) or a
/// (compute, memory) pair.
/// `threads`: None (every unit) or a count for the realistic model (checked_threads, as the CLI's --threads).
std::optional<std::uint64_t> threads_of(const py::object& threads, prediction_model model) {
  return checked_threads(threads.is_none() ? std::nullopt : std::optional(to_integer(threads, "threads")), model);
}

scenario make_scenario(const py::object& type, const py::object& batch, const std::string& memory, const py::object& efficiency,
                       const py::object& threads, prediction_model model) {
  scenario s{to_datatype(type, "datatype"), checked_batch(to_integer(batch, "batch")), memory_model::parse(memory), {},
             threads_of(threads, model)};
  if (efficiency.is_none()) return s;
  if (py::isinstance<py::tuple>(efficiency) || py::isinstance<py::list>(efficiency)) {
    if (py::len(efficiency) != 2) bad_argument("efficiency", "must be None, a number or a (compute, memory) pair, got " + shown(efficiency));
    const py::sequence pair = py::reinterpret_borrow<py::sequence>(efficiency);
    s.efficiency = efficiency_model::constant(to_real(pair[0], "efficiency"), to_real(pair[1], "efficiency"));
  } else {
    s.efficiency = efficiency_model::constant(to_real(efficiency, "efficiency"), 1);
  }
  return s;
}

/// None for a platform without modes, as the CLI's null.
py::object mode_of(const operating_mode& m) { return m.name.empty() ? py::object(py::none()) : py::object(py::str(m.name)); }

/// A whole-network prediction's dict: the keys and values of the CLI's record (but the
/// topology, which Python passes as an object).
py::dict prediction_dict(const prediction& p, const platform& pf, const operating_mode& m, const model_labels& labels) {
  py::dict d;
  d["platform"] = pf.id;
  d["mode"] = mode_of(m);
  add_fields(d, p);
  d["memory_model"] = labels.memory_model, d["model"] = labels.model;
  return d;
}

/// Platforms as the CLI's --platforms reads them: a selection as one string, a Platform, a
/// path (os.PathLike) or a sequence of these; across the items of a sequence the same
/// platform and mode twice is a 505, as within one string.
std::vector<platform> select(const py::object& platforms) {
  std::optional<std::vector<platform>> shipped;  // loaded once, only if a string needs it
  const std::string expected = "must be a selection ('thesis', 'all', 'id[:mode],file.json[:mode],...'), a Platform, a path "
                               "or a sequence of them, got ";
  auto text = [](py::handle x) -> std::optional<std::string> {
    if (py::isinstance<py::str>(x)) return x.cast<std::string>();
    if (py::hasattr(x, "__fspath__")) return py::module_::import("os").attr("fspath")(x).cast<std::string>();
    return std::nullopt;
  };
  auto selection = [&](const std::string& s) {
    if (!shipped) shipped = load_platforms(data_dir() / "platforms");
    return select_platforms(*shipped, s);
  };
  if (const auto s = text(platforms)) return selection(*s);
  if (py::isinstance<platform>(platforms)) return {platforms.cast<platform>()};
  if (py::isinstance<py::bytes>(platforms) || !py::isinstance<py::iterable>(platforms))
    bad_argument("platforms", expected + shown(platforms));
  std::vector<platform> out;
  for (py::handle x : py::reinterpret_borrow<py::iterable>(platforms)) {
    const std::string what = "argument 'platforms': item " + shown(x);
    if (py::isinstance<platform>(x)) {
      add_selected(out, {x.cast<platform>(), ""}, what);
    } else if (const auto s = text(x)) {
      for (platform& p : selection(*s)) add_selected(out, {std::move(p), ""}, what);
    } else {
      bad_argument("platforms", expected + "an item " + shown(x));
    }
  }
  return out;
}

/// The data directory, Platform, and loading and selecting specs.
void bind_platforms(py::module_& m) {
  m.def("data_dir", [] { return data_dir(); }, "the data directory: $QUTIBENCH_DATA_DIR, else the copy installed beside the package, else the source "
        "tree's data/, else the install prefix's");

  py::class_<platform>(m, "Platform", "A platform spec: peaks per datatype and operating mode, memory, power")
      .def_static("load", &load_platform, py::arg("path"), "load a spec file (SpecError with the ID, file and JSON pointer)")
      .def_static("from_json", [](const std::string& text, const std::string& where) {
        return spec_from_text<platform>(text, where, &read_platform);
      }, py::arg("text"), py::arg("where") = "<json>", "a spec from JSON text (the schema of data/schema/platform.schema.json)")
      .def_readonly("id", &platform::id)
      .def_readonly("aliases", &platform::aliases, "other names the platform answers to (a measurement table's device)")
      .def_readonly("name", &platform::name)
      .def_readonly("source", &platform::source)
      .def_readonly("carrier_emulation", &platform::carrier_emulation)
      .def_property_readonly("kind", [](const platform& p) { return std::string(kind_name(p.kind)); })
      .def_property_readonly("modes", [](const platform& p) {
        std::vector<std::string> out;
        for (const operating_mode& mo : p.modes) out.push_back(mo.name);
        return out;
      }, "operating mode names, fastest first ('' for a platform without modes)")
      .def_property_readonly("on_chip_bytes", [](const platform& p) { return p.on_chip.value(); })
      .def_property_readonly("memory_capacity_bytes", [](const platform& p) {
        return p.memory_capacity ? py::cast(p.memory_capacity->value()) : py::none();
      })
      .def("peak", [](const platform& p, const py::object& t, const py::object& mode) -> py::object {
        const auto run = p.run(p.mode(to_text(mode, "mode")), to_datatype(t, "datatype"));
        return run ? py::cast(run->peak.value()) : py::none();
      }, py::arg("datatype"), py::arg("mode") = "", "ops/s of `datatype` (natively or in its carrier), None if unsupported")
      .def("carrier", [](const platform& p, const py::object& t, const py::object& mode) -> py::object {
        const auto run = p.run(p.mode(to_text(mode, "mode")), to_datatype(t, "datatype"));
        return run ? py::cast(run->carrier.name()) : py::none();
      }, py::arg("datatype"), py::arg("mode") = "")
      .def("native_peaks", [](const platform& p, const py::object& mode) {
        py::dict d;
        for (const peak_performance& pk : p.mode(to_text(mode, "mode")).peaks) d[pk.type.name().c_str()] = pk.value.value();
        return d;
      }, py::arg("mode") = "", "ops/s per native datatype")
      .def("bandwidth", [](const platform& p, const py::object& mode) { return p.mode(to_text(mode, "mode")).bandwidth.value(); },
           py::arg("mode") = "", "external memory bandwidth, bytes/s")
      .def("power_w", [](const platform& p, const py::object& mode) -> py::object {
        const auto w = p.mode(to_text(mode, "mode")).power.budget();
        return w ? py::cast(w->value()) : py::none();
      }, py::arg("mode") = "", "TDP, else measured full power; None if unknown")
      .def("check", [](const platform& p) {
        py::list out;
        for (const spec_problem& pr : check(p, p.id)) out.append(std::string(pr.to_error().what()));
        return out;
      }, "consistency problems (as check-platform reports them); empty if none")
      .def("to_json", [](const platform& p) { return to_json(p).dump(2); })
      .def("scaled", [](const platform& p, const py::object& peak_factor, const py::object& bandwidth_factor, const py::object& new_id) {
        const double peak = to_real(peak_factor, "peak"), bandwidth = to_real(bandwidth_factor, "bandwidth");
        const std::string id = to_text(new_id, "id");
        platform q = p;
        q.id = id.empty() ? p.id : id;
        for (operating_mode& mo : q.modes) {
          for (peak_performance& pk : mo.peaks) pk.value = pk.value * peak;
          mo.bandwidth = mo.bandwidth * bandwidth;
        }
        return q;
      }, py::arg("peak") = 1.0, py::arg("bandwidth") = 1.0, py::arg("id") = "",
      "a variant with every peak and bandwidth multiplied (design-space sweeps)")
      .def("__repr__", [](const platform& p) { return "Platform('" + p.id + "')"; });

  m.def("load_platforms", [](const std::optional<std::filesystem::path>& dir) {
        return load_platforms(dir ? *dir : data_dir() / "platforms");
      }, py::arg("directory") = py::none(), "every spec of a directory (default: the shipped platforms)");
  m.def("find_platform", [](const py::object& ref) {
        if (!py::isinstance<py::str>(ref))
          bad_argument("platform", "must be an id, 'id:mode', 'file.json[:mode]' or a Platform, got " + shown(ref));
        platform_ref r = find_platform(ref.cast<std::string>(), data_dir());
        return std::make_pair(std::move(r.spec), std::move(r.mode));
      }, py::arg("ref"), "the one platform and mode of 'id', 'id:mode', 'file.json' or 'file.json:mode' (as the CLI reads --platform)");
  m.def("select_platforms", [](const std::string& selection) {
        return select_platforms(load_platforms(data_dir() / "platforms"), selection);
      }, py::arg("selection"), "comma-separated: 'thesis' (Table 6.2's, in order), 'all', ids and spec files (file.json), an id "
                               "or file optionally with ':mode' to keep only that mode");
}

/// Predictions, whole network or per layer, and sweeps.
void bind_predictions(py::module_& m) {
  m.def("predict", [](const topology& t, const platform& pf, const py::object& type, const py::object& batch,
                      const py::object& mode_arg, const py::object& memory_arg, const py::object& efficiency,
                      const py::object& per_layer_arg, const py::object& model_arg, const py::object& threads,
                      const py::object& calibrate_arg, const py::object& metric_arg) {
        const std::string mode = to_text(mode_arg, "mode"), memory = to_text(memory_arg, "memory_model");
        const bool per_layer = to_flag(per_layer_arg, "per_layer");
        const std::optional<std::string> model = to_optional_text(model_arg, "model"),
                                         calibrate = to_optional_text(calibrate_arg, "calibrate"),
                                         metric = to_optional_text(metric_arg, "metric");
        const operating_mode& mo = pf.mode(mode);
        const network_profile prof = profile(t);
        // As the CLI: calibrate takes the realistic model where none is named, metric needs calibrate.
        const prediction_model pm = calibrate ? calibrated_model(model, per_layer) : parse_prediction_model(model.value_or("plain"));
        if (metric && !calibrate) bad_argument("metric", "applies to calibrate only: give calibrate a measurement CSV");
        const scenario s = make_scenario(type, batch, memory, efficiency, threads, pm);
        const bool realistic = pm == prediction_model::realistic;
        const model_labels labels = labels_of(pm, per_layer, calibrate.has_value(), s.memory);
        if (calibrate) {
          const device_calibration fit = load_device_calibration(*calibrate, pf, metric.value_or("compute"), data_dir());
          py::dict d = prediction_dict(predict_calibrated(prof, pf, mo, s, fit), pf, mo, labels);
          d["calibration"] = *calibrate;
          return add_fields(d, fit);
        }
        if (!per_layer && !realistic) return prediction_dict(predict(prof, pf, mo, s), pf, mo, labels);
        const layerwise_prediction l = realistic ? predict_realistic(prof, pf, mo, s) : predict_layers(prof, pf, mo, s);
        py::dict d = prediction_dict(l.network, pf, mo, labels);
        if (!per_layer) return d;
        py::list layers;
        for (const layer_prediction& x : l.layers) layers.append(dict_of(x));
        d["layers"] = layers;
        return d;
      }, py::arg("topology"), py::arg("platform"), py::arg("datatype"), py::arg("batch") = 1, py::arg("mode") = "",
      py::arg("memory_model") = "thesis", py::arg("efficiency") = py::none(), py::arg("per_layer") = false,
      py::arg("model") = py::none(), py::arg("threads") = py::none(), py::arg("calibrate") = py::none(),
      py::arg("metric") = py::none(),
      "roofline prediction (thesis eqs. 4.1, 4.2), or with model 'realistic' the deployed design's estimate; status "
      "'unsupported' with None numbers if the platform cannot run the datatype; memory_model: thesis, onchip-if-fits, "
      "offchip (plain only); efficiency: None, c or (c, m) (plain only); threads: None or runtime threads (realistic only); "
      "calibrate: a measurement CSV whose rows of the platform fit the few-shot factors (model None or realistic), "
      "metric: compute (None) or system, the rows' throughput they fit");

  m.def("sweep", [](const topology& t, const py::object& platform_list, const py::object& batch_list,
                    const py::object& type_list, const py::object& memory_arg, const py::object& per_layer_arg,
                    const py::object& model_arg, const py::object& threads) {
        const std::string memory = to_text(memory_arg, "memory_model"), model = to_text(model_arg, "model");
        const bool per_layer = to_flag(per_layer_arg, "per_layer");
        const std::vector<platform> platforms = select(platform_list);
        std::vector<std::uint64_t> batches;
        for (std::int64_t b : to_integers(batch_list, "batches")) batches.push_back(checked_batch(b, "batches").n);
        if (py::isinstance<py::str>(type_list) || !py::isinstance<py::iterable>(type_list))
          bad_argument("datatypes", "must be a sequence of datatype names, got " + shown(type_list));
        std::vector<datatype> types;
        for (py::handle x : py::reinterpret_borrow<py::iterable>(type_list)) types.push_back(to_datatype(x, "datatypes"));
        const network_profile prof = profile(t);
        const memory_model mm = memory_model::parse(memory);
        const prediction_model pm = parse_prediction_model(model);
        const std::optional<std::uint64_t> nthreads = threads_of(threads, pm);
        const bool realistic = pm == prediction_model::realistic;
        const std::size_t np = platforms.size(), nb = batches.size(), nd = types.size();
        py::array_t<double> lat({np, nb, nd}), thr({np, nb, nd});
        double* l = lat.mutable_data();
        double* r = thr.mutable_data();
        std::fill(l, l + np * nb * nd, std::nan(""));
        std::fill(r, r + np * nb * nd, std::nan(""));
        py::dict out;
        out["latency_s"] = lat;
        out["inputs_per_s"] = thr;
        // The axes' labels, as llm_sweep gives its own: what each index of the arrays is.
        py::list ids, modes, type_names;
        for (const platform& pf : platforms) {
          ids.append(pf.id);
          modes.append(pf.mode().name);
        }
        for (const datatype& d : types) type_names.append(d.name());
        out["platforms"] = ids;
        out["modes"] = modes;
        out["batches"] = batches;
        out["datatypes"] = type_names;
        if (realistic) {  // layer by layer through each design: no flat fast path
          for (std::size_t i = 0; i < np; ++i)
            for (std::size_t j = 0; j < nb; ++j)
              for (std::size_t k = 0; k < nd; ++k) {
                const prediction p = predict_realistic(prof, platforms[i], platforms[i].mode(), {types[k], {batches[j]}, mm, {}, nthreads}).network;
                if (!p.ok()) continue;
                l[(i * nb + j) * nd + k] = p.latency.value();
                r[(i * nb + j) * nd + k] = p.throughput.value();
              }
          return out;
        }
        std::vector<sweep_point> points;
        std::vector<std::size_t> where;  // flat index of each supported point
        points.reserve(np * nb * nd);
        for (std::size_t i = 0; i < np; ++i)
          for (std::size_t j = 0; j < nb; ++j)
            for (std::size_t k = 0; k < nd; ++k)
              if (auto q = make_sweep_point(prof, platforms[i], platforms[i].mode(), {types[k], {batches[j]}, mm, {}})) {
                points.push_back(*q);
                where.push_back((i * nb + j) * nd + k);
              }
        std::vector<double> latency(points.size());
        {
          py::gil_scoped_release release;
          if (per_layer) sweep_layer_latency(prof, points, latency);
          else sweep_network_latency(prof, points, latency);
        }
        for (std::size_t p = 0; p < points.size(); ++p) {
          l[where[p]] = latency[p];
          r[where[p]] = points[p].batch / latency[p];
        }
        return out;
      }, py::arg("topology"), py::arg("platforms"), py::arg("batches"), py::arg("datatypes"),
      py::arg("memory_model") = "thesis", py::arg("per_layer") = false, py::arg("model") = "plain",
      py::arg("threads") = py::none(),
      "latency and throughput of one topology over platforms (first or selected mode each) x batches x datatypes in one "
      "call: arrays of shape (platforms, batches, datatypes), NaN where unsupported, and the axes' labels (platforms, "
      "modes, batches, datatypes); per_layer as predict's (default whole network); model: plain or realistic; threads: "
      "None or runtime threads (realistic only)");
}

/// Heatmaps and pareto frontiers.
void bind_task_views(py::module_& m) {
  m.def("heatmap", [](const py::object& task_arg, const py::object& platforms, const py::object& batch, const py::object& memory_arg,
                      const py::object& model_arg, const py::object& threads) {
        const std::string task = to_text(task_arg, "task"), memory = to_text(memory_arg, "memory_model"),
                          model = to_text(model_arg, "model");
        const std::vector<platform> pfs = select(platforms);
        const prediction_model pm = parse_prediction_model(model);
        const auto cells = heatmap(task, pfs, published_accuracy(data_dir()),
                                   {datatypes::int8, checked_batch(to_integer(batch, "batch")), memory_model::parse(memory), {},
                                    threads_of(threads, pm)},
                                   pm);
        py::list out;
        for (const heatmap_cell& c : cells) out.append(dict_of(c));
        return out;
      }, py::arg("task"), py::arg("platforms") = "thesis", py::arg("batch") = 1, py::arg("memory_model") = "thesis",
      py::arg("model") = "plain", py::arg("threads") = py::none(),
      "every (platform, mode, datatype) x (topology, datatype) cell of a task with a published accuracy; model: "
      "plain or realistic; threads: None or runtime threads (realistic only)");

  m.def("pareto_frontier", [](const py::array_t<double, py::array::c_style | py::array::forcecast>& values,
                              const std::vector<std::string>& senses) {
        if (values.ndim() != 2 || static_cast<std::size_t>(values.shape(1)) != senses.size())
          throw spec_error(error_id::shape_mismatch, "pareto_frontier", "values must be (points, objectives) with one sense per objective");
        std::vector<sense> s;
        for (const std::string& x : senses) {
          if (x != "max" && x != "min") throw spec_error(error_id::unknown_id, "sense '" + x + "'", "valid: max, min");
          s.push_back(x == "max" ? sense::maximize : sense::minimize);
        }
        const std::vector<bool> front =
            pareto_frontier(std::span<const double>(values.data(), static_cast<std::size_t>(values.size())), s);
        py::array_t<bool> out(front.size());
        for (std::size_t i = 0; i < front.size(); ++i) out.mutable_at(i) = front[i];
        return out;
      }, py::arg("values"), py::arg("senses"), "frontier mask of points (rows) over objectives ('max' or 'min' each)");

  m.def("accuracy_frontier", [](const std::vector<double>& accuracy, const std::vector<double>& x, const std::string& figure) {
        if (accuracy.size() != x.size())
          throw spec_error(error_id::shape_mismatch, "accuracy_frontier", "accuracy and x must have one value per point");
        return accuracy_frontier(accuracy, x, parse_figure_of_merit(figure));
      }, py::arg("accuracy"), py::arg("x"), py::arg("figure") = "throughput",
      "frontier mask of accuracy (max) against a figure of merit: throughput or efficiency (max), latency (min)");
}

}  // namespace

/// Decoder LLMs: parameter counts and request predictions (the CLI's `llm`).
void bind_llm(py::module_& m) {
  m.def("llm_parameters", [](const py::object& ref) {
        const llm::parameter_counts p = llm::parameters(find_decoder(to_text(ref, "topology"), data_dir()));
        py::dict d;
        d["embedding"] = p.embedding, d["attention"] = p.attention, d["mlp"] = p.mlp, d["norms"] = p.norms;
        d["lm_head"] = p.lm_head, d["total"] = p.total, d["active"] = p.active;
        return d;
      }, py::arg("topology"));
  m.def("llm", [](const py::object& ref_arg, const platform& pf, const py::object& mode_arg, const py::object& weights_arg,
                  const py::object& kv_arg, const py::object& activations_arg, const py::object& batch, const py::object& prompt,
                  const py::object& output, const py::object& tp, const py::object& pp, const py::object& ep,
                  const py::object& micro_batches, const py::object& model_arg, const py::object& fused_arg,
                  const py::object& per_layer_arg, const py::object& calibrate_arg) {
        const std::string ref = to_text(ref_arg, "topology"), mode = to_text(mode_arg, "mode"), weights = to_text(weights_arg, "weights"),
                          kv = to_text(kv_arg, "kv"), activations = to_text(activations_arg, "activations"),
                          model = to_text(model_arg, "model");
        const bool fused = to_flag(fused_arg, "fused_attention"), per_layer = to_flag(per_layer_arg, "per_layer");
        const std::optional<std::string> calibrate = to_optional_text(calibrate_arg, "calibrate");
        const operating_mode& mo = pf.mode(mode);
        const llm::tensor_formats f{llm::find_format(weights), datatype::parse(activations), llm::find_format(kv)};
        const std::int64_t b = to_integer(batch, "batch"), in = to_integer(prompt, "prompt"), out = to_integer(output, "output");
        const std::int64_t devices = to_integer(tp, "tp"), stages = to_integer(pp, "pp"), experts = to_integer(ep, "ep");
        const std::int64_t micro = to_integer(micro_batches, "micro_batches");
        const llm::request r{.batch = static_cast<double>(b), .prompt = static_cast<double>(in), .output = static_cast<double>(out),
                             .fused_attention = fused, .tp = static_cast<double>(devices), .pp = static_cast<double>(stages),
                             .ep = static_cast<double>(experts), .micro_batches = static_cast<double>(micro)};
        const llm::decoder dec = find_decoder(ref, data_dir());
        const prediction_model mod = calibrate ? calibrated_model(model, per_layer) : parse_prediction_model(model);
        std::optional<llm::calibration> fit;
        if (calibrate) fit = llm::load_calibration(*calibrate, pf, mo, data_dir());
        const llm::request_prediction predicted = llm::predict(dec, f, r, pf, mo, mod);
        const llm::request_prediction p = fit ? llm::calibrated(predicted, r, *fit) : predicted;
        py::dict d;
        d["topology"] = ref, d["platform"] = pf.id, d["mode"] = mode_of(mo), d["weights"] = weights, d["kv"] = kv;
        d["activations"] = f.activations.name(), d["batch"] = b, d["prompt"] = in, d["output"] = out, d["tp"] = devices, d["pp"] = stages;
        d["ep"] = experts, d["micro_batches"] = micro, d["model"] = fit ? std::string("calibrated") : model;
        if (fit) {
          d["calibration"] = *calibrate;
          add_fields(d, *fit);
        }
        add_fields(d, p);
        if (!per_layer) return d;
        py::list ops;
        for (const auto& [name, phase] : {std::pair{"prefill", &p.prefill}, std::pair{"decode", &p.decode}})
          for (const llm::operation_time& t : phase->operations) {
            py::dict o;
            o["phase"] = name;
            ops.append(add_fields(o, t));
          }
        d["operations"] = ops;
        return d;
      }, py::arg("topology"), py::arg("platform"), py::arg("mode"), py::arg("weights"), py::arg("kv"), py::arg("activations"),
      py::arg("batch"), py::arg("prompt"), py::arg("output"), py::arg("tp"), py::arg("pp"), py::arg("ep"), py::arg("micro_batches"),
      py::arg("model"), py::arg("fused_attention"), py::arg("per_layer"), py::arg("calibrate") = py::none());
  m.def("llm_sweep", [](const py::object& ref_arg, const platform& pf, const py::object& mode_arg, const py::object& weights_arg,
                        const py::object& kv_arg, const py::object& activations_arg, const py::object& batches,
                        const py::object& contexts, const py::object& devices, const py::object& output, const py::object& model_arg,
                        const py::object& fused_arg, const py::object& calibrate_arg) {
        const std::string ref = to_text(ref_arg, "topology"), mode = to_text(mode_arg, "mode"), weights = to_text(weights_arg, "weights"),
                          kv = to_text(kv_arg, "kv"), activations = to_text(activations_arg, "activations"),
                          model = to_text(model_arg, "model");
        const bool fused = to_flag(fused_arg, "fused_attention");
        const std::optional<std::string> calibrate = to_optional_text(calibrate_arg, "calibrate");
        const auto reals = [](const py::object& list, std::string_view name) {
          std::vector<double> out;
          for (std::int64_t v : to_integers(list, name)) out.push_back(static_cast<double>(v));
          return out;
        };
        const llm::sweep_axes axes{.batches = reals(batches, "batches"), .contexts = reals(contexts, "contexts"),
                                   .devices = reals(devices, "devices"), .output = static_cast<double>(to_integer(output, "output")),
                                   .fused_attention = fused};
        const llm::tensor_formats f{llm::find_format(weights), datatype::parse(activations), llm::find_format(kv)};
        const llm::decoder dec = find_decoder(ref, data_dir());
        const operating_mode& mo = pf.mode(mode);
        std::optional<llm::calibration> fit;
        if (calibrate) {
          calibrated_model(model, false);
          fit = llm::load_calibration(*calibrate, pf, mo, data_dir());
        }
        const llm::request_sweep r = fit ? llm::calibrated_sweep(dec, f, axes, pf, mo, *fit)
                                         : llm::sweep(dec, f, axes, pf, mo, parse_prediction_model(model));
        const std::vector<std::size_t> shape{r.batches, r.contexts, r.devices};
        const auto array = [&](const std::vector<double>& v, std::optional<std::size_t> length = std::nullopt) {
          py::array_t<double> a = length ? py::array_t<double>(*length) : py::array_t<double>(shape);
          std::copy(v.begin(), v.end(), a.mutable_data());
          return a;
        };
        // numpy strings: masks such as sweep["status"] == "ok" read naturally
        const auto strings = [&](auto&& text) {
          py::list l;
          for (std::size_t i = 0; i < r.size(); ++i) l.append(text(i));
          return py::module_::import("numpy").attr("array")(l).attr("reshape")(shape);
        };
        py::dict d;
        d["status"] = strings([&](std::size_t i) { return std::string(llm::status_name(r.status[i])); });
        d["reason"] = strings([&](std::size_t i) { return r.reason(i); });
        d["ttft_s"] = array(r.ttft_s), d["tpot_s"] = array(r.tpot_s);
        d["decode_tokens_per_s"] = array(r.decode_tokens_per_s), d["throughput_tokens_per_s"] = array(r.throughput_tokens_per_s);
        d["latency_s"] = array(r.latency_s), d["memory_bytes"] = array(r.memory_bytes), d["energy_per_token_j"] = array(r.energy_per_token_j);
        d["batches"] = array(axes.batches, axes.batches.size()), d["contexts"] = array(axes.contexts, axes.contexts.size());
        d["devices"] = array(axes.devices, axes.devices.size());
        d["model"] = fit ? std::string("calibrated") : model;
        if (fit) {
          d["calibration"] = *calibrate;
          add_fields(d, *fit);
        }
        return d;
      }, py::arg("topology"), py::arg("platform"), py::arg("mode"), py::arg("weights"), py::arg("kv"), py::arg("activations"),
      py::arg("batches"), py::arg("contexts"), py::arg("devices"), py::arg("output"), py::arg("model"), py::arg("fused_attention"),
      py::arg("calibrate") = py::none());
}

void bind_predict(py::module_& m) {
  bind_platforms(m);
  bind_predictions(m);
  bind_task_views(m);
  bind_llm(m);
}

}  // namespace qutibench::python
