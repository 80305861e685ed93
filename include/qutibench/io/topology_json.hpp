// Topologies as JSON files (schema data/schema/topology.schema.json; docs/topologies.md):
// a network written by hand or exported by another tool, read into the same validated
// topology the builder makes. Opt-in: link qutibench::json.
//
//     {"name": "tiny", "nodes": [
//        {"name": "input", "op": "input", "shape": [3, 32, 32]},
//        {"name": "conv1", "op": "conv2d", "out_channels": 16, "kernel": 3, "padding": 1},
//        {"name": "relu1", "op": "relu"},
//        {"name": "sum", "op": "add", "inputs": ["conv1", "relu1"]}]}
//
// A node without "inputs" reads the node listed before it. Every field problem names the
// file and its JSON pointer; a graph or shape problem names the file and the node.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "qutibench/error.hpp"
#include "qutibench/io/json_reader.hpp"
#include "qutibench/layer.hpp"
#include "qutibench/topology.hpp"

namespace qutibench {

namespace detail {

/// The op names of a topology file, one per layer kind (conv2d covers grouped and
/// depthwise through "groups"); error messages list them.
inline constexpr std::string_view topology_ops =
    "input, dense, conv2d, max_pool2d, avg_pool2d, global_avg_pool, global_max_pool, add, mul, concat, batch_norm, "
    "relu, relu6, sigmoid, tanh, swish, hard_swish, gelu, flatten, reshape, slice, elementwise, softmax, layer_norm, lstm, gru, matmul, "
    "attention, embedding, summary";

/// Reads one topology file, collecting every field problem before building.
class topology_reader : public json_reader {
 public:
  using json_reader::json_reader;

  topology read(const json& j) {
    if (!j.is_object()) {
      fail(error_id::malformed_json, "", "a topology spec must be a JSON object");
      return {};
    }
    known(j, "", {"$schema", "name", "source", "notes", "nodes"});
    const std::string name = text(j, "", "name", true);
    text(j, "", "source", false);
    text(j, "", "notes", false);
    if (!j.contains("nodes")) {
      fail(error_id::missing_field, "/nodes", "required: the layers, network inputs first");
      return {};
    }
    const json& nodes = j["nodes"];
    if (!nodes.is_array() || nodes.empty() || !nodes.front().is_object() || !nodes.front().contains("op") ||
        nodes.front()["op"] != "input") {
      fail(error_id::invalid_value, "/nodes", "must be an array of nodes whose first is an input, e.g. "
                                              "{\"name\": \"input\", \"op\": \"input\", \"shape\": [3, 224, 224]}");
      return {};
    }
    std::optional<topology::builder> b;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const std::string at = "/nodes/" + std::to_string(i);
      if (!nodes[i].is_object()) {
        fail(error_id::invalid_value, at, "must be an object with name and op");
        continue;
      }
      const json& nd = nodes[i];
      const std::string node_name = text(nd, at, "name", true);
      const std::string op = text(nd, at, "op", true);
      std::optional<layer> l = op.empty() ? std::nullopt : read_layer(nd, at, op);
      std::vector<std::string> from = read_inputs(nd, at, op == "input");
      if (!l || node_name.empty()) continue;  // a problem is recorded; keep reading for the others
      if (const auto* in = std::get_if<input_layer>(&*l)) {
        if (!b) b.emplace(name, in->shape, node_name);
        else b->input(node_name, in->shape);
      } else if (b) {  // no builder: the first node, an input, had a problem
        b->node(node_name, *l, std::move(from));
      }
    }
    if (!problems.empty() || !b || name.empty()) return {};
    try {
      return b->build();
    } catch (const spec_error& e) {  // graph and shape problems name the node
      problems.push_back({e.id(), file_ + ": " + e.where(), e.reason()});
      return {};
    }
  }

 private:
  /// True if `v` is a JSON integer that `Int` holds.
  template <class Int>
  static bool fits(const json& v) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>() <= std::uint64_t(std::numeric_limits<Int>::max());
    return v.is_number_integer() && std::numeric_limits<Int>::is_signed;
  }

