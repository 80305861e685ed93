// A program that builds qutibench from source with FetchContent: the shipped specs are found
// in its source tree without a path.
#include <cmath>

#include <qutibench/io/catalogue.hpp>
#include <qutibench/qutibench.hpp>

int main() {
  using namespace qutibench;
  // The 50 % MLP's 2,910,208 INT8 weight bytes over the ZCU104-DPU's 19.2 GB/s (memory bound).
  const platform dpu = platforms::get("zcu104-dpu");
  const prediction p = predict(profile(zoo::mlp(0.5)), dpu, dpu.mode(), {.type = datatypes::int8});
  return p.bound == bound_kind::memory && std::abs(p.throughput.value() - 19.2e9 / 2910208) < 1e-6 ? 0 : 1;
}
