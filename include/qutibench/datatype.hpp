// Datatypes of weights and activations: integers of any width, binary/bipolar,
// floating point; sizes, packed sub-byte storage, names and carrier selection.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

enum class datatype_family : std::uint8_t { signed_int, unsigned_int, binary, bipolar, floating };

/// A runtime datatype descriptor. Structural, so it also works as a template argument
/// (see `dtype_tag`). Integers span 1..32 bits; floats carry exponent and mantissa widths.
struct datatype {
  datatype_family family = datatype_family::floating;
  std::uint8_t bits = 32;
  std::uint8_t exponent_bits = 8;  ///< floats only
  std::uint8_t mantissa_bits = 23; ///< floats only, without the implicit leading one

  constexpr bool operator==(const datatype&) const = default;

  static constexpr datatype signed_int(unsigned width) {
    check_width(width);
    return {datatype_family::signed_int, static_cast<std::uint8_t>(width), 0, 0};
  }
  static constexpr datatype unsigned_int(unsigned width) {
    check_width(width);
    return {datatype_family::unsigned_int, static_cast<std::uint8_t>(width), 0, 0};
  }
  static constexpr datatype floating(unsigned exponent, unsigned mantissa) {
    return {datatype_family::floating, static_cast<std::uint8_t>(1 + exponent + mantissa),
            static_cast<std::uint8_t>(exponent), static_cast<std::uint8_t>(mantissa)};
  }

  constexpr bool is_integer() const { return family != datatype_family::floating; }

  /// Storage per element; sub-byte types are packed (INT2 = 0.25 byte, thesis Section 2.2.4).
  constexpr bytes_per_element size() const { return bytes_per_element::from_value(bits / 8.0); }
  /// Bytes of n packed elements (fractional for sub-byte totals, as the thesis counts them).
  constexpr bytes size_of(element_count n) const { return bytes::from_value(static_cast<double>(n.value()) * bits / 8.0); }
  /// Whole bytes a packed buffer of n elements occupies.
  constexpr std::uint64_t storage_bytes(std::uint64_t n) const { return (n * bits + 7) / 8; }

  /// Smallest and largest representable integer (integers, binary and bipolar only).
  constexpr std::int64_t min_value() const {
    switch (family) {
      case datatype_family::signed_int: return -(std::int64_t{1} << (bits - 1));
      case datatype_family::bipolar: return -1;
      default: return 0;
    }
  }
  constexpr std::int64_t max_value() const {
    switch (family) {
      case datatype_family::signed_int: return (std::int64_t{1} << (bits - 1)) - 1;
      case datatype_family::unsigned_int: return (std::int64_t{1} << bits) - 1;
      default: return 1;
    }
  }

  /// True if every value of `t` is exactly representable in this type. Integers are
  /// held by integers and floats by floats only: running an integer network on a float
  /// unit changes its arithmetic, which the thesis never does (docs/conventions.md).
  constexpr bool holds(const datatype& t) const {
    if (is_integer() != t.is_integer()) return false;
    if (is_integer()) return min_value() <= t.min_value() && max_value() >= t.max_value();
    return exponent_bits >= t.exponent_bits && mantissa_bits >= t.mantissa_bits;
  }

  /// The stable name: int4, uint7, binary, bipolar, fp8_e4m3, fp16, bf16, tf32, fp32, ...
  std::string name() const {
    switch (family) {
      case datatype_family::signed_int: return "int" + std::to_string(bits);
      case datatype_family::unsigned_int: return "uint" + std::to_string(bits);
      case datatype_family::binary: return "binary";
      case datatype_family::bipolar: return "bipolar";
      case datatype_family::floating: break;
    }
    if (exponent_bits == 5 && mantissa_bits == 10) return "fp16";
    if (exponent_bits == 8 && mantissa_bits == 7) return "bf16";
    if (exponent_bits == 8 && mantissa_bits == 10 && bits == 32) return "tf32";
    if (exponent_bits == 8 && mantissa_bits == 23) return "fp32";
    if (exponent_bits == 11 && mantissa_bits == 52) return "fp64";
    return "fp" + std::to_string(bits) + "_e" + std::to_string(exponent_bits) + "m" + std::to_string(mantissa_bits);
  }

  /// Parses a stable name, case-insensitively (the thesis writes INT8); throws spec_error 101,
  /// also for a width with a sign, a space or a leading zero (int+8, int 8, int08).
  static datatype parse(std::string_view text);

  /// The names `parse` accepts, for error messages.
  static constexpr std::string_view valid_names =
      "intN and uintN (N = 1..32), binary, bipolar, fp8_e4m3, fp8_e5m2, fp16, bf16, tf32, fp32, fp64";

 private:
  static constexpr void check_width(unsigned width) {
    if (width < 1 || width > 32)
      throw spec_error(error_id::invalid_datatype, "datatype", "integer width " + std::to_string(width) +
                                                                   " outside 1..32");
  }
};

