// Checked 64-bit count arithmetic, shared by shape inference and the cost model.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "qutibench/error.hpp"

namespace qutibench {

/// Out of line and cold: the checks sit in the inner loops of the cost model and of
/// shape inference, which stay small and fast when the throw is not inlined into them.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_count_overflow(std::string_view where) {
  throw spec_error(error_id::count_overflow, std::string(where), "count exceeds 64 bits");
}

/// a x b; a wrapped count would print a wrong number, so it throws spec_error 206 naming
/// `where` instead (thesis counts reach 10^17 for large LLMs).
constexpr std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, std::string_view where) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) [[unlikely]]
    throw_count_overflow(where);
  return r;
}

/// a + b, checked like `checked_mul`.
constexpr std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, std::string_view where) {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) [[unlikely]]
    throw_count_overflow(where);
  return r;
}

/// The product of `factors`, checked like `checked_mul`.
constexpr std::uint64_t checked_mul(std::initializer_list<std::uint64_t> factors, std::string_view where) {
  std::uint64_t r = 1;
  for (std::uint64_t f : factors) r = checked_mul(r, f, where);
  return r;
}

}  // namespace qutibench
