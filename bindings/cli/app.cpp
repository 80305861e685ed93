#include "app.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "qutibench/error.hpp"
#include "qutibench/version.hpp"

namespace qutibench::cli {

namespace {

/// CLI11 reads an integer past 64 bits as the nearest bound (strtoll saturates), so
/// "--batch 99999999999999999999" came back as "got 9223372036854775807", a number nobody
/// typed. Every integer option of `app` and its commands (all std::int64_t: a negative
/// count reaches the library's range checks instead of wrapping) refuses it as written. The
/// check converts as CLI11 does (strtoll, base 0: signs, spaces and hex alike) and asks only
/// whether the value fits.
void refuse_overflowing_integers(CLI::App& app) {
  const CLI::Validator within_64_bits(
      [](std::string& text) -> std::string {
        errno = 0;
        static_cast<void>(std::strtoll(text.c_str(), nullptr, 0));
        if (errno == ERANGE) return text + " is beyond the 64-bit integers";
        return {};  // CLI11 converts, or refuses what is not an integer at all
      },
      "", "64-bit");
  for (CLI::Option* o : app.get_options())
    if (o->get_type_name().starts_with("INT")) o->check(within_64_bits);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; })) refuse_overflowing_integers(*command);
}

}  // namespace

application::application()
    : app_("qutibench: predict, measure and compare how fast neural networks run on heterogeneous hardware "
           "(QuTiBench, Blott 2021)") {
  app_.require_subcommand(1);
  app_.set_version_flag("--version", std::string(version));
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
  refuse_overflowing_integers(app_);
}

namespace {

/// A usage error as an ID'd error like any other bad input; the ID says what kind.
error_id usage_error_id(const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::RequiredError*>(&e)) return error_id::missing_field;
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) return error_id::unknown_field;
  return error_id::invalid_value;
}

}  // namespace

int application::run(int argc, const char* const* argv) {
  try {
    // CLI11 reports an unknown command as a missing one ("A subcommand is required").
    if (argc > 1 && argv[1][0] != '-' && app_.get_subcommands([&](CLI::App* c) { return c->check_name(argv[1]); }).empty()) {
      std::string commands;
      for (const CLI::App* c : app_.get_subcommands([](CLI::App*) { return true; }))
        commands += (commands.empty() ? "" : ", ") + c->get_name();
      throw spec_error(error_id::unknown_id, "command '" + std::string(argv[1]) + "'", "not a qutibench command; commands: " + commands);
    }
    app_.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app_.exit(e);  // --help
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command that printed its own findings (check-platform: 1)
  } catch (const CLI::ParseError& e) {
    std::cerr << "qutibench: " << spec_error(usage_error_id(e), "command line", e.what()).what()
              << "\nRun with --help for more information.\n";
    return 2;
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
