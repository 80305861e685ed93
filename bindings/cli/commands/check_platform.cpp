// `qutibench check-platform FILE.json...`: schema and consistency checks for platform specs.
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "qutibench/io/platform_json.hpp"

namespace qutibench::cli {

void add_check_platform_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("check-platform",
                                 "Check platform spec files: schema (required fields, types, positive values, datatype "
                                 "keys) and consistency (peaks fall as datatypes widen, ridge points between 0.1 and "
                                 "20000 ops/byte, modes fastest first, FPGA INT8 peak matches its DSPs, a deployed design "
                                 "no faster than its mode: array peak, fabric clock, outer memory level). Prints every "
                                 "problem; exit status 1 if there is any");
  auto files = fresh_options<std::vector<std::string>>(cmd);
  cmd->add_option("files", *files, "Platform spec files (JSON)")->required();
  cmd->callback([files] {
    std::size_t count = 0;
    for (const std::string& f : *files) {
      const std::vector<spec_problem> problems = check_platform_file(f);
      for (const spec_problem& p : problems) std::cout << p.to_error().what() << '\n';
      if (problems.empty()) std::cout << f << ": ok\n";
      count += problems.size();
    }
    if (count) {
      std::cout << count << " problem" << (count == 1 ? "" : "s") << '\n';
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace qutibench::cli
