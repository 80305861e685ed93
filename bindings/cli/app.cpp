#include "app.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "qutibench/error.hpp"

namespace qutibench::cli {

application::application()
    : app_("qutibench: predict, measure and compare how fast neural networks run on heterogeneous hardware "
           "(QuTiBench, Blott 2021)") {
  app_.require_subcommand(1);
  add_zoo_command(app_);
  add_show_command(app_);
  add_export_command(app_);
  add_platforms_command(app_);
  add_predict_command(app_);
  add_llm_command(app_);
  add_heatmap_command(app_);
  add_pareto_command(app_);
  add_check_platform_command(app_);
  add_measure_command(app_);
  add_validate_command(app_);
  add_host_roofline_command(app_);
  add_orthogonality_command(app_);
  add_overheads_command(app_);
}

int application::run(int argc, const char* const* argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app_.exit(e);
  } catch (const error& e) {
    std::cerr << "qutibench: " << e.what() << '\n';
    return 2;
  }
  // Commands print to standard output: when it is closed or its disk is full, the output
  // is lost, and exit status 0 would say otherwise.
  if (!(std::cout << std::flush)) {
    const int err = errno;
    std::cerr << "qutibench: "
              << spec_error(error_id::write_failed, "standard output", std::string("cannot write: ") + std::strerror(err)).what()
              << '\n';
    return 2;
  }
  return 0;
}

}  // namespace qutibench::cli
