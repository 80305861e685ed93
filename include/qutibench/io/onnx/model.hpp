// An ONNX model as qutibench reads it: the graph's nodes, attributes, inputs and
// outputs, and each tensor's type and dims; a payload is kept only when short (shape
// arithmetic reads those), a longer one only measured. Field numbers are those of
// onnx/onnx.proto (ONNX 1.12).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/checked.hpp"
#include "qutibench/io/onnx/wire.hpp"

namespace qutibench::onnx {

/// TensorProto.DataType values qutibench tells apart.
enum element_type : std::int32_t {
  float32 = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, boolean = 9, float16 = 10,
  float64 = 11, uint32 = 12, uint64 = 13, bfloat16 = 16
};

/// A short run of a typed data field (float_data, int32_data, int64_data, double_data,
/// uint64_data): one value, or a packed run's bytes.
struct typed_run {
  std::uint32_t number = 0;
  std::uint8_t type = 0;
  std::uint64_t value = 0;
  std::vector<std::uint8_t> bytes;

  wire_field field() const { return {number, type, value, 0, bytes.size(), true, bytes}; }
};

/// A tensor: initializer, Constant value or attribute. A payload of at most inline_limit
/// bytes is kept (values.hpp decodes small ones for shape arithmetic); a longer one is
/// never read, only its length known.
struct tensor {
  std::string name;
  std::int32_t type = 0;
  std::vector<std::int64_t> dims;
  bool has_raw = false;
  std::uint64_t raw_length = 0;   ///< raw_data's length
  std::vector<std::uint8_t> raw;  ///< raw_data, when at most inline_limit bytes
  std::vector<typed_run> typed;   ///< the typed data fields, when short
  bool typed_unread = false;      ///< a typed data field too long to keep
  bool external = false;          ///< data_location EXTERNAL: the payload is in a side file, never opened

  std::uint64_t elements() const {
    std::uint64_t n = 1;
    for (std::int64_t d : dims) {
      if (d < 0) throw wire_error{"tensor '" + name + "' has dimension " + std::to_string(d)};
      n = checked_mul(n, static_cast<std::uint64_t>(d), "tensor '" + name + "'");
    }
    return n;
  }
};

/// A dimension of a declared shape: a number or a symbolic name.
struct dimension {
  std::optional<std::int64_t> value;
  std::string param;
};

/// A graph input or output: its element type and shape, if declared.
struct value_info {
  std::string name;
  std::int32_t type = 0;
  std::optional<std::vector<dimension>> shape;
};

/// AttributeProto.AttributeType values.
enum class attribute_type : std::int32_t { undefined = 0, real = 1, integer = 2, text = 3, tensor = 4, graph = 5, reals = 6, integers = 7 };

struct attribute {
  std::string name;
  attribute_type type = attribute_type::undefined;
  double f = 0;
  std::int64_t i = 0;
  std::string s;
  std::vector<double> floats;
  std::vector<std::int64_t> ints;
  std::optional<onnx::tensor> t;
};

struct node {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<attribute> attributes;

