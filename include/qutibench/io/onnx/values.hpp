// What the importer knows of each ONNX tensor while it walks the graph: its shape (with
// the batch fixed to 1), whether it is a constant, and the values of small constants,
// which shape arithmetic (Shape -> Gather -> Concat -> Reshape, Slice bounds) needs.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "qutibench/io/onnx/model.hpp"

namespace qutibench::onnx {

/// Folded constants (shape arithmetic, masks built from it) keep their values up to this
/// many elements (32 KB; each view of a constant copies them).
inline constexpr std::uint64_t max_folded_elements = 1 << 12;
/// Tensors read from the file have their values decoded when they are int64 or int32 (the
/// types of shapes, axes and indices) with a payload short enough to have been read
/// (wire.hpp's inline_limit), or of any type with at most this many elements (scalar
/// bounds, scales, zero points): a weight's payload is never decoded.
inline constexpr std::uint64_t max_decoded_scalars = 16;

/// The largest dimension the importer accepts (2^31): no real network comes near it, and
/// products of two dimensions then stay inside 64 bits.
inline constexpr std::int64_t max_dimension = std::int64_t{1} << 31;

/// One tensor of the graph as the importer knows it.
struct value {
  std::optional<std::vector<std::int64_t>> shape;  ///< ONNX shape, batch fixed to 1; none if unknown
  std::int32_t type = 0;                           ///< element_type
  bool constant = false;                           ///< an initializer, or computed from constants only
  std::optional<std::vector<double>> values;       ///< a small constant's elements, row-major
  std::int32_t quantized = 0;                      ///< DequantizeLinear of an integer constant: its type
};

inline bool is_integer_type(std::int32_t t) {
  return t == uint8 || t == int8 || t == uint16 || t == int16 || t == int32 || t == int64 || t == uint32 ||
         t == uint64 || t == boolean;
}

/// An element count as a tensor shape holds it (shapes are checked non-negative on entry).
inline std::uint64_t element_count(const std::vector<std::int64_t>& shape, const std::string& where) {
  std::uint64_t n = 1;
  for (std::int64_t d : shape) n = checked_mul(n, static_cast<std::uint64_t>(d), where);
  return n;
}

/// A folded value as an index or dimension: saturated into int64 (Slice bounds use
/// INT64_MAX for "to the end", which a double rounds up past the range).
inline std::int64_t as_index(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 0x1p62) return std::int64_t{1} << 62;
  if (v <= -0x1p62) return -(std::int64_t{1} << 62);
  return static_cast<std::int64_t>(v);
}

/// Bytes per element of a raw_data payload; 0 for types qutibench does not decode.
inline int element_width(std::int32_t type) {
  switch (type) {
    case uint8: case int8: case boolean: return 1;
    case uint16: case int16: case float16: case bfloat16: return 2;
    case float32: case int32: case uint32: return 4;
    case float64: case int64: case uint64: return 8;
    default: return 0;
  }
}

/// A raw_data payload holds exactly its shape's elements (checked from its length, the
/// payload itself unread).
inline void check_payload(const tensor& t) {
  const int width = element_width(t.type);
  if (!t.has_raw || width == 0) return;
  const std::uint64_t n = t.elements();
  if (t.raw_length / static_cast<std::uint64_t>(width) != n || t.raw_length % static_cast<std::uint64_t>(width))
    throw wire_error{"tensor '" + t.name + "' holds " + std::to_string(t.raw_length) + " bytes for its shape of " + std::to_string(n) +
                     " elements of " + std::to_string(width) + " bytes"};
}

/// The elements of a small, inline tensor; none for an external, large or
/// unusually typed one (float16 payloads: no shape arithmetic uses them), or one whose
/// payload was too long to keep.
inline std::optional<std::vector<double>> decode(const tensor& t) {
  const std::uint64_t n = t.elements();
  const bool shape_like = (t.type == int64 || t.type == int32) && n <= max_folded_elements;
  if (t.external || t.typed_unread || t.type == 8 || !(shape_like || n <= max_decoded_scalars)) return std::nullopt;  // 8: strings
  std::vector<double> out;
  if (t.has_raw) {
    if (t.raw.size() != t.raw_length) return std::nullopt;
    const int width = element_width(t.type);
    if (width == 0 || t.type == float16 || t.type == bfloat16) return std::nullopt;
    check_payload(t);
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t bits = read_fixed(t.raw.data() + i * static_cast<std::uint64_t>(width), width);
      const int shift = 64 - 8 * width;  // sign-extends the signed types
      switch (t.type) {
        case float32: out.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(bits))); break;
        case float64: out.push_back(std::bit_cast<double>(bits)); break;
        case int8: case int16: case int32: case int64:
          out.push_back(static_cast<double>(static_cast<std::int64_t>(bits << shift) >> shift));
          break;
        default: out.push_back(static_cast<double>(bits)); break;
      }
    }
    return out;
  }
  for (const typed_run& run : t.typed) {
    const wire_field f = run.field();
    if (f.number == 4) {
      append_floats(f, out);
    } else if (f.number == 10) {
      if (f.type != 2 || f.data.size() % 8) throw wire_error{"tensor '" + t.name + "': double_data is not packed doubles"};
      for (std::size_t i = 0; i < f.data.size(); i += 8) out.push_back(std::bit_cast<double>(read_fixed(f.data.data() + i, 8)));
    } else if (t.type != float16 && t.type != bfloat16) {  // int32_data also carries float16 bit patterns
      std::vector<std::int64_t> ints;
      append_varints(f, ints);
      for (std::int64_t v : ints)
        out.push_back(f.number == 11 ? static_cast<double>(static_cast<std::uint64_t>(v))
                                     : f.number == 5 ? static_cast<double>(static_cast<std::int32_t>(v)) : static_cast<double>(v));
    } else {
      return std::nullopt;
    }
  }
  if (out.size() != n)
    throw wire_error{"tensor '" + t.name + "' holds " + std::to_string(out.size()) + " values for its " + std::to_string(n) + " elements"};
  return out;
}

/// The importer's view of a tensor read from the file (an initializer, a Constant).
inline value constant_value(const tensor& t) {
  value v;
  v.shape = t.dims;
  for (std::int64_t d : t.dims)
    if (d < 0 || d > max_dimension) throw wire_error{"tensor '" + t.name + "' has dimension " + std::to_string(d) + " (0..2^31 allowed)"};
  check_payload(t);
  v.type = t.type;
  v.constant = true;
  v.values = decode(t);
  return v;
}

}  // namespace qutibench::onnx
