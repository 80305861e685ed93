// `qutibench pareto --task T`: the theoretical pareto frontier of accuracy against
// throughput, latency or power efficiency (thesis Section 6.5.2).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <numeric>

#include "../commands.hpp"
#include "../data.hpp"

namespace qutibench::cli {

namespace {

struct pareto_options {
  task_options task;
  std::string x = "throughput";
  bool frontier_only = false;
};

void run_pareto(const pareto_options& o) {
  const std::vector<heatmap_cell> cells = o.task.cells();
  const figure_of_merit x = o.x == "latency" ? figure_of_merit::latency
                            : o.x == "efficiency" ? figure_of_merit::efficiency : figure_of_merit::throughput;
  const std::vector<bool> front = theoretical_pareto(cells, x);
  // Best x first, unknown (NaN) last; ties by accuracy.
  auto key = [&](std::size_t i) {
    const heatmap_cell& c = cells[i];
    const double v = x == figure_of_merit::latency ? -c.result.latency.value()
                     : x == figure_of_merit::efficiency ? c.inputs_per_s_per_w() : c.result.throughput.value();
    return std::isnan(v) ? -INFINITY : v;
  };
  std::vector<std::size_t> order(cells.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return key(a) != key(b) ? key(a) > key(b) : cells[a].top1_pct > cells[b].top1_pct;
  });
  table t;
  t.columns = {"topology", "platform", "mode", "datatype", "accuracy_top1", "inputs_per_s", "latency_s", "on_frontier",
               "inputs_per_s_per_w"};
  for (std::size_t i : order) {
    if (o.frontier_only && !front[i]) continue;
    const heatmap_cell& c = cells[i];
    t.rows.push_back({c.topology, c.platform, c.mode, c.type.name(), c.top1_pct, c.result.throughput.value(),
                      c.result.latency.value(), std::string(front[i] ? "yes" : "no"), real(c.inputs_per_s_per_w())});
  }
  print(std::cout, t, parse_format(o.task.common.format));
}

}  // namespace

void add_pareto_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("pareto", "Theoretical pareto of a task (thesis Section 6.5.2): every heatmap cell with "
                                           "its top-1 accuracy and predicted inputs/s, latency and inputs/s/W, sorted by "
                                           "--x, and whether it is on the frontier of accuracy against --x");
  auto o = std::make_shared<pareto_options>();
  o->task.add_to(*cmd);
  cmd->add_option("--x", o->x, "Figure of merit: throughput (inputs/s), latency (s, batch latency), efficiency "
                               "(inputs/s/W; platforms without a power figure are never on that frontier)")
      ->check(CLI::IsMember({"throughput", "latency", "efficiency"}))
      ->capture_default_str();
  cmd->add_flag("--frontier-only", o->frontier_only, "Print only the points on the frontier");
  cmd->callback([o] { run_pareto(*o); });
}

}  // namespace qutibench::cli
