// The command line as an object, so that main() and the argument-parser fuzz target
// (tests/fuzz/fuzz_cli.cpp) run the same code.
#pragma once

#include <CLI/CLI.hpp>

namespace qutibench::cli {

/// Every subcommand, registered once. run() may be called any number of times: each
/// subcommand starts from its defaults (fresh_options in commands.hpp).
class application {
 public:
  application();
  /// Parses `argv` and runs the subcommand: 0 on success (or --help), 1 for a failed check,
  /// 2 for a usage error or a qutibench error (printed to stderr with its ID).
  int run(int argc, const char* const* argv);

 private:
  CLI::App app_;
};

}  // namespace qutibench::cli
