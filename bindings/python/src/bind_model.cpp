// Datatypes, topologies and their builder, the zoo, requirements (level-0 counts).
#include <pybind11/operators.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "bind.hpp"
#include "convert.hpp"
#include "fields.hpp"
#include "qutibench/io/onnx/import.hpp"
#include "qutibench/io/topology_ref.hpp"
#include "qutibench/io/topology_json.hpp"
#include "qutibench/network_summary.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench::python {

namespace {

using names = std::optional<std::vector<std::string>>;
std::vector<std::string> from(const names& n) { return n.value_or(std::vector<std::string>{}); }

activation_kind parse_activation(const std::string& kind) {
  static const std::pair<const char*, activation_kind> kinds[] = {
      {"relu", activation_kind::relu},   {"relu6", activation_kind::relu6}, {"sigmoid", activation_kind::sigmoid},
      {"tanh", activation_kind::tanh},   {"swish", activation_kind::swish}, {"hard_swish", activation_kind::hard_swish},
      {"gelu", activation_kind::gelu}};
  for (const auto& [name, k] : kinds)
    if (kind == name) return k;
  throw spec_error(error_id::unknown_id, "activation '" + kind + "'", "valid: relu, relu6, sigmoid, tanh, swish, hard_swish, gelu");
}

py::dict node_dict(const topology& t, const node& n) {
  py::list inputs;
  for (std::size_t i : n.inputs) inputs.append(t.nodes()[i].name);
  const layer_cost& c = n.cost;
  py::dict d;
  d["name"] = n.name;
  d["kind"] = std::string(kind_name(n.op));
  d["inputs"] = inputs;
  d["out_shape"] = shape_tuple(c.out);
  d["macs"] = c.macs;
  d["other_ops"] = c.other_ops;
  d["weights"] = c.weights;
  d["biases"] = c.biases;
  d["activations_in"] = c.act_in;
  d["activations_out"] = c.act_out;
  d["state"] = c.state;
  d["is_view"] = c.is_view;
  return d;
}

/// The level-0 summary of the zoo table (`qutibench zoo`): GOPs, model size, T_total, peak
/// live activations in 10^9 and 10^6 units, and OI per thesis datatype.
py::dict summary(const topology& t) { return dict_of(summarize(t)); }

py::dict requirements_dict(const topology& t, const precision& p, batch_size batch) {
  const network_requirements r = requirements(t, p, batch);
  py::list layers;
  for (const layer_requirements& l : r.layers) layers.append(dict_of(l));
  py::dict total = dict_of(r.total);
  total["operational_intensity"] = r.operational_intensity().value();
  py::dict out;
  out["batch"] = r.batch;
  out["total"] = total;
  out["layers"] = layers;
  return out;
}

/// Datatype.
void bind_datatype(py::module_& m) {
  py::class_<datatype>(m, "Datatype", "A datatype: intN/uintN (N = 1..32), binary, bipolar, fp8_e4m3, fp8_e5m2, fp16, bf16, tf32, fp32, fp64")
      .def(py::init([](const std::string& name) { return datatype::parse(name); }), py::arg("name"))
      .def_property_readonly("name", &datatype::name)
      .def_readonly("bits", &datatype::bits)
      .def_property_readonly("is_integer", &datatype::is_integer)
      .def_property_readonly("size_bytes", [](const datatype& d) { return d.size().value(); }, "bytes per element (packed)")
      .def("holds", &datatype::holds, py::arg("other"), "every value of `other` is exactly representable")
      .def(py::self == py::self)
      .def("__hash__", [](const datatype& d) { return std::hash<std::string>{}(d.name()); })
      .def("__repr__", [](const datatype& d) { return "Datatype('" + d.name() + "')"; })
      .def("__str__", &datatype::name);
  py::implicitly_convertible<py::str, datatype>();
}

/// Topology: loading, saving, nodes, precision.
void bind_topology(py::module_& m) {
  py::class_<topology>(m, "Topology", py::dynamic_attr(), "A validated network: a DAG of layers with inferred shapes")
      .def_static("load", &load_topology, py::arg("path"),
                  "load a topology file (data/schema/topology.schema.json; SpecError with the ID, file and field or node)")
      .def_static("from_json", [](const std::string& text, const std::string& where) {
        return spec_from_text<topology>(text, where, &read_topology);
      }, py::arg("text"), py::arg("where") = "<json>", "a topology from JSON text (the schema of data/schema/topology.schema.json)")
      .def("to_json", [](const topology& t) { return to_json(t).dump(2); }, "the topology as a file that Topology.load reads back")
      .def_property_readonly("name", &topology::name)
      .def("__len__", &topology::size)
      .def("nodes", [](const topology& t) {
        py::list out;
        for (const node& n : t.nodes()) out.append(node_dict(t, n));
        return out;
      }, "every node: name, kind, inputs, out_shape, macs, weights, biases, activations, state (batch 1)")
      .def_property_readonly("layer_defined", &topology::layer_defined)
      .def("summary", &summary, "the zoo table's level-0 figures: gops, model_me, t_total_me, peak_live_me, oi_int2 .. oi_fp32")
      .def("__repr__", [](const topology& t) { return "Topology('" + t.name() + "', " + std::to_string(t.size()) + " nodes)"; });
}

/// TopologyBuilder: one method per layer kind.
void bind_builder(py::module_& m) {
  using B = topology::builder;
  py::class_<B>(m, "TopologyBuilder", "Builds a topology node by node; inputs=None means the node added just before")
      .def(py::init([](const std::string& name, const py::object& shape, const std::string& input_name) {
             return B(name, to_shape(shape), input_name);
           }),
           py::arg("name"), py::arg("input_shape"), py::arg("input_name") = "input")
      .def("input", [](B& b, const std::string& n, const py::object& s) -> B& { return b.input(n, to_shape(s)); },
           py::arg("name"), py::arg("shape"), py::return_value_policy::reference_internal)
      .def("dense", [](B& b, const std::string& n, std::int64_t out, bool bias, const names& in) -> B& {
             return b.dense(n, {.out_features = out, .bias = bias}, from(in));
           }, py::arg("name"), py::arg("out_features"), py::arg("bias") = true, py::arg("inputs") = py::none(),
           py::return_value_policy::reference_internal)
      .def("conv2d", [](B& b, const std::string& n, std::int64_t out, std::int64_t k, std::int64_t s, std::int64_t p,
                        std::int64_t d, std::int64_t g, bool bias, const names& in) -> B& {
             return b.conv2d(n, {.out_channels = out, .kernel = k, .stride = s, .padding = p, .dilation = d, .groups = g, .bias = bias}, from(in));
           }, py::arg("name"), py::arg("out_channels"), py::arg("kernel") = 1, py::arg("stride") = 1, py::arg("padding") = 0,
           py::arg("dilation") = 1, py::arg("groups") = 1, py::arg("bias") = false, py::arg("inputs") = py::none(),
           py::return_value_policy::reference_internal)
      .def("max_pool2d", [](B& b, const std::string& n, std::int64_t k, std::int64_t s, std::int64_t p, bool ceil, const names& in) -> B& {
             return b.max_pool2d(n, {.kernel = k, .stride = s, .padding = p, .ceil_mode = ceil}, from(in));
           }, py::arg("name"), py::arg("kernel") = 2, py::arg("stride") = 0, py::arg("padding") = 0, py::arg("ceil_mode") = false,
           py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("avg_pool2d", [](B& b, const std::string& n, std::int64_t k, std::int64_t s, std::int64_t p, bool ceil, const names& in) -> B& {
             return b.avg_pool2d(n, {.kernel = k, .stride = s, .padding = p, .ceil_mode = ceil}, from(in));
           }, py::arg("name"), py::arg("kernel") = 2, py::arg("stride") = 0, py::arg("padding") = 0, py::arg("ceil_mode") = false,
           py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("global_avg_pool", [](B& b, const std::string& n, const names& in) -> B& { return b.global_avg_pool(n, from(in)); },
           py::arg("name"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("global_max_pool", [](B& b, const std::string& n, const names& in) -> B& { return b.node(n, global_pool{pool_kind::max}, from(in)); },
           py::arg("name"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("add", [](B& b, const std::string& n, const std::vector<std::string>& in) -> B& { return b.add(n, in); },
           py::arg("name"), py::arg("inputs"), py::return_value_policy::reference_internal)
      .def("mul", [](B& b, const std::string& n, const std::vector<std::string>& in) -> B& { return b.mul(n, in); },
           py::arg("name"), py::arg("inputs"), py::return_value_policy::reference_internal)
      .def("concat", [](B& b, const std::string& n, const std::vector<std::string>& in, int axis) -> B& { return b.concat(n, in, axis); },
           py::arg("name"), py::arg("inputs"), py::arg("axis") = 0, py::return_value_policy::reference_internal)
      .def("batch_norm", [](B& b, const std::string& n, const names& in) -> B& { return b.batch_norm(n, from(in)); },
           py::arg("name"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("activation", [](B& b, const std::string& n, const std::string& kind, const names& in) -> B& {
             return b.activation(n, parse_activation(kind), from(in));
           }, py::arg("name"), py::arg("kind") = "relu", py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("relu", [](B& b, const std::string& n, const names& in) -> B& { return b.relu(n, from(in)); },
           py::arg("name"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("flatten", [](B& b, const std::string& n, const names& in) -> B& { return b.flatten(n, from(in)); },
           py::arg("name"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("reshape", [](B& b, const std::string& n, const py::object& s, const names& in) -> B& { return b.reshape(n, to_shape(s), from(in)); },
           py::arg("name"), py::arg("shape"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("elementwise", [](B& b, const std::string& n, const py::object& s, const names& in) -> B& { return b.elementwise(n, to_shape(s), from(in)); },
           py::arg("name"), py::arg("shape"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("slice", [](B& b, const std::string& n, const py::object& s, const names& in) -> B& { return b.slice(n, to_shape(s), from(in)); },
           py::arg("name"), py::arg("shape"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("softmax", [](B& b, const std::string& n, const names& in) -> B& { return b.softmax(n, from(in)); },
           py::arg("name"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("layer_norm", [](B& b, const std::string& n, const names& in) -> B& { return b.layer_norm(n, from(in)); },
           py::arg("name"), py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("lstm", [](B& b, const std::string& n, std::int64_t hidden, bool seq, bool bias, const names& in) -> B& {
             return b.lstm(n, {.hidden = hidden, .return_sequences = seq, .bias = bias}, from(in));
           }, py::arg("name"), py::arg("hidden"), py::arg("return_sequences") = true, py::arg("bias") = true,
           py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("gru", [](B& b, const std::string& n, std::int64_t hidden, bool seq, bool bias, const names& in) -> B& {
             return b.gru(n, {.hidden = hidden, .return_sequences = seq, .bias = bias}, from(in));
           }, py::arg("name"), py::arg("hidden"), py::arg("return_sequences") = true, py::arg("bias") = true,
           py::arg("inputs") = py::none(), py::return_value_policy::reference_internal)
      .def("matmul", [](B& b, const std::string& n, const std::vector<std::string>& in, bool tb) -> B& {
             return b.matmul(n, in, {.transpose_b = tb});
           }, py::arg("name"), py::arg("inputs"), py::arg("transpose_b") = false, py::return_value_policy::reference_internal)
      .def("attention", [](B& b, const std::string& n, std::int64_t heads, std::int64_t kv, bool bias, const names& in) -> B& {
             return b.attention(n, {.heads = heads, .kv_cache = kv, .bias = bias}, from(in));
           }, py::arg("name"), py::arg("heads") = 1, py::arg("kv_cache") = 0, py::arg("bias") = true, py::arg("inputs") = py::none(),
           py::return_value_policy::reference_internal)
      .def("embedding", [](B& b, const std::string& n, std::int64_t vocabulary, std::int64_t dim, const names& in) -> B& {
             return b.embedding(n, {.vocabulary = vocabulary, .dim = dim}, from(in));
           }, py::arg("name"), py::arg("vocabulary"), py::arg("dim"), py::arg("inputs") = py::none(),
           py::return_value_policy::reference_internal)
      .def("last", &B::last, "name of the node added last")
      .def("build", &B::build, "validate, schedule and infer shapes (SpecError naming the node at fault)");
}

/// The zoo, and requirements for inference and training.
void bind_zoo_and_requirements(py::module_& m) {
  m.def("zoo_catalogue", [] {
    py::list out;
    for (const zoo::entry& e : zoo::catalogue) {
      py::dict d;
      d["id"] = std::string(e.id);
      d["task"] = std::string(e.task);
      d["thesis_name"] = std::string(e.thesis_name);
      out.append(d);
    }
    return out;
  }, "every zoo network: id, task, name in thesis Table 6.1");
  m.def("zoo_get", &zoo::get, py::arg("id"), "build the zoo network with stable id `id`");

  m.def("requirements", [](const topology& t, const py::object& dtype, const py::object& batch) {
        return requirements_dict(t, to_precision(dtype), checked_batch(to_integer(batch, "batch")));
      }, py::arg("topology"), py::arg("precision") = "fp32", py::arg("batch") = 1,
      "level-0 requirements per layer and in total; precision: a datatype (uniform) or "
      "{'fallback': (w, a), 'overrides': {node: (w, a)}}");
  m.def("training", [](const topology& t, const py::object& dtype, const py::object& batch, const py::object& inputs,
                       const py::object& epochs) {
        const training_requirements tr = training(requirements(t, to_precision(dtype), checked_batch(to_integer(batch, "batch"))),
                                                  to_count(inputs, "inputs_per_epoch"), to_count(epochs, "epochs"));
        py::dict d;
        d["weight_gradients"] = tr.weight_gradients.value();
        d["weight_updates"] = tr.weight_updates.value();
        d["activation_gradients"] = tr.activation_gradients.value();
        d["ops_per_batch"] = tr.ops_per_batch.value();
        d["ops_total"] = tr.ops_total.value();
        return d;
      }, py::arg("topology"), py::arg("precision") = "fp32", py::arg("batch") = 1, py::arg("inputs_per_epoch"),
      py::arg("epochs"), "training requirements (thesis eq. 2.6)");
}

/// ONNX import through the C++ importer: a file (never read whole) or the bytes of a
/// model; returns the topology and, for a quantized model, its precision as a dict.
void bind_onnx(py::module_& m) {
  auto result = [](onnx::imported_model r) {
    py::object precision = py::none();
    if (r.precision) {
      auto pair = [](const layer_precision& p) { return py::make_tuple(p.weights.name(), p.activations.name()); };
      py::dict overrides;
      for (const auto& [name, types] : r.precision->overrides) overrides[py::str(name)] = pair(types);
      py::dict d;
      d["fallback"] = pair(r.precision->fallback);
      d["overrides"] = overrides;
      precision = d;
    }
    return py::make_tuple(std::move(r.topology), precision, r.warnings);
  };
  // sequence_length's range and unknown_ops's value are checked by the importer, for the CLI too.
  auto options = [](const std::string& name, const py::object& sequence_length, const std::string& unknown_ops) {
    return onnx::import_options{name,
                                sequence_length.is_none() ? std::nullopt : std::optional(to_integer(sequence_length, "sequence_length")),
                                onnx::parse_unknown_ops(unknown_ops)};
  };
  m.def("find_topology", [result](const py::object& ref) {
        if (!py::isinstance<py::str>(ref))
          bad_argument("topology", "must be a Topology, a zoo id, a topology file (.json) or an ONNX model (.onnx), got " + shown(ref));
        found_topology found = find_topology(ref.cast<std::string>());
        return result({std::move(found.net), std::move(found.quantized), std::move(found.warnings)});
      }, py::arg("ref"), "(Topology, precision or None, warnings) of a zoo id, FILE.json or FILE.onnx, as the CLI reads --topology");
  m.def("onnx_import_file", [result, options](const std::filesystem::path& path, const std::string& name, const py::object& sequence_length,
                                              const std::string& unknown_ops) {
        return result(onnx::import_file(path, options(name, sequence_length, unknown_ops)));
      }, py::arg("path"), py::arg("name") = "", py::arg("sequence_length") = py::none(), py::arg("unknown_ops") = "error",
      "(Topology, precision or None, warnings) of the ONNX file `path`");
  m.def("onnx_import_bytes", [result, options](const py::bytes& data, const std::string& source, const std::string& name,
                                               const py::object& sequence_length, const std::string& unknown_ops) {
        const std::string_view bytes = data;
        return result(onnx::import_model({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, source,
                                         options(name, sequence_length, unknown_ops)));
      }, py::arg("data"), py::arg("source"), py::arg("name") = "", py::arg("sequence_length") = py::none(),
      py::arg("unknown_ops") = "error", "(Topology, precision or None, warnings) of a serialized ONNX model");
}

}  // namespace

void bind_model(py::module_& m) {
  bind_onnx(m);
  bind_datatype(m);
  bind_topology(m);
  bind_builder(m);
  bind_zoo_and_requirements(m);
}

}  // namespace qutibench::python