  /// A JSON integer that fits the layer field (int64 dimensions; uint64 for summary counts).
  template <class Int>
  Int integer(const json& obj, const std::string& at, const char* key, Int fallback, bool required = false) {
    const json* found = field(obj, at, key, required);
    if (!found) return fallback;
    const json& v = *found;
    if (!fits<Int>(v)) {
      fail(error_id::invalid_value, at + "/" + key,
           std::string("must be an integer") + (std::numeric_limits<Int>::is_signed ? "" : " >= 0") + " within 64 bits, got " + shown(v));
      return fallback;
    }
    return v.get<Int>();
  }

  std::optional<tensor_shape> shape(const json& obj, const std::string& at, const char* key) {
    if (!obj.contains(key)) {
      fail(error_id::missing_field, at + "/" + key, "required, e.g. [3, 224, 224]");
      return std::nullopt;
    }
    const json& v = obj[key];
    if (!v.is_array() || v.empty() || v.size() > tensor_shape::max_rank) {
      fail(error_id::invalid_value, at + "/" + key, "must be an array of 1 to 4 dimensions, got " + shown(v));
      return std::nullopt;
    }
    tensor_shape s;
    s.rank = static_cast<int>(v.size());
    for (std::size_t d = 0; d < v.size(); ++d) {
      if (!fits<std::int64_t>(v[d])) {
        fail(error_id::invalid_value, at + "/" + key + "/" + std::to_string(d), "must be an integer, got " + shown(v[d]));
        return std::nullopt;
      }
      s.dims[d] = v[d].get<std::int64_t>();
    }
    return s;
  }

  std::vector<std::string> read_inputs(const json& nd, const std::string& at, bool is_input) {
    if (!nd.contains("inputs")) return {};
    const json& v = nd["inputs"];
    if (is_input) {
      fail(error_id::invalid_value, at + "/inputs", "a network input reads no other node");
      return {};
    }
    std::vector<std::string> out;
    if (v.is_array() && !v.empty())
      for (const json& s : v)
        if (s.is_string() && !s.get_ref<const std::string&>().empty()) out.push_back(s.get<std::string>());
    if (out.empty() || out.size() != v.size())
      fail(error_id::invalid_value, at + "/inputs", "must be a non-empty array of node names, got " + shown(v));
    return out;
  }

  /// Reports a key of node `nd` that op `op` does not take.
  void params(const json& nd, const std::string& at, const std::string& op, std::initializer_list<std::string_view> keys) {
    std::vector<std::string_view> all{"name", "op", "inputs"};
    all.insert(all.end(), keys.begin(), keys.end());
    known(nd, at, all, " for op '" + op + "'");
  }

  /// Ops that compute: dense, conv2d, pools, recurrent, matmul, attention, embedding,
  /// summary. False when `op` is not one of them.
  bool read_weighted_layer(const json& nd, const std::string& at, const std::string& op, std::optional<layer>& l) {
    using i64 = std::int64_t;
    if (op == "dense") {
      params(nd, at, op, {"out_features", "bias"});
      l = dense{.out_features = integer<i64>(nd, at, "out_features", 0, true), .bias = flag(nd, at, "bias", true)};
    } else if (op == "conv2d") {
      params(nd, at, op, {"out_channels", "kernel", "stride", "padding", "dilation", "groups", "bias"});
      l = conv2d{.out_channels = integer<i64>(nd, at, "out_channels", 0, true),
                 .kernel = integer<i64>(nd, at, "kernel", 0, true),
                 .stride = integer<i64>(nd, at, "stride", 1),
                 .padding = integer<i64>(nd, at, "padding", 0),
                 .dilation = integer<i64>(nd, at, "dilation", 1),
                 .groups = integer<i64>(nd, at, "groups", 1),
                 .bias = flag(nd, at, "bias", false)};
    } else if (op == "max_pool2d" || op == "avg_pool2d") {
      params(nd, at, op, {"kernel", "stride", "padding", "ceil_mode"});
      l = pool2d{.kind = op == "max_pool2d" ? pool_kind::max : pool_kind::avg,
                 .kernel = integer<i64>(nd, at, "kernel", 0, true),
                 .stride = integer<i64>(nd, at, "stride", 0),
                 .padding = integer<i64>(nd, at, "padding", 0),
                 .ceil_mode = flag(nd, at, "ceil_mode", false)};
    } else if (op == "lstm" || op == "gru") {
      params(nd, at, op, {"hidden", "return_sequences", "bias"});
      l = recurrent{.cell = op == "lstm" ? recurrent_cell::lstm : recurrent_cell::gru,
                    .hidden = integer<i64>(nd, at, "hidden", 0, true),
                    .return_sequences = flag(nd, at, "return_sequences", true),
                    .bias = flag(nd, at, "bias", true)};
    } else if (op == "matmul") {
      params(nd, at, op, {"transpose_b"});
      l = matmul{.transpose_b = flag(nd, at, "transpose_b", false)};
    } else if (op == "attention") {
      params(nd, at, op, {"heads", "kv_cache", "bias"});
      l = attention{.heads = integer<i64>(nd, at, "heads", 1),
                    .kv_cache = integer<i64>(nd, at, "kv_cache", 0),
                    .bias = flag(nd, at, "bias", true)};
    } else if (op == "embedding") {
      params(nd, at, op, {"vocabulary", "dim"});
      l = embedding{.vocabulary = integer<i64>(nd, at, "vocabulary", 0, true), .dim = integer<i64>(nd, at, "dim", 0, true)};
    } else if (op == "summary") {
      params(nd, at, op, {"macs", "weights", "shape"});
      const std::uint64_t macs = integer<std::uint64_t>(nd, at, "macs", 0, true);
      const std::uint64_t weights = integer<std::uint64_t>(nd, at, "weights", 0, true);
      if (auto s = shape(nd, at, "shape")) l = summary{macs, weights, *s};
    } else {
      return false;
    }
    return true;
  }

