// `qutibench heatmap --task T`: predicted inputs/s of every (platform, mode, datatype) x
// (topology, datatype) pair the thesis's method defines for a task (Section 4.5).
#include <algorithm>
#include <iostream>
#include <memory>


#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "qutibench/predict/fields.hpp"

namespace qutibench::cli {

namespace {

/// One row per cell: the long form for CSV and JSON.
table long_form(const std::vector<heatmap_cell>& cells) {
  table t;
  t.columns = {"task", "platform", "mode", "datatype", "topology", "inputs_per_s", "bound"};
  for (const heatmap_cell& c : cells) t.rows.push_back(cells_of(c).row(t.columns));
  return t;
}

/// The matrix a reader scans: rows platform x mode x datatype, columns topologies, cells
/// inputs/s, printed as every table prints reals ("-": the pair is not defined there).
table matrix_form(const std::vector<heatmap_cell>& cells) {
  table t;
  t.columns = {"platform", "mode", "datatype"};
  for (const heatmap_cell& c : cells)
    if (std::find(t.columns.begin() + 3, t.columns.end(), c.topology) == t.columns.end()) t.columns.push_back(c.topology);
  for (const heatmap_cell& c : cells) {
    const cell key[] = {c.platform, c.mode.empty() ? cell{} : cell{c.mode}, c.type.name()};
    auto row = std::find_if(t.rows.begin(), t.rows.end(), [&](const auto& r) { return std::equal(key, key + 3, r.begin()); });
    if (row == t.rows.end()) {
      t.rows.emplace_back(key, key + 3);
      t.rows.back().resize(t.columns.size());
      row = t.rows.end() - 1;
    }
    const auto col = std::find(t.columns.begin(), t.columns.end(), c.topology) - t.columns.begin();
    (*row)[static_cast<std::size_t>(col)] = real(c.result.throughput.value());
  }
  return t;
}

}  // namespace

void add_heatmap_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("heatmap", "Predicted inputs/s of each topology of a task (with published accuracy) on "
                                            "each platform, mode and datatype that can run it, natively or through a "
                                            "carrier (thesis Section 4.5); the table shows a matrix, CSV and JSON one row "
                                            "per cell with task, platform, mode, datatype, topology, inputs_per_s, bound");
  auto o = fresh_options<task_options>(cmd);
  o->add_to(*cmd);
  cmd->callback([o] {
    const std::vector<heatmap_cell> cells = o->cells();
    const format f = parse_format(o->common.format);
    print(std::cout, f == format::table ? matrix_form(cells) : long_form(cells), f);
  });
}

}  // namespace qutibench::cli
