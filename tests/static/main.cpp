// The checks of this program are static_asserts: that it was built is the test.
#include <cstdio>

int main() {
  std::puts("static checks: built, so they hold");
  return 0;
}
