// The `qutibench` command line: level-0 requirements and roofline predictions.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "qutibench/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"qutibench: predict, measure and compare how fast neural networks run on heterogeneous hardware "
               "(QuTiBench, Blott 2021)"};
  app.require_subcommand(1);
  qutibench::cli::add_zoo_command(app);
  qutibench::cli::add_show_command(app);
  qutibench::cli::add_platforms_command(app);
  qutibench::cli::add_predict_command(app);
  qutibench::cli::add_heatmap_command(app);
  qutibench::cli::add_pareto_command(app);
  qutibench::cli::add_check_platform_command(app);
  qutibench::cli::add_measure_command(app);
  qutibench::cli::add_validate_command(app);
  qutibench::cli::add_host_roofline_command(app);
  qutibench::cli::add_orthogonality_command(app);
  qutibench::cli::add_overheads_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const qutibench::error& e) {
    std::cerr << "qutibench: " << e.what() << '\n';
    return 2;
  }
  return 0;
}
