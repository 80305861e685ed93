// The command line as a function, so that main() and the argument-parser fuzz target
// (tests/fuzz/fuzz_cli.cpp) run the same code.
#pragma once

namespace qutibench::cli {

/// Parses `argv` and runs the subcommand: 0 on success, CLI11's code for a usage error
/// (after printing it), 1 for a failed check, 2 for a qutibench error (printed to stderr).
int run(int argc, const char* const* argv);

}  // namespace qutibench::cli
