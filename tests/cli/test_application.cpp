// The command line as an object: one application runs many command lines (the fuzz target
// runs millions), and each starts from the subcommand's defaults, not the last values.
#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"

namespace {

struct outcome {
  int code;
  std::string out;
};

outcome run(qutibench::cli::application& app, std::vector<const char*> args) {
  args.insert(args.begin(), "qutibench");
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  const int code = app.run(static_cast<int>(args.size()), args.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str() + err.str()};
}

}  // namespace

TEST_CASE("cli: a second command line starts from the defaults, not the first's values", "[cli]") {
  qutibench::cli::application app;
  const outcome int2 = run(app, {"show", "mlp", "--datatype", "int2", "--batch", "4", "--format", "json"});
  REQUIRE(int2.code == 0);
  CHECK_THAT(int2.out, Catch::Contains("\"datatype\": \"int2\"") && Catch::Contains("\"batch\": 4"));
  const outcome plain = run(app, {"show", "mlp", "--format", "json"});
  REQUIRE(plain.code == 0);
  CHECK_THAT(plain.out, Catch::Contains("\"datatype\": \"fp32\"") && Catch::Contains("\"batch\": 1"));

  // A usage error, then a good line: the required option is required again, and met.
  const outcome missing = run(app, {"predict", "--platform", "tx2"});
  CHECK(missing.code != 0);
  CHECK_THAT(missing.out, Catch::Contains("--topology is required"));
  const outcome good = run(app, {"predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "fp16", "--format", "csv"});
  CHECK(good.code == 0);
  CHECK(run(app, {"predict", "--platform", "tx2", "--datatype", "fp16"}).code != 0);
}

TEST_CASE("cli: an integer past 64 bits is refused as written, not as its saturated bound", "[cli]") {
  // CLI11 read 99999999999999999999 as 2^63 - 1 and the library then refused that number.
  qutibench::cli::application app;
  for (const std::vector<const char*>& line :
       {std::vector<const char*>{"predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "fp16", "--batch", "99999999999999999999"},
        std::vector<const char*>{"llm", "--topology", "gpt2", "--platform", "h100-sxm", "--batch", "1,99999999999999999999"},
        std::vector<const char*>{"llm", "--topology", "gpt2", "--platform", "h100-sxm", "--output", "-99999999999999999999"},
        // CLI11's conversion takes a sign, leading spaces and hex: so does the check.
        std::vector<const char*>{"predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "fp16", "--batch", "+99999999999999999999"},
        std::vector<const char*>{"predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "fp16", "--batch", " 99999999999999999999"},
        std::vector<const char*>{"predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "fp16", "--batch", "0x99999999999999999999"}}) {
    const outcome o = run(app, line);
    CHECK(o.code == 2);
    CHECK_THAT(o.out, Catch::Contains("[qutibench.spec_error.503] command line: ") && Catch::Contains("99999999999999999999 is beyond the 64-bit integers"));
    CHECK_THAT(o.out, !Catch::Contains("9223372036854775807"));
  }
  // 2^63 and 2^64 - 1 fit an unsigned 64-bit integer but not the signed one --batch is.
  for (const char* beyond : {"9223372036854775808", "18446744073709551615"}) {
    const outcome o = run(app, {"predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "fp16", "--batch", beyond});
    CHECK(o.code == 2);
    CHECK_THAT(o.out, Catch::Contains(std::string(beyond) + " is beyond the 64-bit integers"));
  }
  // Within 64 bits, the library's own range check speaks, with the number as typed.
  const outcome big = run(app, {"predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "fp16", "--batch", "9223372036854775807"});
  CHECK_THAT(big.out, Catch::Contains("batch: must be an integer from 1 to 2^40, got 9223372036854775807"));
}
