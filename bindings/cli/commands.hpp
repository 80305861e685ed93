// The subcommands of the `qutibench` command line, one registration function each.
#pragma once

#include <CLI/CLI.hpp>

namespace qutibench::cli {

/// `qutibench zoo`: one row per zoo topology with its level-0 requirements.
void add_zoo_command(CLI::App& app);
/// `qutibench show <topology>`: the per-layer requirements of one topology.
void add_show_command(CLI::App& app);

}  // namespace qutibench::cli
