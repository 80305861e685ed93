// `qutibench host-roofline`: this CPU's empirical roofline as a platform spec.
#include <fstream>
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "qutibench/io/json.hpp"
#include "qutibench/measure/host_roofline.hpp"

namespace qutibench::cli {

void add_host_roofline_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("host-roofline", "Measure this CPU's attainable INT8 (gemmlowp) and FP32 (Eigen) GEMM "
                                                  "rates and its triad memory bandwidth per thread count, and print them "
                                                  "as a platform spec (id 'host', one mode per thread count: 1t, 2t, ...)");
  auto threads = std::make_shared<std::vector<unsigned>>(std::vector<unsigned>{1});
  auto output = std::make_shared<std::string>();
  cmd->add_option("--threads", *threads, "Thread counts, e.g. 1,2")->delimiter(',')->check(CLI::PositiveNumber);
  cmd->add_option("--output", *output, "Write the spec to this file instead of stdout");
  cmd->callback([threads, output] {
    host_roofline_options o;
    o.threads = *threads;
    const std::string spec = to_json(measure_host_roofline(o)).dump(2) + "\n";
    if (output->empty()) {
      std::cout << spec;
      return;
    }
    std::ofstream(*output) << spec;
    std::cerr << "qutibench: wrote " << *output << '\n';
  });
}

}  // namespace qutibench::cli
