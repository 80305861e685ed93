// The subcommands of the `qutibench` command line, one registration function each.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

namespace qutibench::cli {

/// Where a subcommand's option values live: `initial` again each time the subcommand is
/// parsed, so that one application runs many command lines (the argument-parser fuzz
/// target runs millions) with nothing left over from the last.
template <class T>
std::shared_ptr<T> fresh_options(CLI::App* cmd, T initial = T{}) {
  auto o = std::make_shared<T>(initial);
  cmd->preparse_callback([o, initial](std::size_t) { *o = initial; });
  return o;
}

/// `qutibench zoo`: one row per zoo topology with its level-0 requirements.
void add_zoo_command(CLI::App& app);
/// `qutibench show <topology>`: the per-layer requirements of one topology.
void add_show_command(CLI::App& app);
/// `qutibench export <topology>`: a topology as a JSON file.
void add_export_command(CLI::App& app);
/// `qutibench platforms`: the platform database.
void add_platforms_command(CLI::App& app);
/// `qutibench llm`: a decoder LLM request's time to first token, time per token and memory.
void add_llm_command(CLI::App& app);
/// `qutibench predict`: one roofline prediction, whole network or per layer.
void add_predict_command(CLI::App& app);
/// `qutibench heatmap --task T`: predicted inputs/s over platforms x networks.
void add_heatmap_command(CLI::App& app);
/// `qutibench pareto --task T`: the theoretical pareto frontier.
void add_pareto_command(CLI::App& app);
/// `qutibench check-platform FILE...`: schema and consistency checks of platform specs.
void add_check_platform_command(CLI::App& app);
/// `qutibench measure`: kernels measured on this CPU with the reference executor.
void add_measure_command(CLI::App& app);
/// `qutibench validate`: predicted against measured kernels, raw and calibrated.
void add_validate_command(CLI::App& app);
/// `qutibench host-roofline`: this CPU's empirical roofline as a platform spec.
void add_host_roofline_command(CLI::App& app);
/// `qutibench orthogonality`: pruning x quantization gains, predicted and measured.
void add_orthogonality_command(CLI::App& app);
/// `qutibench overheads`: system vs compute latency and batch behaviour from records.
void add_overheads_command(CLI::App& app);

}  // namespace qutibench::cli
