// Fuzz target: the command line's argument parser. The input is split on NUL bytes into
// argv; commands that measure this CPU (seconds per call) are left out. Any outcome but a
// crash or a sanitizer report is fine: the parser must reject bad arguments cleanly. One
// application runs every input, as it may (each subcommand starts from its defaults).
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"qutibench"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  args.push_back(current);
  if (args.size() > 16) return 0;
  for (const char* slow : {"measure", "validate", "host-roofline", "heatmap", "pareto", "zoo"})
    for (const std::string& a : args)
      if (a == slow) return 0;
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  // Silence the command's own output: only crashes matter here.
  std::ostringstream sink;
  auto* out = std::cout.rdbuf(sink.rdbuf());
  auto* err = std::cerr.rdbuf(sink.rdbuf());
  static qutibench::cli::application app;
  (void)app.run(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(out);
  std::cerr.rdbuf(err);
  return 0;
}
