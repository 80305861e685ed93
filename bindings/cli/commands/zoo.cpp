// `qutibench zoo`: the zoo with its totals and operational intensities under the
// thesis's defaults (weights off-chip, activations on-chip, batch 1; Table 6.1).
#include <iostream>
#include <memory>
#include <string>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "../table.hpp"
#include "qutibench/network_summary.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench::cli {

namespace {

table zoo_table() {
  table t;
  t.columns = {"topology", "task", "gops", "model_me", "t_total_me", "peak_live_me"};
  for (const datatype& d : datatypes::thesis_set) t.columns.push_back("oi_" + d.name());
  for (const zoo::entry& e : zoo::catalogue) {
    named_cells c = cells_of(summarize(e.make()));
    c.set("topology", std::string(e.id)).set("task", e.task.empty() ? cell{} : cell{std::string(e.task)});
    t.rows.push_back(c.row(t.columns));
  }
  return t;
}

}  // namespace

void add_zoo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("zoo", "List every zoo topology: task, GOPs per input, model size and T_total in "
                                        "million elements, peak live activations, and operational intensity (ops/byte) "
                                        "per datatype with weights off-chip, activations on-chip, batch 1 (thesis Table 6.1)");
  auto fmt_name = fresh_options<std::string>(cmd, "table");
  add_format_option(*cmd, *fmt_name);
  cmd->callback([fmt_name] { print(std::cout, zoo_table(), parse_format(*fmt_name)); });
}

}  // namespace qutibench::cli
