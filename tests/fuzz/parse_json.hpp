// Shared by the JSON fuzz targets: the input parsed by the library's own parser (nesting
// limit, duplicate keys), or none, and the mutations that reach what a byte-level mutator
// rarely builds. Not JSON is the loaders' error 501, tested elsewhere; the targets fuzz
// what comes after parsing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "qutibench/io/json_reader.hpp"

/// The input as JSON, or none when parse_json refuses it (501, 506, 507). What it
/// accepts holds no key twice and nests at most max_json_depth deep, so every recursive
/// walk of it (dump, compare, copy) is safe: checked here by walking it.
inline std::optional<nlohmann::ordered_json> fuzz_json(const std::uint8_t* data, std::size_t size) {
  try {
    nlohmann::ordered_json j = qutibench::parse_json(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    (void)j.dump();
    return j;
  } catch (const qutibench::spec_error& e) {
    if (e.id() != qutibench::error_id::malformed_json && e.id() != qutibench::error_id::nesting_too_deep &&
        e.id() != qutibench::error_id::duplicate_key)
      std::abort();
    return std::nullopt;
  }
}

/// The spec `read` accepts from the input, or none; whatever it accepts must be written
/// back by to_json and read again into the same JSON (else abort: a fuzzer finding).
template <class T>
std::optional<T> accepted_spec(const std::uint8_t* data, std::size_t size, qutibench::spec_reader<T> read) {
  const std::optional<nlohmann::ordered_json> j = fuzz_json(data, size);
  T spec, back;
  if (!j || !read(*j, "fuzz", spec).empty()) return std::nullopt;
  if (!read(to_json(spec), "round trip", back).empty() || to_json(back) != to_json(spec)) std::abort();
  return spec;
}

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace fuzz_detail {

/// Puts `text` in place of data[at, at + len), if it fits in max_size; the new size.
inline std::size_t splice(std::uint8_t* data, std::size_t size, std::size_t max_size, std::size_t at, std::size_t len,
                          std::string_view text) {
  if (size - len + text.size() > max_size) return size;
  std::memmove(data + at + text.size(), data + at + len, size - at - len);
  std::memcpy(data + at, text.data(), text.size());
  return size - len + text.size();
}

/// Where a value may start (just after a ':', '[' or ',' outside any string) at or after
/// `from`, else 0. Brackets put there nest; put at a random byte they mostly land inside a
/// string, which only makes it long (and the fuzzer ten times slower, on megabyte keys).
inline std::size_t value_start(std::string_view text, std::size_t from) {
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      in_string = escaped || c != '"';  // an escaped quote does not end it
      escaped = !escaped && c == '\\';
    } else if (c == '"') {
      in_string = true;
    } else if (i >= from && (c == ':' || c == '[' || c == ',')) {
      return i + 1;
    }
  }
  return 0;
}

}  // namespace fuzz_detail

/// Structure-aware mutations for the JSON targets, beside libFuzzer's own: deep nesting
/// (around the limit and far past it), a key given twice, and numbers past a double or
/// 64 bits. These are the inputs that once overflowed the stack, won silently, or
/// escaped as a library exception.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
  using fuzz_detail::splice;
  std::minstd_rand rng(seed);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  switch (rng() % 6) {
    case 0: {  // nest a value: 63..65 levels, or thousands
      const std::size_t depths[] = {63, 64, 65, 1000, 100000};
      const std::size_t depth = std::min<std::size_t>(depths[rng() % 5], (max_size - std::min(size, max_size)) / 2);
      const std::size_t at = fuzz_detail::value_start(text, size ? rng() % size : 0);
      const std::string open(depth, '['), close(depth, ']');
      size = splice(data, size, max_size, at, 0, close);
      return splice(data, size, max_size, at, 0, open);
    }
    case 1: {  // duplicate a "key": value pair of an object
      const std::size_t colon = text.find("\":", size ? rng() % size : 0);
      if (colon == std::string_view::npos) break;
      const std::size_t start = text.rfind('"', colon == 0 ? 0 : colon - 1);
      const std::size_t end = text.find_first_of(",}", colon);
      if (start == std::string_view::npos || end == std::string_view::npos) break;
      const std::string pair(text.substr(start, end - start));
      return splice(data, size, max_size, end, 0, "," + pair);
    }
    case 2: {  // a number past a double, below its least, or past 64 bits
      const char* numbers[] = {"1e400", "-1e400", "1e-400", "5e-324", "18446744073709551616", "9223372036854775808",
                               "-0", "1.7976931348623157e308", "4294967297", "0.1"};
      const std::size_t digit = text.find_first_of("0123456789", size ? rng() % size : 0);
      if (digit == std::string_view::npos) break;
      const std::size_t end = std::min(text.find_first_not_of("0123456789.eE+-", digit), size);
      return splice(data, size, max_size, digit, end - digit, numbers[rng() % 10]);
    }
    default:
      break;
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
