// The C++ ONNX importer on models written here byte by byte in the protobuf wire format
// (field numbers of onnx/onnx.proto), against hand-derived counts.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/io/onnx/import.hpp"

using namespace qutibench;

namespace {

/// A protobuf message under construction.
struct message {
  std::string bytes;

  void varint(std::uint64_t v) {
    do {
      bytes += static_cast<char>((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      v >>= 7;
    } while (v);
  }
  message& integer(std::uint32_t field, std::int64_t v) {
    varint(field << 3);
    varint(static_cast<std::uint64_t>(v));
    return *this;
  }
  message& text(std::uint32_t field, std::string_view s) {
    varint(field << 3 | 2);
    varint(s.size());
    bytes += s;
    return *this;
  }
  message& sub(std::uint32_t field, const message& m) { return text(field, m.bytes); }
};

message dims_of(message t, const std::vector<std::int64_t>& dims) {
  for (std::int64_t d : dims) t.integer(1, d);
  return t;
}

/// A float32 initializer of `dims` whose payload is `payload_bytes` zero bytes.
message initializer(std::string_view name, const std::vector<std::int64_t>& dims, std::size_t payload_bytes) {
  return dims_of(message{}, dims).integer(2, 1).text(8, name).text(9, std::string(payload_bytes, '\0'));
}

message int64_initializer(std::string_view name, const std::vector<std::int64_t>& values) {
  message t = dims_of(message{}, {static_cast<std::int64_t>(values.size())}).integer(2, 7).text(8, name);
  std::string raw;
  for (std::int64_t v : values)
    for (int i = 0; i < 8; ++i) raw += static_cast<char>(static_cast<std::uint64_t>(v) >> (8 * i) & 0xff);
  return t.text(9, raw);
}

message ints_attribute(std::string_view name, const std::vector<std::int64_t>& values) {
  message a;
  a.text(1, name).integer(20, 7);
  for (std::int64_t v : values) a.integer(8, v);
  return a;
}

message op_node(std::string_view op, const std::vector<std::string>& in, const std::vector<std::string>& out, std::string_view name = "",
             const std::vector<message>& attributes = {}) {
  message n;
  for (const std::string& i : in) n.text(1, i);
  for (const std::string& o : out) n.text(2, o);
  if (!name.empty()) n.text(3, name);
  n.text(4, op);
  for (const message& a : attributes) n.sub(5, a);
  return n;
}

/// A graph input named `name` of shape [N, dims...] (N symbolic).
message image_input(std::string_view name, const std::vector<std::int64_t>& dims) {
  message shape;
  shape.sub(1, message{}.text(2, "N"));
  for (std::int64_t d : dims) shape.sub(1, message{}.integer(1, d));
  return message{}.text(1, name).sub(2, message{}.sub(1, message{}.integer(1, 1).sub(2, shape)));
}

std::string model_of(const std::vector<message>& nodes, const std::vector<message>& initializers) {
  message g;
  for (const message& n : nodes) g.sub(1, n);
  g.text(2, "g");
  for (const message& t : initializers) g.sub(5, t);
  g.sub(11, image_input("x", {3, 8, 8}));
  g.sub(12, message{}.text(1, "y"));
  return message{}.integer(1, 8).sub(8, message{}.integer(2, 13)).sub(7, g).bytes;
}

onnx::imported_model import(const std::string& bytes) {
  return onnx::import_model({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, "m.onnx", {.name = "net", .sequence_length = std::nullopt});
}

// x [N, 3, 8, 8] -> Conv 4x3x3x3 (pads 1) -> Relu -> Flatten through shape arithmetic
// (Shape, Gather, Unsqueeze, Concat with -1, Reshape, as torch exports x.view(x.size(0), -1))
// -> Gemm with a [10, 256] weight (transB) and a bias.
std::vector<message> convnet_nodes() {
  return {op_node("Conv", {"x", "w"}, {"c"}, "conv", {ints_attribute("pads", {1, 1, 1, 1})}),
          op_node("Relu", {"c"}, {"r"}, "relu"),
          op_node("Shape", {"r"}, {"s"}),
          op_node("Gather", {"s", "zero"}, {"n"}),
          op_node("Unsqueeze", {"n", "axes"}, {"n1"}),
          op_node("Concat", {"n1", "minus_one"}, {"target"}, "", {message{}.text(1, "axis").integer(20, 2).integer(3, 0)}),
          op_node("Reshape", {"r", "target"}, {"f"}, "flatten"),
          op_node("Gemm", {"f", "w2", "b2"}, {"y"}, "fc", {message{}.text(1, "transB").integer(20, 2).integer(3, 1)})};
}

std::vector<message> convnet_initializers(std::size_t conv_payload = 4 * 108) {
  return {initializer("w", {4, 3, 3, 3}, conv_payload), initializer("w2", {10, 256}, 4 * 2560), initializer("b2", {10}, 40),
          dims_of(message{}, {}).integer(2, 7).text(8, "zero").text(9, std::string(8, '\0')), int64_initializer("axes", {0}),
          int64_initializer("minus_one", {-1})};
}

}  // namespace

TEST_CASE("onnx: a convnet's weights and MACs are the hand count", "[onnx]") {
  const onnx::imported_model m = import(model_of(convnet_nodes(), convnet_initializers()));
  const topology& t = m.topology;
  REQUIRE(t.name() == "net");
  REQUIRE(t.size() == 5);  // x, conv, relu, flatten, fc: the shape arithmetic folds away
  CHECK(t.at("x").cost.out == tensor_shape{3, 8, 8});
  // Conv: 4 x 3 x 3 x 3 = 108 weights; 4 x 8 x 8 outputs x 27 MACs each = 6912.
  CHECK(t.at("conv").cost.weights == 108);
  CHECK(t.at("conv").cost.macs == 6912);
  CHECK(t.at("flatten").cost.out == tensor_shape{256});
  // Gemm: 256 x 10 = 2560 weights and MACs, 10 biases.
  CHECK(t.at("fc").cost.weights == 2560);
  CHECK(t.at("fc").cost.macs == 2560);
  CHECK(t.at("fc").cost.biases == 10);
  CHECK_FALSE(m.precision);
}

TEST_CASE("onnx: external data is never opened", "[onnx]") {
  std::vector<message> inits = convnet_initializers();
  // The conv weight's payload lives in a side file that does not exist.
  inits[0] = dims_of(message{}, {4, 3, 3, 3}).integer(2, 1).text(8, "w")
                 .sub(13, message{}.text(1, "location").text(2, "missing.bin")).integer(14, 1);
  CHECK(import(model_of(convnet_nodes(), inits)).topology.at("conv").cost.weights == 108);
}

TEST_CASE("onnx: unsupported operators are listed with their counts", "[onnx]") {
  std::vector<message> nodes = {op_node("Sin", {"x"}, {"s1"}), op_node("Sin", {"s1"}, {"s2"}), op_node("Relu", {"s2"}, {"y"}),
                                op_node("TopK", {"x", "k"}, {"v", "i"})};
  try {
    import(model_of(nodes, {int64_initializer("k", {5})}));
    FAIL("no error");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::unsupported_operator);
    CHECK(std::string(e.what()) == "[qutibench.spec_error.210] m.onnx: unsupported ONNX operators: Sin x2, TopK x1");
  }
}

TEST_CASE("onnx: unknown operators counted as element-wise work on request", "[onnx]") {
  std::vector<message> nodes = {op_node("Sin", {"x"}, {"s1"}, "sin1"), op_node("Sin", {"s1"}, {"s2"}), op_node("Relu", {"s2"}, {"y"}),
                                op_node("TopK", {"x", "k"}, {"v", "i"}, "top")};
  const std::string bytes = model_of(nodes, {int64_initializer("k", {5})});
  const onnx::imported_model m = onnx::import_model({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, "m.onnx",
                                                    {.name = "net", .sequence_length = std::nullopt,
                                                     .unknown_ops = onnx::unknown_operators::elementwise});
  // One operation per output element: a Sin of the 3 x 8 x 8 input is 192; TopK's two
  // outputs, whose shapes the importer does not infer, take the input's.
  CHECK(m.topology.at("sin1").cost.other_ops == 192);
  CHECK(kind_name(m.topology.at("sin1").op) == "elementwise");
  CHECK(m.topology.at("top").cost.other_ops == 192);
  CHECK(m.topology.at("top_1").cost.other_ops == 192);
  REQUIRE(m.warnings.size() == 1);
  CHECK(m.warnings[0] == "counted as element-wise work on their outputs (--unknown-ops elementwise): Sin x2, TopK x1");
  CHECK_THROWS_WITH(onnx::parse_unknown_ops("ignore"), "[qutibench.spec_error.503] unknown_ops: must be error or elementwise, got 'ignore'");
}

TEST_CASE("onnx: axes as ONNX defines them", "[onnx]") {
  // Flatten's axis -1 splits [1, 3, 8, 8] before its last axis: [24, 8] (not [192, 1]).
  const onnx::imported_model m = import(model_of({op_node("Flatten", {"x"}, {"y"}, "flat", {message{}.text(1, "axis").integer(20, 2).integer(3, -1)})}, {}));
  CHECK(m.topology.at("flat").cost.out == tensor_shape{24, 8});
  // Unsqueeze naming one axis twice is invalid, not a shape read past its end.
  CHECK_THROWS_WITH(import(model_of({op_node("Unsqueeze", {"x", "axes"}, {"y"}, "u")}, {int64_initializer("axes", {1, 1})})),
                    "[qutibench.spec_error.503] m.onnx: node 'u': axes [1, 1] name an axis twice");
}

TEST_CASE("onnx: bytes that are not a model name the file", "[onnx]") {
  const std::string whole = model_of(convnet_nodes(), convnet_initializers());
  for (const std::string& bad : {whole.substr(0, whole.size() / 2), std::string("\x07\x0a\x0d", 3)}) {
    try {
      import(bad);
      FAIL("no error");
    } catch (const spec_error& e) {
      CHECK(e.id() == error_id::malformed_json);
      CHECK(std::string(e.what()).starts_with("[qutibench.spec_error.501] m.onnx: not an ONNX model (truncated or not protobuf: "));
    }
  }
  // A weight whose payload is shorter than its shape: 100 bytes for 108 floats.
  try {
    import(model_of(convnet_nodes(), convnet_initializers(100)));
    FAIL("no error");
  } catch (const spec_error& e) {
    CHECK(std::string(e.what()) ==
          "[qutibench.spec_error.501] m.onnx: not an ONNX model (tensor 'w' holds 100 bytes for its shape of 108 elements of 4 bytes)");
  }
  CHECK_THROWS_WITH(onnx::import_file("/nonexistent/m.onnx"),
                    "[qutibench.spec_error.501] /nonexistent/m.onnx: cannot open (not a readable file)");
}