  /// Ops that move or normalise data: input, global pools, element-wise, concat, batch
  /// norm, activations, reshapes, softmax, layer norm. False when `op` is not one of them.
  bool read_shaping_layer(const json& nd, const std::string& at, const std::string& op, std::optional<layer>& l) {
    using i64 = std::int64_t;
    if (op == "input") {
      params(nd, at, op, {"shape"});
      if (auto s = shape(nd, at, "shape")) l = input_layer{*s};
    } else if (op == "global_avg_pool" || op == "global_max_pool") {
      params(nd, at, op, {});
      l = global_pool{op == "global_max_pool" ? pool_kind::max : pool_kind::avg};
    } else if (op == "add" || op == "mul") {
      params(nd, at, op, {});
      l = eltwise{op == "add" ? eltwise_kind::add : eltwise_kind::mul};
    } else if (op == "concat") {
      params(nd, at, op, {"axis"});
      const i64 axis = integer<i64>(nd, at, "axis", 0);
      if (axis < 0 || axis >= tensor_shape::max_rank) fail(error_id::invalid_value, at + "/axis", "must be 0 to 3, got " + std::to_string(axis));
      l = concat{static_cast<int>(axis)};
    } else if (op == "batch_norm") {
      params(nd, at, op, {});
      l = batch_norm{};
    } else if (auto kind = activation_of(op)) {
      params(nd, at, op, {});
      l = activation{*kind};
    } else if (op == "flatten") {
      params(nd, at, op, {});
      l = flatten{};
    } else if (op == "reshape") {
      params(nd, at, op, {"shape"});
      if (auto s = shape(nd, at, "shape")) l = reshape{*s};
    } else if (op == "slice") {
      params(nd, at, op, {"shape"});
      if (auto s = shape(nd, at, "shape")) l = slice{*s};
    } else if (op == "elementwise") {
      params(nd, at, op, {"shape"});
      if (auto s = shape(nd, at, "shape")) l = elementwise{*s};
    } else if (op == "softmax") {
      params(nd, at, op, {});
      l = softmax{};
    } else if (op == "layer_norm") {
      params(nd, at, op, {});
      l = layer_norm{};
    } else {
      return false;
    }
    return true;
  }

  std::optional<layer> read_layer(const json& nd, const std::string& at, const std::string& op) {
    const std::size_t before = problems.size();
    std::optional<layer> l;
    if (!read_weighted_layer(nd, at, op, l) && !read_shaping_layer(nd, at, op, l))
      fail(error_id::invalid_value, at + "/op", "'" + op + "' is not an op; valid: " + std::string(topology_ops));
    if (problems.size() != before) return std::nullopt;
    return l;
  }