namespace datatypes {
inline constexpr datatype binary{datatype_family::binary, 1, 0, 0};
inline constexpr datatype bipolar{datatype_family::bipolar, 1, 0, 0};
inline constexpr datatype int2 = datatype::signed_int(2);
inline constexpr datatype int4 = datatype::signed_int(4);
inline constexpr datatype int8 = datatype::signed_int(8);
inline constexpr datatype int16 = datatype::signed_int(16);
inline constexpr datatype int32 = datatype::signed_int(32);
inline constexpr datatype uint8 = datatype::unsigned_int(8);
inline constexpr datatype fp8_e4m3 = datatype::floating(4, 3);
inline constexpr datatype fp8_e5m2 = datatype::floating(5, 2);
inline constexpr datatype fp16 = datatype::floating(5, 10);
inline constexpr datatype bf16 = datatype::floating(8, 7);
inline constexpr datatype fp32 = datatype::floating(8, 23);
/// TensorFloat-32: FP32's 8-bit exponent and FP16's 10-bit mantissa, the precision of
/// tensor-core math on FP32 data (NVIDIA A100 Tensor Core GPU Architecture whitepaper,
/// 2020, "TF32"); stored as FP32, so 32 bits per element in memory.
inline constexpr datatype tf32{datatype_family::floating, 32, 8, 10};
inline constexpr datatype fp64 = datatype::floating(11, 52);
/// The five datatypes of the thesis's tables (6.1, 6.2), in its column order.
inline constexpr datatype thesis_set[] = {int2, int4, int8, fp16, fp32};
}  // namespace datatypes

/// Compile-time tag for a datatype, e.g. `dtype_tag<datatypes::int4>`.
template <datatype D>
struct dtype_tag {
  static constexpr datatype value = D;
  static constexpr unsigned bits = D.bits;
  /// Bytes of a packed buffer of N elements.
  static constexpr std::uint64_t storage_bytes(std::uint64_t n) { return D.storage_bytes(n); }
};

inline datatype datatype::parse(std::string_view text) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto fail = [&](const std::string& why) -> datatype {
    throw spec_error(error_id::unknown_datatype, "datatype '" + std::string(text) + "'",
                     why + "; valid: " + std::string(valid_names));
  };
  auto width = [&](std::string_view digits) -> unsigned {
    if (digits.empty() || digits.size() > 2 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return 0;
    return static_cast<unsigned>(std::stoul(std::string(digits)));
  };
  if (s == "binary") return datatypes::binary;
  if (s == "bipolar") return datatypes::bipolar;
  if (s == "fp8_e4m3") return datatypes::fp8_e4m3;
  if (s == "fp8_e5m2") return datatypes::fp8_e5m2;
  if (s == "fp16") return datatypes::fp16;
  if (s == "bf16") return datatypes::bf16;
  if (s == "tf32") return datatypes::tf32;
  if (s == "fp32") return datatypes::fp32;
  if (s == "fp64") return datatypes::fp64;
  const bool is_unsigned = s.starts_with("uint");
  if (is_unsigned || s.starts_with("int")) {
    const std::string_view digits = std::string_view(s).substr(is_unsigned ? 4 : 3);
    // One spelling per type: int08 would be a second name for int8 in keys and ids.
    if (digits.size() > 1 && digits.front() == '0') return fail("integer width '" + std::string(digits) + "' has a leading zero");
    const unsigned w = width(digits);
    if (w < 1 || w > 32) return fail("integer width must be 1..32");
    return is_unsigned ? datatype::unsigned_int(w) : datatype::signed_int(w);
  }
  return fail("unknown datatype name");
}

/// The smallest type among `native` that holds `t` (t itself if native), or none.
/// Example: int2 on a CPU that runs int8 only -> int8 (thesis Section 6.3, Cortex-A53).
inline std::optional<datatype> carrier(const datatype& t, std::span<const datatype> native) {
  std::optional<datatype> best;
  for (const datatype& c : native) {
    if (!c.holds(t)) continue;
    if (!best || c.bits < best->bits || (c.bits == best->bits && c == t)) best = c;
  }
  return best;
}

/// Packs integers into a little-endian bit stream of `t.bits` bits each (two's complement
/// for signed, 0/1 for binary, -1/+1 -> 0/1 for bipolar). Throws std::out_of_range for a
/// value the type cannot hold.
inline std::vector<std::uint8_t> pack(std::span<const std::int32_t> values, const datatype& t) {
  if (!t.is_integer()) throw std::invalid_argument("pack: " + t.name() + " is not an integer type");
  std::vector<std::uint8_t> out(t.storage_bytes(values.size()), 0);
  const std::uint64_t mask = (1ULL << t.bits) - 1;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::int64_t v = values[i];
    if (v < t.min_value() || v > t.max_value() || (t.family == datatype_family::bipolar && v == 0))
      throw std::out_of_range("pack: value " + std::to_string(v) + " at index " + std::to_string(i) +
                              " does not fit " + t.name());
    const std::uint64_t code = (t.family == datatype_family::bipolar ? (v > 0 ? 1u : 0u) : static_cast<std::uint64_t>(v)) & mask;
    for (unsigned b = 0; b < t.bits; ++b) {
      const std::uint64_t bit = i * t.bits + b;
      out[bit / 8] |= static_cast<std::uint8_t>(((code >> b) & 1u) << (bit % 8));
    }
  }
  return out;
}

/// Inverse of `pack` for `count` elements.
inline std::vector<std::int32_t> unpack(std::span<const std::uint8_t> packed, std::size_t count, const datatype& t) {
  if (!t.is_integer()) throw std::invalid_argument("unpack: " + t.name() + " is not an integer type");
  if (packed.size() < t.storage_bytes(count)) throw std::out_of_range("unpack: buffer too small");
  std::vector<std::int32_t> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t code = 0;
    for (unsigned b = 0; b < t.bits; ++b) {
      const std::uint64_t bit = i * t.bits + b;
      code |= static_cast<std::uint64_t>((packed[bit / 8] >> (bit % 8)) & 1u) << b;
    }
    std::int64_t v = static_cast<std::int64_t>(code);
    if (t.family == datatype_family::signed_int && (code >> (t.bits - 1)) & 1u)
      v -= std::int64_t{1} << t.bits;
    if (t.family == datatype_family::bipolar) v = code ? 1 : -1;
    out[i] = static_cast<std::int32_t>(v);
  }
  return out;
}

}  // namespace qutibench
