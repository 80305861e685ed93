// A program outside the project that uses the installed package and its installed data.
#include <filesystem>
#include <sstream>

#include <qutibench/io/catalogue.hpp>
#include <qutibench/qutibench.hpp>

int main() {
  using namespace qutibench;
  // The 50 % MLP has 2,910,208 weights (784*1024 + 2*1024*1024 + 1024*10).
  const topology mlp = zoo::mlp(0.5);
  if (requirements(mlp).total.weights.value() != 2910208) return 1;
  // platforms::get finds the installed specs by itself: the package's config names them.
  if (!std::filesystem::equivalent(default_data_dir(), QUTIBENCH_INSTALLED_DATA)) return 3;
  // On the installed ZCU104-DPU spec (19.2 GB/s) it is memory bound at INT8: 19.2e9 / 2,910,208 B.
  const platform dpu = platforms::get("zcu104-dpu");
  const prediction p = predict(profile(mlp), dpu, dpu.mode(), {.type = datatypes::int8});
  if (p.bound != bound_kind::memory || std::abs(p.throughput.value() - 19.2e9 / 2910208) >= 1e-6) return 2;
  // Quantities print with their units, no .value() needed.
  std::ostringstream text;
  text << dpu.mode().bandwidth;
  return text.str() == "1.92e+10 B/s" ? 0 : 4;
}
