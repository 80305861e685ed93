#include <catch2/catch.hpp>

#include <string>

#include "qutibench/topology.hpp"

using namespace qutibench;

namespace {
error_id build_error(const topology::builder& b, const std::string& must_name) {
  try {
    (void)b.build();
  } catch (const spec_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(must_name));
    return e.id();
  }
  FAIL("the topology built");
  return error_id::unknown_id;
}
}  // namespace

TEST_CASE("topology: builder chains, branches and schedules", "[topology]") {
  // A residual block whose shortcut is declared before the branch it joins.
  const topology t = topology::builder("block", {4, 8, 8})
                         .add("sum", {"b", "shortcut"})
                         .conv2d("a", {.out_channels = 8, .kernel = 3, .padding = 1}, {"input"})
                         .conv2d("b", {.out_channels = 8, .kernel = 3, .padding = 1})
                         .conv2d("shortcut", {.out_channels = 8, .kernel = 1}, {"input"})
                         .build();
  REQUIRE(t.size() == 5);
  std::string order;
  for (const node& n : t.nodes()) order += n.name + " ";
  CHECK(order == "input a b shortcut sum ");  // every node after its inputs
  CHECK(t.at("sum").cost.out == tensor_shape{8, 8, 8});
  CHECK(t.at("sum").inputs.size() == 2);
  CHECK(t.outputs() == std::vector<std::size_t>{4});
  CHECK(t.layer_defined());
  CHECK_THROWS_AS(t.at("nope"), spec_error);
}

TEST_CASE("topology: shape mismatch at an add names the node", "[topology][errors]") {
  auto b = topology::builder("bad", {3, 8, 8})
               .conv2d("a", {.out_channels = 4, .kernel = 1})
               .conv2d("b", {.out_channels = 5, .kernel = 1}, {"input"})
               .add("sum", {"a", "b"});
  CHECK(build_error(b, "node 'sum'") == error_id::shape_mismatch);
}

TEST_CASE("topology: shape mismatch at a concat names the node", "[topology][errors]") {
  auto b = topology::builder("bad", {3, 8, 8})
               .conv2d("a", {.out_channels = 4, .kernel = 1})
               .conv2d("b", {.out_channels = 4, .kernel = 3}, {"input"})  // 6x6, not 8x8
               .concat("cat", {"a", "b"});
  CHECK(build_error(b, "node 'cat'") == error_id::shape_mismatch);
}

TEST_CASE("topology: a cycle is rejected with the nodes on it", "[topology][errors]") {
  auto b = topology::builder("loop", {4, 8, 8})
               .conv2d("a", {.out_channels = 4, .kernel = 1}, {"c"})
               .conv2d("b", {.out_channels = 4, .kernel = 1})
               .add("c", {"b", "input"});
  CHECK(build_error(b, "'a', 'b', 'c'") == error_id::cycle);
}

TEST_CASE("topology: a dangling input is rejected naming node and input", "[topology][errors]") {
  auto b = topology::builder("dangling", {3, 8, 8}).conv2d("a", {.out_channels = 4, .kernel = 1}, {"ghost"});
  CHECK(build_error(b, "'ghost'") == error_id::dangling_input);
}

TEST_CASE("topology: zero or negative channels are rejected", "[topology][errors]") {
  CHECK(build_error(topology::builder("z", {3, 8, 8}).conv2d("c", {.out_channels = 0, .kernel = 1}), "node 'c'") ==
        error_id::nonpositive_dimension);
  CHECK(build_error(topology::builder("n", {3, 8, 8}).conv2d("c", {.out_channels = -2, .kernel = 1}), "out_channels") ==
        error_id::nonpositive_dimension);
  CHECK(build_error(topology::builder("i", {0, 8, 8}).conv2d("c", {.out_channels = 2, .kernel = 1}), "node 'input'") ==
        error_id::nonpositive_dimension);
}

TEST_CASE("topology: a stride larger than the input is rejected", "[topology][errors]") {
  auto b = topology::builder("s", {3, 4, 4}).conv2d("c", {.out_channels = 2, .kernel = 1, .stride = 5});
  CHECK(build_error(b, "stride 5") == error_id::window_too_large);
}

TEST_CASE("topology: dimensions whose op count overflows 64 bits are rejected", "[topology][errors]") {
  auto b = topology::builder("huge", {100000})
               .dense("fc1", {.out_features = 5'000'000'000})
               .dense("fc2", {.out_features = 5'000'000'000});  // 2.5e19 weights > 2^64 = 1.8e19
  CHECK(build_error(b, "node 'fc2'") == error_id::count_overflow);
}

TEST_CASE("topology: duplicate names and wrong arity are rejected", "[topology][errors]") {
  CHECK(build_error(topology::builder("d", {4}).dense("fc", {.out_features = 2}).dense("fc", {.out_features = 2}), "'fc'") ==
        error_id::duplicate_name);
  CHECK(build_error(topology::builder("m", {4, 4}).matmul("mm", {"input"}), "node 'mm'") == error_id::input_arity);
}