  const attribute* find(std::string_view key) const {
    for (const attribute& a : attributes)
      if (a.name == key) return &a;
    return nullptr;
  }
};

struct graph {
  std::string name;
  std::vector<onnx::node> nodes;
  std::vector<tensor> initializers;
  std::vector<value_info> inputs, outputs;
};

struct model {
  std::int64_t opset = 0;  ///< of the default ("" or "ai.onnx") domain
  bool has_graph = false;
  onnx::graph graph;
};

namespace detail {

inline tensor read_tensor(const byte_source& source, std::uint64_t begin, std::uint64_t end) {
  tensor t;
  wire_reader r(source, begin, end);
  for (wire_field f; r.next(f);) {
    switch (f.number) {
      case 1: append_varints(f, t.dims); break;
      case 2: t.type = static_cast<std::int32_t>(f.value); break;
      case 8: t.name = f.text(); break;
      case 9:
        if (f.type != 2) throw wire_error{"raw_data is not bytes"};
        t.has_raw = true;
        t.raw_length = f.length;
        if (f.loaded) t.raw.assign(f.data.begin(), f.data.end());
        break;
      case 4: case 5: case 7: case 10: case 11:
        if (f.type == 2 && !f.loaded) t.typed_unread = true;
        else t.typed.push_back({f.number, f.type, f.value, std::vector<std::uint8_t>(f.data.begin(), f.data.end())});
        break;
      case 14: t.external = f.value == 1; break;
      default: break;  // external_data: the side file is never opened
    }
  }
  return t;
}

inline value_info read_value_info(const byte_source& source, std::uint64_t begin, std::uint64_t end) {
  value_info v;
  wire_reader r(source, begin, end);
  for (wire_field f; r.next(f);) {
    if (f.number == 1) v.name = f.text();
    if (f.number != 2) continue;
    span_reader type(f);
    for (wire_field t; type.next(t);) {
      if (t.number != 1) continue;  // a sequence, map or optional type: no tensor shape
      span_reader tensor_type(t);
      for (wire_field tt; tensor_type.next(tt);) {
        if (tt.number == 1) v.type = static_cast<std::int32_t>(tt.value);
        if (tt.number != 2) continue;
        v.shape.emplace();
        span_reader shape(tt);
        for (wire_field d; shape.next(d);) {
          if (d.number != 1) continue;
          dimension dim;
          span_reader dr(d);
          for (wire_field x; dr.next(x);) {
            if (x.number == 1) dim.value = x.int64();
            if (x.number == 2) dim.param = x.text();
          }
          v.shape->push_back(dim);
        }
      }
    }
  }
  return v;
}

inline attribute read_attribute(const byte_source& source, std::uint64_t begin, std::uint64_t end) {
  attribute a;
  wire_reader r(source, begin, end);
  for (wire_field f; r.next(f);) {
    switch (f.number) {
      case 1: a.name = f.text(); break;
      case 20: a.type = static_cast<attribute_type>(f.value); break;
      case 2: a.f = f.real(); break;
      case 3: a.i = f.int64(); break;
      case 4: a.s = f.text(); break;
      case 5: a.t = descend(source, f, read_tensor); break;
      case 7: append_floats(f, a.floats); break;
      case 8: append_varints(f, a.ints); break;
      default: break;  // subgraphs, strings, sparse tensors: no operator qutibench maps takes them
    }
  }
  return a;
}

inline onnx::node read_node(const byte_source& source, std::uint64_t begin, std::uint64_t end) {
  onnx::node n;
  wire_reader r(source, begin, end);
  for (wire_field f; r.next(f);) {
    switch (f.number) {
      case 1: n.inputs.push_back(f.text()); break;
      case 2: n.outputs.push_back(f.text()); break;
      case 3: n.name = f.text(); break;
      case 4: n.op_type = f.text(); break;
      case 7: n.domain = f.text(); break;
      case 5: n.attributes.push_back(descend(source, f, read_attribute)); break;
      default: break;
    }
  }
  return n;
}

}  // namespace detail

inline graph read_graph(const byte_source& source, std::uint64_t begin, std::uint64_t end) {
  graph g;
  wire_reader r(source, begin, end);
  for (wire_field x; r.next(x);) {
    switch (x.number) {
      case 1: g.nodes.push_back(descend(source, x, detail::read_node)); break;
      case 2: g.name = x.text(); break;
      case 5: g.initializers.push_back(descend(source, x, detail::read_tensor)); break;
      case 11: g.inputs.push_back(descend(source, x, detail::read_value_info)); break;
      case 12: g.outputs.push_back(descend(source, x, detail::read_value_info)); break;
      default: break;
    }
  }
  return g;
}

/// The model in `source` (a serialized ModelProto); throws wire_error for bytes that are
/// not one. Only the default domain's opset is kept.
inline model read_model(const byte_source& source) {
  model m;
  wire_reader r(source, 0, source.size());
  for (wire_field f; r.next(f);) {
    if (f.number == 8) {
      std::string domain;
      std::int64_t version = 0;
      span_reader opset(f);
      for (wire_field o; opset.next(o);) {
        if (o.number == 1) domain = o.text();
        if (o.number == 2) version = o.int64();
      }
      if (domain.empty() || domain == "ai.onnx") m.opset = version;
    }
    if (f.number != 7) continue;
    m.has_graph = true;
    m.graph = descend(source, f, read_graph);
  }
  return m;
}

}  // namespace qutibench::onnx
