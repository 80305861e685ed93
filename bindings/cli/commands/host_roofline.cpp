// `qutibench host-roofline`: this CPU's empirical roofline as a platform spec.
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "../output.hpp"
#include "qutibench/io/platform_json.hpp"
#include "qutibench/measure/host_roofline.hpp"

namespace qutibench::cli {

void add_host_roofline_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("host-roofline", "Measure this CPU's attainable INT8 (gemmlowp) and FP32 (Eigen) GEMM "
                                                  "rates and its triad memory bandwidth per thread count, and print them "
                                                  "as a platform spec (id 'host', one mode per thread count: 1t, 2t, ...)");
  struct options {
    std::vector<std::int64_t> threads{1};
    std::string output;
  };
  auto o = fresh_options<options>(cmd);
  // No CLI11 range check: the library checks the counts, with the same error as Python's.
  cmd->add_option("--threads", o->threads, "Thread counts, e.g. 1,2 (distinct, each 1.." + std::to_string(max_measure_threads) + ")")->delimiter(',');
  cmd->add_option("--output", o->output, "Write the spec to this file instead of stdout (whole or not at all)");
  cmd->callback([o] {
    host_roofline_options measure;
    measure.threads = o->threads;
    const std::string spec = to_json(measure_host_roofline(measure)).dump(2) + "\n";
    if (o->output.empty()) {
      std::cout << spec;
      return;
    }
    write_file(o->output, spec);
    std::cerr << "qutibench: wrote " << o->output << '\n';
  });
}

}  // namespace qutibench::cli
