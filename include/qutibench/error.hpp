// The library's exceptions: bad input at load and build boundaries (spec_error) and
// measurements that cannot be taken or trusted (measure_error).
#pragma once

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <system_error>
#include <string>
#include <string_view>

namespace qutibench {

/// Numbered error IDs; docs/errors.md lists each with its meaning and an example.
enum class error_id : int {
  unknown_datatype = 101,      ///< a datatype name that does not parse
  invalid_datatype = 102,      ///< a datatype width outside 1..32 (integers)
  shape_mismatch = 201,        ///< inputs of an add/mul/concat/matmul do not agree
  cycle = 202,                 ///< the graph has a cycle
  dangling_input = 203,        ///< a node names an input that does not exist
  nonpositive_dimension = 204, ///< a channel count, size or width <= 0
  window_too_large = 205,      ///< kernel/stride larger than the (padded) input
  count_overflow = 206,        ///< an op/element count exceeds 64 bits
  duplicate_name = 207,        ///< two nodes share a name
  input_arity = 208,           ///< wrong number of inputs for a layer
  rank_mismatch = 209,         ///< an input tensor of the wrong rank for the layer
  unsupported_operator = 210,  ///< an ONNX operator or attribute qutibench cannot represent
  unknown_id = 301,            ///< an unknown topology, task or node id
  malformed_record = 401,      ///< a data file row that does not parse
  malformed_json = 501,        ///< a JSON spec that does not parse or is not an object
  missing_field = 502,         ///< a required JSON field is absent
  invalid_value = 503,         ///< a JSON value of the wrong type or out of range
  unknown_field = 504,         ///< a JSON key the schema does not know (often a typo)
  inconsistent_spec = 505,     ///< a spec that parses but contradicts itself (check-platform)
  nesting_too_deep = 506,      ///< JSON nested deeper than max_json_depth levels
  duplicate_key = 507,         ///< a JSON object that names one key twice
  write_failed = 508,          ///< an output file that cannot be written (--output, standard output)
  kernel_mismatch = 601,       ///< an executor kernel disagrees with its naive reference
  unsupported_kernel = 602,    ///< a layer or datatype the executor or adapter cannot run
  command_failed = 603,        ///< an external measurement command could not run or exited non-zero
  command_timeout = 604,       ///< an external measurement command ran past its timeout
  bad_measurement = 605,       ///< a measurement (JSON from a command, a CSV row) that does not parse
  no_measurement = 606,        ///< a recorded adapter has no row for the kernel
};

namespace detail {
/// The length of the well-formed UTF-8 sequence at the start of `s` (Unicode Table 3-7:
/// no overlong forms, surrogates or code points past U+10FFFF), 0 if there is none.
inline std::size_t utf8_sequence(std::string_view s) {
  const auto byte = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
  const unsigned lead = byte(0);
  const std::size_t n = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (n == 0) return 0;
  // The second byte's range depends on the lead; the others are plain continuations.
  const unsigned low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
  const unsigned high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return n;
}
}  // namespace detail

/// `text` with control characters written as escapes (\n, \t, \r, \xNN; also the C1
/// controls, NEL among them, and the line and paragraph separators U+2028/9, whose bytes
/// are escaped), and bytes that are not UTF-8 as \xNN: messages echo ids and values the
/// user typed, and one holding a line break must not split a message or forge a second
/// one, nor a stray byte of a Latin-1 file make the message unreadable as text (Python
/// decodes it as UTF-8).
inline std::string one_line(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  const auto escape = [&](char c) {
    const auto b = static_cast<unsigned char>(c);
    out += std::string("\\x") + hex[b >> 4] + hex[b & 15];
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (const std::size_t n = b >= 0x80 ? detail::utf8_sequence(text.substr(i)) : 0) {
      const std::string_view seq = text.substr(i, n);
      const bool control = (b == 0xC2 && static_cast<unsigned char>(seq[1]) <= 0x9F) ||  // U+0080..U+009F
                           seq == "\xE2\x80\xA8" || seq == "\xE2\x80\xA9";              // U+2028, U+2029
      if (control) std::ranges::for_each(seq, escape);
      else out += seq;
      i += n;
      continue;
    }
    if (b >= 0x20 && b < 0x7f) out += text[i];
    else if (b == '\n') out += "\\n";
    else if (b == '\t') out += "\\t";
    else if (b == '\r') out += "\\r";
    else escape(text[i]);
    ++i;
  }
  return out;
}

/// `x` as messages quote it: the shortest text that reads back as `x` ("1e-320", "2",
/// "inf"), where std::to_string would print 0.000000.
inline std::string shown_number(double x) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(x);
}

/// The library's exceptions: an ID, a category and "[qutibench.CATEGORY.ID] WHERE: WHAT",
/// always one line.
class error : public std::runtime_error {
 public:
  error(const char* category, error_id id, const std::string& where, const std::string& what)
      : std::runtime_error("[qutibench." + std::string(category) + "." + std::to_string(static_cast<int>(id)) + "] " +
                           one_line(where) + ": " + one_line(what)),
        id_(id),
        where_(one_line(where)),
        reason_(one_line(what)) {}
  error_id id() const noexcept { return id_; }
  /// The message's parts, for a loader that re-anchors an error in its file.
  const std::string& where() const noexcept { return where_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  error_id id_;
  std::string where_, reason_;
};

/// Thrown where input enters the library (builders, parsers, loaders); the message
/// reads "[qutibench.spec_error.ID] WHERE: WHAT", WHERE naming the file, node or field.
class spec_error : public error {
 public:
  spec_error(error_id id, const std::string& where, const std::string& what) : error("spec_error", id, where, what) {}
};

/// Thrown when a measurement cannot be taken or trusted (IDs 6xx): a kernel that
/// disagrees with its reference, an external command that fails, times out or answers
/// garbage. "[qutibench.measure_error.ID] WHERE: WHAT".
class measure_error : public error {
 public:
  measure_error(error_id id, const std::string& where, const std::string& what) : error("measure_error", id, where, what) {}
};

/// One problem found in a spec (a platform or topology file): an error ID, where (file and
/// JSON pointer, or the field) and what. Loaders collect every problem before throwing the
/// first, so that a checker can list them all.
struct spec_problem {
  error_id id;
  std::string where;
  std::string what;
  spec_error to_error() const { return spec_error(id, where, what); }
};

}  // namespace qutibench
