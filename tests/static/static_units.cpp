// The algebra of the units, checked by the compiler.
#include <type_traits>

#include "qutibench/units.hpp"

namespace {
using namespace qutibench;

// Rates and intensities are the quotients the roofline model uses (thesis eqs. 4.1, 4.2).
static_assert(std::is_same_v<decltype(ops{} / bytes{}), ops_per_byte>);
static_assert(std::is_same_v<decltype(ops{} / seconds{}), ops_per_s>);
static_assert(std::is_same_v<decltype(bytes{} / seconds{}), bytes_per_s>);
static_assert(std::is_same_v<decltype(ops{} / ops_per_s{}), seconds>);
static_assert(std::is_same_v<decltype(bytes_per_s{} * ops_per_byte{}), ops_per_s>);
static_assert(std::is_same_v<decltype(ops_per_s{} / ops_per_input{}), inputs_per_s>);
static_assert(std::is_same_v<decltype(elements{} * bytes_per_element{}), bytes>);
// Elements are not bytes.
static_assert(!std::is_same_v<elements, bytes>);
static_assert(!std::is_convertible_v<elements, bytes>);

// Exact counts keep every digit and add exactly.
constexpr op_count big = make_ops(9'007'199'254'740'993ULL);  // 2^53 + 1: not a double
static_assert((big + make_ops(1)).value() == 9'007'199'254'740'994ULL);

// 2 GOPs at 1 TOP/s take 2 ms.
constexpr seconds t = ops::from_value(2e9) / ops_per_s::from_value(1e12);
static_assert(t.value() > 0.0019999 && t.value() < 0.0020001);
}  // namespace
