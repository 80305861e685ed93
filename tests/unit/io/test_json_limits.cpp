// What every JSON the library reads is held to: a nesting limit, no duplicate keys, and
// error messages that quote at most an excerpt of a value.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include <unistd.h>

#include "qutibench/io/platform_json.hpp"
#include "qutibench/io/topology_json.hpp"

using namespace qutibench;
using Catch::Matchers::Contains;

namespace {

/// `text` written to a file of this test process (removed when `f` returns).
template <class F>
void with_file(const std::string& text, F f) {
  const std::string path = "/tmp/qutibench-test-json-" + std::to_string(::getpid()) + ".json";
  std::ofstream(path) << text;
  f(path);
  std::remove(path.c_str());
}

/// The spec_error `f` throws.
template <class F>
spec_error thrown(F f) {
  try {
    f();
  } catch (const spec_error& e) {
    return e;
  }
  FAIL("no spec_error thrown");
  throw;  // unreachable: FAIL throws
}

/// `depth` nested arrays around 1.
std::string nested(std::size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

const std::string platform_head = R"({"id": "x", "name": "x", "kind": "gpu", "source": "test", )"
                                  R"("memory": {"bandwidth_gb_per_s": 100}, )";

}  // namespace

TEST_CASE("json: 100k levels of nesting are an ID'd error, not a stack overflow", "[json][errors]") {
  // A 200 KB file: whatever walked it recursively (dump for a message, a copy of an
  // unknown field) ran out of stack.
  const std::string deep = nested(100'000);
  with_file(R"({"name": "t", "nodes": )" + deep + "}", [](const std::string& path) {
    const spec_error e = thrown([&] { load_topology(path); });
    CHECK(e.id() == error_id::nesting_too_deep);
    CHECK_THAT(e.what(), Contains(path + ": /nodes/0/0/0/") && Contains("nested deeper than 64 levels"));
    CHECK(std::string(e.what()).size() < 400);
  });
  with_file(platform_head + R"("extra": )" + deep + "}", [](const std::string& path) {
    CHECK(thrown([&] { load_platform(path); }).id() == error_id::nesting_too_deep);
  });
  CHECK(thrown([&] { spec_from_text<platform>(deep, "<json>", &read_platform); }).id() == error_id::nesting_too_deep);
}

TEST_CASE("json: the nesting limit is 64 containers", "[json][errors]") {
  // The document itself is level 1: 64 nested arrays parse, 65 do not.
  CHECK(parse_json(nested(64), "t").is_array());
  const spec_error e = thrown([] { parse_json(nested(65), "t"); });
  CHECK(e.id() == error_id::nesting_too_deep);
  CHECK(e.where() == "t: /0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0");
}

TEST_CASE("json: a key given twice is an error naming it, wherever it is", "[json][errors]") {
  // The first fp16 figure is the A100's 312 TOP/s (dense); a second one used to win silently.
  with_file(platform_head + R"("peak_tera_ops_per_s": {"fp16": 312, "int8": 624, "fp16": 100}})", [](const std::string& path) {
    const spec_error e = thrown([&] { load_platform(path); });
    CHECK(e.id() == error_id::duplicate_key);
    CHECK(e.where() == path + ": /peak_tera_ops_per_s/fp16");
  });
  with_file(R"({"name": "t", "nodes": [{"name": "a", "op": "input", "shape": [3, 8, 8]}, {"name": "b", "name": "c"}]})",
            [](const std::string& path) {
              const spec_error e = thrown([&] { load_topology(path); });
              CHECK(e.id() == error_id::duplicate_key);
              CHECK(e.where() == path + ": /nodes/1/name");
            });
  // Equal keys in different objects, and a key equal to a value, are fine.
  CHECK(parse_json(R"({"a": {"a": "a"}, "b": [{"a": 1}, {"a": 2}]})", "t")["b"][1]["a"] == 2);
}

TEST_CASE("json: messages quote at most an excerpt of a value", "[json][errors]") {
  // A 300 KB value where a string belongs: the message used to carry all of it.
  std::string big = "[";
  for (int i = 0; i < 60'000; ++i) big += "1234,";
  big += "5]";
  const std::string head = R"({"id": "x", "kind": "gpu", "source": "test", "memory": {"bandwidth_gb_per_s": 100}, )";
  with_file(head + R"("peak_tera_ops_per_s": {"int8": 1}, "name": )" + big + "}", [](const std::string& path) {
    const spec_error e = thrown([&] { load_platform(path); });
    CHECK(e.id() == error_id::invalid_value);
    CHECK_THAT(e.what(), Contains("got [1234,1234,") && Contains("..."));
    CHECK(std::string(e.what()).size() < path.size() + 200);
  });
}
