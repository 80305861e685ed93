// A size in elements is not a size in bytes: it converts only through a datatype.
#include "qutibench/datatype.hpp"

int main() {
  const qutibench::element_count n = qutibench::make_elements(8);
#ifdef QUTIBENCH_CONTROL
  const qutibench::bytes b = qutibench::datatypes::int4.size_of(n);
#else
  const qutibench::bytes b = n;
#endif
  return b.value() == 4.0 ? 0 : 1;
}
