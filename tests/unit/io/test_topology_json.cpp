#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "qutibench/io/topology_json.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;

namespace {
const std::string fixtures = std::string(QUTIBENCH_TEST_DATA) + "/topologies";
}  // namespace

TEST_CASE("topology json: a hand-written residual CNN loads with hand-derived counts", "[topology][json]") {
  const topology t = load_topology(fixtures + "/residual_cnn.json");
  CHECK(t.name() == "residual-cnn");
  // "sum" is listed before conv2, which it reads: the schedule puts conv2 first.
  std::vector<std::string> order;
  for (const node& n : t.nodes()) order.push_back(n.name);
  CHECK(order == std::vector<std::string>{"input", "conv1", "bn1", "relu1", "conv2", "sum", "pool", "flat", "fc", "prob"});
  CHECK(t.at("conv2").cost.macs == 16ull * 32 * 32 * 16 * 3 * 3);  // 2,359,296
  CHECK(t.at("pool").cost.out == tensor_shape{16, 16, 16});
  CHECK(t.at("fc").cost.act_in == 16 * 16 * 16);  // flatten read the node listed before it

  const network_requirements r = requirements(t);
  // conv1 3*16*9 weights over 32x32 outputs, conv2 16*16*9 over 32x32, fc 4096*10
  CHECK(r.total.ops.value() == 2 * (442'368ull + 2'359'296ull + 40'960ull));
  CHECK(r.total.weights.value() == 432 + 2'304 + 40'960);
  CHECK(r.total.biases.value() == 2 * 16 + 10);  // batch norm scale and shift, fc bias
}

TEST_CASE("topology json: every zoo network round-trips through its file", "[topology][json]") {
  for (const zoo::entry& e : zoo::catalogue) {
    INFO(e.id);
    const topology t = e.make();
    const nlohmann::ordered_json j = to_json(t);
    topology back;
    REQUIRE(read_topology(j, std::string(e.id), back).empty());
    CHECK(to_json(back) == j);
    REQUIRE(back.size() == t.size());
    for (std::size_t i = 0; i < t.size(); ++i) {
      const layer_cost &a = t.nodes()[i].cost, &b = back.nodes()[i].cost;
      CHECK((a.out == b.out && a.macs == b.macs && a.other_ops == b.other_ops && a.weights == b.weights &&
             a.biases == b.biases && a.act_in == b.act_in && a.state == b.state));
      CHECK(t.nodes()[i].inputs == back.nodes()[i].inputs);
    }
  }
}

TEST_CASE("topology json: bad files give an ID naming the file and the field or node", "[topology][json][errors]") {
  struct expected {
    const char* file;
    error_id id;
    const char* where;
  };
  const expected cases[] = {
      {"not_json.json", error_id::malformed_json, "not_json.json"},
      {"no_nodes.json", error_id::missing_field, "no_nodes.json: /nodes"},
      {"first_not_input.json", error_id::invalid_value, "first_not_input.json: /nodes"},
      {"unknown_op.json", error_id::invalid_value, "unknown_op.json: /nodes/1/op"},
      {"unknown_field.json", error_id::unknown_field, "unknown_field.json: /nodes/1/kernal"},
      {"fractional_kernel.json", error_id::invalid_value, "fractional_kernel.json: /nodes/1/kernel"},
      {"huge_dimension.json", error_id::invalid_value, "huge_dimension.json: /nodes/0/shape/1"},
      {"unnamed_input.json", error_id::missing_field, "unnamed_input.json: /nodes/0/name"},  // found by fuzzing
      {"input_with_inputs.json", error_id::invalid_value, "input_with_inputs.json: /nodes/0/inputs"},
      {"dangling_input.json", error_id::dangling_input, "dangling_input.json: topology 'x': node 'r'"},
      {"cycle.json", error_id::cycle, "cycle.json: topology 'x'"},
      {"shape_mismatch.json", error_id::shape_mismatch, "shape_mismatch.json: topology 'x': node 'a'"},
      {"zero_channels.json", error_id::nonpositive_dimension, "zero_channels.json: topology 'x': node 'c'"},
      {"duplicate_name.json", error_id::duplicate_name, "duplicate_name.json: topology 'x': node 'r'"},
      {"padding_overflow.json", error_id::count_overflow, "padding_overflow.json: topology 'x': node 'c'"},
  };
  for (const expected& c : cases) {
    INFO(c.file);
    try {
      (void)load_topology(fixtures + "_invalid/" + c.file);
      FAIL("loaded");
    } catch (const spec_error& e) {
      CHECK(e.id() == c.id);
      CHECK_THAT(e.where(), Catch::Contains(c.where));
    }
  }
  CHECK_THROWS_MATCHES(load_topology(fixtures), spec_error, Catch::Matchers::Message(
      "[qutibench.spec_error.501] " + fixtures + ": cannot open (not a readable file)"));
}

TEST_CASE("topology json: every field problem is reported, not only the first", "[topology][json][errors]") {
  const auto j = nlohmann::ordered_json::parse(R"({"name": "x", "nodes": [
      {"name": "input", "op": "input", "shape": [3, 8, 8]},
      {"name": "c", "op": "conv2d", "out_channels": -1.5, "kernal": 3},
      {"name": "r", "op": "rleu"}]})");
  topology t;
  const std::vector<spec_problem> problems = read_topology(j, "net.json", t);
  std::vector<std::string> where;
  for (const spec_problem& p : problems) where.push_back(p.where);
  CHECK(where == std::vector<std::string>{"net.json: /nodes/1/kernal", "net.json: /nodes/1/out_channels",
                                          "net.json: /nodes/1/kernel", "net.json: /nodes/2/op"});
  CHECK(t.size() == 0);  // nothing half-built
}

TEST_CASE("topology json: a 20,000-node chain builds in schedule order", "[topology][json]") {
  // The builder resolves names through a sorted index (n log n): an exported network of
  // thousands of nodes must not take quadratic time to load.
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array({{{"name", "input"}, {"op", "input"}, {"shape", {64}}}});
  for (int i = 0; i < 20'000; ++i) nodes.push_back({{"name", numbered("relu", static_cast<std::uint64_t>(i))}, {"op", "relu"}});
  topology t;
  REQUIRE(read_topology({{"name", "chain"}, {"nodes", nodes}}, "chain.json", t).empty());
  CHECK(t.size() == 20'001);
  CHECK(t.nodes().back().name == "relu19999");
  CHECK(t.nodes().back().inputs == std::vector<std::size_t>{19'999});
  CHECK(requirements(t).total.other_ops.value() == 20'000ull * 64);
}