  static std::optional<activation_kind> activation_of(std::string_view op) {
    constexpr activation_kind kinds[] = {activation_kind::relu,  activation_kind::relu6,      activation_kind::sigmoid,
                                         activation_kind::tanh,  activation_kind::swish,      activation_kind::hard_swish,
                                         activation_kind::gelu};
    for (activation_kind k : kinds)
      if (kind_name(activation{k}) == op) return k;
    return std::nullopt;
  }
};

/// Writes a layer's parameters into its node object (to_json's half of read_layer).
struct layer_fields {
  nlohmann::ordered_json& n;
  static nlohmann::ordered_json dims(const tensor_shape& s) {
    auto a = nlohmann::ordered_json::array();
    for (int d = 0; d < s.rank; ++d) a.push_back(s[d]);
    return a;
  }
  void operator()(const input_layer& l) const { n["shape"] = dims(l.shape); }
  void operator()(const dense& l) const { n.update({{"out_features", l.out_features}, {"bias", l.bias}}); }
  void operator()(const conv2d& l) const {
    n["op"] = "conv2d";  // kind_name says conv2d_grouped for groups > 1; the file has one op
    n.update({{"out_channels", l.out_channels}, {"kernel", l.kernel}, {"stride", l.stride}, {"padding", l.padding},
              {"dilation", l.dilation}, {"groups", l.groups}, {"bias", l.bias}});
  }
  void operator()(const pool2d& l) const {
    n.update({{"kernel", l.kernel}, {"stride", l.stride}, {"padding", l.padding}, {"ceil_mode", l.ceil_mode}});
  }
  void operator()(const concat& l) const { n["axis"] = l.axis; }
  void operator()(const reshape& l) const { n["shape"] = dims(l.shape); }
  void operator()(const slice& l) const { n["shape"] = dims(l.shape); }
  void operator()(const elementwise& l) const { n["shape"] = dims(l.shape); }
  void operator()(const recurrent& l) const {
    n.update({{"hidden", l.hidden}, {"return_sequences", l.return_sequences}, {"bias", l.bias}});
  }
  void operator()(const matmul& l) const { n["transpose_b"] = l.transpose_b; }
  void operator()(const attention& l) const { n.update({{"heads", l.heads}, {"kv_cache", l.kv_cache}, {"bias", l.bias}}); }
  void operator()(const embedding& l) const { n.update({{"vocabulary", l.vocabulary}, {"dim", l.dim}}); }
  void operator()(const summary& l) const { n.update({{"macs", l.macs}, {"weights", l.weights}, {"shape", dims(l.out)}}); }
  // global pools, add, mul, batch norm, activations, flatten, softmax, layer norm: the op says it all
  void operator()(const auto&) const {}
};

}  // namespace detail

/// Reads a topology from parsed JSON, collecting every problem (`where` names the file in
/// messages). The topology is complete only if no problem was found.
inline std::vector<spec_problem> read_topology(const nlohmann::ordered_json& j, const std::string& where, topology& out) {
  detail::topology_reader r(where);
  out = r.read(j);
  return std::move(r.problems);
}

/// Loads a topology file; throws the first problem as spec_error: 5xx naming the file and
/// the JSON pointer, or 2xx naming the file and the node (shapes, cycles, dangling inputs).
inline topology load_topology(const std::filesystem::path& file) { return load_spec<topology>(file, &read_topology); }

/// A topology as a file that `load_topology` reads back into the same nodes, in schedule
/// order, every parameter and input written out.
inline nlohmann::ordered_json to_json(const topology& t) {
  using json = nlohmann::ordered_json;
  json nodes = json::array();
  for (const node& nd : t.nodes()) {
    json n = {{"name", nd.name}, {"op", std::string(kind_name(nd.op))}};
    std::visit(detail::layer_fields{n}, nd.op);
    if (!nd.inputs.empty()) {
      json in = json::array();
      for (std::size_t i : nd.inputs) in.push_back(t.nodes()[i].name);
      n["inputs"] = in;
    }
    nodes.push_back(std::move(n));
  }
  return {{"name", t.name()}, {"nodes", std::move(nodes)}};
}

}  // namespace qutibench
