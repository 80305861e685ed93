// A program outside the project that uses the installed package.
#include <qutibench/qutibench.hpp>

int main() {
  // The 50 % MLP has 2,910,208 weights (784*1024 + 2*1024*1024 + 1024*10).
  return qutibench::requirements(qutibench::zoo::mlp(0.5)).total.weights.value() == 2910208 ? 0 : 1;
}
