#include "app.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "qutibench/error.hpp"

namespace qutibench::cli {

int run(int argc, const char* const* argv) {
  CLI::App app{"qutibench: predict, measure and compare how fast neural networks run on heterogeneous hardware "
               "(QuTiBench, Blott 2021)"};
  app.require_subcommand(1);
  add_zoo_command(app);
  add_show_command(app);
  add_platforms_command(app);
  add_predict_command(app);
  add_heatmap_command(app);
  add_pareto_command(app);
  add_check_platform_command(app);
  add_measure_command(app);
  add_validate_command(app);
  add_host_roofline_command(app);
  add_orthogonality_command(app);
  add_overheads_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const error& e) {
    std::cerr << "qutibench: " << e.what() << '\n';
    return 2;
  }
  return 0;
}

}  // namespace qutibench::cli
