// `qutibench pareto --task T`: the theoretical pareto frontier of accuracy against
// throughput, latency or power efficiency (thesis Section 6.5.2).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <numeric>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "qutibench/predict/fields.hpp"
#include "qutibench/validation/dataset.hpp"
#include "qutibench/validation/measured.hpp"

namespace qutibench::cli {

namespace {

struct pareto_options {
  task_options task;
  std::string x = "throughput";
  std::string measurements;
  bool frontier_only = false;
};

/// One pareto row, predicted or measured: its fields, and what the frontier and the sort read.
struct point {
  named_cells cells;
  double top1, figure;
};

void run_pareto(const pareto_options& o) {
  const figure_of_merit x = parse_figure_of_merit(o.x);
  const std::vector<heatmap_cell> cells = o.task.cells();
  std::vector<point> points;
  for (const heatmap_cell& c : cells)
    points.push_back({cells_of(c).set("source", std::string("predicted")), c.top1_pct, figure(c, x)});
  std::vector<bool> front = theoretical_pareto(cells, x);
  if (!o.measurements.empty()) {
    // The measured points have a frontier of their own (thesis Section 4.5.5).
    std::vector<double> accuracy, values;
    for (const measured_point& m : measured_pareto_points(load_measurements(o.measurements, data_dir()), o.task.task,
                                                          published_accuracy(data_dir()))) {
      accuracy.push_back(m.top1_pct);
      values.push_back(figure(m, x));
      points.push_back({cells_of(m).set("source", std::string("measured")), m.top1_pct, values.back()});
    }
    const std::vector<bool> measured = accuracy_frontier(accuracy, values, x);
    front.insert(front.end(), measured.begin(), measured.end());
  }
  // Best x first, unknown (NaN) last; ties by accuracy; predicted before measured.
  auto key = [&](std::size_t i) {
    const double v = x == figure_of_merit::latency ? -points[i].figure : points[i].figure;
    return std::isnan(v) ? -INFINITY : v;
  };
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if ((a < cells.size()) != (b < cells.size())) return a < cells.size();
    return key(a) != key(b) ? key(a) > key(b) : points[a].top1 > points[b].top1;
  });
  table t;
  t.columns = {"topology", "platform", "mode", "datatype", "accuracy_top1", "inputs_per_s", "latency_s", "on_frontier",
               "inputs_per_s_per_w", "source"};
  for (std::size_t i : order) {
    if (o.frontier_only && !front[i]) continue;
    t.rows.push_back(points[i].cells.set("on_frontier", std::string(front[i] ? "yes" : "no")).row(t.columns));
  }
  print(std::cout, t, parse_format(o.task.common.format));
}

}  // namespace

void add_pareto_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("pareto", "Theoretical pareto of a task (thesis Section 6.5.2): every heatmap cell with "
                                           "its top-1 accuracy and predicted inputs/s, latency and inputs/s/W, sorted by "
                                           "--x, and whether it is on the frontier of accuracy against --x");
  auto o = fresh_options<pareto_options>(cmd);
  o->task.add_to(*cmd);
  cmd->add_option("--x", o->x, "Figure of merit: throughput (inputs/s), latency (s, batch latency), efficiency "
                               "(inputs/s/W; platforms without a power figure are never on that frontier)")
      ->capture_default_str();  // checked by parse_figure_of_merit, as Python's x is
  cmd->add_flag("--frontier-only", o->frontier_only, "Print only the points on the frontier");
  cmd->add_option("--measurements", o->measurements,
                  "Add the measured points of a QuTiBench measurement CSV (best compute throughput and lowest compute "
                  "latency over batches per platform, mode, topology and datatype) with their own frontier "
                  "(source 'measured'; thesis Section 4.5.5)");
  cmd->callback([o] { run_pareto(*o); });
}

}  // namespace qutibench::cli
