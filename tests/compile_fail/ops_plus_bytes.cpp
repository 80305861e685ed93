// Adding operations to bytes must not compile; the control adds ops to ops.
#include "qutibench/units.hpp"

int main() {
  const qutibench::ops work = qutibench::ops::from_value(1.0);
#ifdef QUTIBENCH_CONTROL
  const auto sum = work + work;
#else
  const auto sum = work + qutibench::bytes::from_value(1.0);
#endif
  return static_cast<int>(sum.value()) == 2 ? 0 : 1;
}
