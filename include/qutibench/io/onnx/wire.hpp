// The protobuf wire format, read in place: an ONNX file is a ModelProto, and qutibench
// needs only its graph structure and tensor shapes, never the weight payloads. Reading the
// fields as views into the (mapped) file skips every payload without touching or copying
// it, which the generated ONNX classes cannot do: they copy each raw_data into a string,
// so peak memory would exceed the file's size (docs/onnx.md, "Why a reader of its own").
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace qutibench::onnx {

/// Raised by the reader for bytes that are not protobuf; the importer reports it as
/// spec_error 501 naming the file.
struct wire_error {
  std::string what;
};

/// Decodes the varint at `p` (advancing it); protobuf's base-128, least significant group first.
inline std::uint64_t read_varint(const std::uint8_t*& p, const std::uint8_t* end) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) throw wire_error{"a varint runs past the end"};
    const std::uint8_t b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  throw wire_error{"a varint longer than 10 bytes"};
}

/// The little-endian value of `bytes` bytes at `p` (protobuf's fixed32/fixed64).
inline std::uint64_t read_fixed(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

/// One field of a message: its number, wire type and value (a varint or fixed value in
/// `value`, a length-delimited one as a view in `data`).
struct wire_field {
  std::uint32_t number = 0;
  std::uint8_t type = 0;  ///< 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  std::uint64_t value = 0;
  std::span<const std::uint8_t> data;

  /// A length-delimited field's bytes (a string, a message, a packed run).
  std::span<const std::uint8_t> body() const {
    if (type != 2) throw wire_error{"field " + std::to_string(number) + " should be length-delimited, has wire type " + std::to_string(type)};
    return data;
  }
  std::string text() const {
    const auto b = body();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }
  std::int64_t int64() const { return static_cast<std::int64_t>(value); }
  /// A float (fixed32) field's value.
  float real() const { return std::bit_cast<float>(static_cast<std::uint32_t>(value)); }
};

/// Walks the fields of one message. Group wire types (3, 4; deprecated and absent from
/// ONNX) and any field running past the end are errors.
class wire_reader {
 public:
  explicit wire_reader(std::span<const std::uint8_t> bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  /// Reads the next field into `f`; false at the end of the message.
  bool next(wire_field& f) {
    if (p_ == end_) return false;
    const std::uint64_t tag = varint();
    f.number = static_cast<std::uint32_t>(tag >> 3);
    f.type = static_cast<std::uint8_t>(tag & 7);
    if (f.number == 0) throw wire_error{"field number 0"};
    f.data = {};
    switch (f.type) {
      case 0: f.value = varint(); break;
      case 1: f.value = fixed(8); break;
      case 5: f.value = fixed(4); break;
      case 2: {
        const std::uint64_t n = varint();
        if (n > static_cast<std::uint64_t>(end_ - p_)) throw wire_error{"a field of " + std::to_string(n) + " bytes runs past the end"};
        f.data = {p_, static_cast<std::size_t>(n)};
        p_ += n;
        break;
      }
      default: throw wire_error{"wire type " + std::to_string(f.type) + " of field " + std::to_string(f.number)};
    }
    return true;
  }

 private:
  std::uint64_t varint() { return read_varint(p_, end_); }
  std::uint64_t fixed(int bytes) {
    if (end_ - p_ < bytes) throw wire_error{"a fixed-width value runs past the end"};
    const std::uint64_t v = read_fixed(p_, bytes);
    p_ += bytes;
    return v;
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

/// Appends a repeated integer field's values: one varint, or a packed run of them.
inline void append_varints(const wire_field& f, std::vector<std::int64_t>& out) {
  if (f.type == 0) {
    out.push_back(f.int64());
    return;
  }
  if (f.type != 2) throw wire_error{"field " + std::to_string(f.number) + " should hold integers"};
  const std::uint8_t* p = f.data.data();
  const std::uint8_t* end = p + f.data.size();
  while (p != end) out.push_back(static_cast<std::int64_t>(read_varint(p, end)));
}

/// Appends a repeated float field's values: one fixed32, or a packed run of them.
inline void append_floats(const wire_field& f, std::vector<double>& out) {
  if (f.type == 5) {
    out.push_back(f.real());
    return;
  }
  if (f.type != 2 || f.data.size() % 4) throw wire_error{"field " + std::to_string(f.number) + " should hold floats"};
  for (std::size_t i = 0; i < f.data.size(); i += 4)
    out.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(read_fixed(f.data.data() + i, 4))));
}

}  // namespace qutibench::onnx
