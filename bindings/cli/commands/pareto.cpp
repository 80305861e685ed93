// `qutibench pareto --task T`: the theoretical pareto frontier of accuracy against
// throughput, latency or power efficiency (thesis Section 6.5.2).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <numeric>

#include "../commands.hpp"
#include "../data.hpp"
#include "qutibench/validation/dataset.hpp"

namespace qutibench::cli {

namespace {

struct pareto_options {
  task_options task;
  std::string x = "throughput";
  std::string measurements;
  bool frontier_only = false;
};

/// One pareto row, predicted or measured.
struct point {
  std::string topology, platform, mode, type;
  double top1, inputs_per_s, latency_s, per_w;
  std::string source;
};

void run_pareto(const pareto_options& o) {
  const figure_of_merit x = o.x == "latency" ? figure_of_merit::latency
                            : o.x == "efficiency" ? figure_of_merit::efficiency : figure_of_merit::throughput;
  std::vector<point> points;
  std::vector<bool> front;
  for (const heatmap_cell& c : o.task.cells())
    points.push_back({c.topology, c.platform, c.mode, c.type.name(), c.top1_pct, c.result.throughput.value(),
                      c.result.latency.value(), c.inputs_per_s_per_w(), "predicted"});
  // Frontiers per source: the theoretical one and, with --measurements, the measured one.
  auto frontier_of = [&](const std::string& source) {
    std::vector<double> values;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < points.size(); ++i) {
      if (points[i].source != source) continue;
      index.push_back(i);
      values.push_back(points[i].top1);
      values.push_back(x == figure_of_merit::latency ? points[i].latency_s
                       : x == figure_of_merit::efficiency ? points[i].per_w : points[i].inputs_per_s);
    }
    const sense senses[] = {sense::maximize, x == figure_of_merit::latency ? sense::minimize : sense::maximize};
    const std::vector<bool> f = pareto_frontier(values, senses);
    for (std::size_t k = 0; k < index.size(); ++k) front[index[k]] = f[k];
  };
  if (!o.measurements.empty())
    for (const measured_point& m : measured_pareto_points(measurement_rows(o.measurements), o.task.task, accuracy_table()))
      points.push_back({m.topology, m.platform, m.mode, m.type.name(), m.top1_pct, m.inputs_per_s, m.latency_s,
                        m.full_power ? m.inputs_per_s / m.full_power->value() : std::nan(""), "measured"});
  front.assign(points.size(), false);
  frontier_of("predicted");
  frontier_of("measured");
  // Best x first, unknown (NaN) last; ties by accuracy; predicted before measured.
  auto key = [&](std::size_t i) {
    const point& p = points[i];
    const double v = x == figure_of_merit::latency ? -p.latency_s : x == figure_of_merit::efficiency ? p.per_w : p.inputs_per_s;
    return std::isnan(v) ? -INFINITY : v;
  };
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (points[a].source != points[b].source) return points[a].source > points[b].source;
    return key(a) != key(b) ? key(a) > key(b) : points[a].top1 > points[b].top1;
  });
  table t;
  t.columns = {"topology", "platform", "mode", "datatype", "accuracy_top1", "inputs_per_s", "latency_s", "on_frontier",
               "inputs_per_s_per_w", "source"};
  for (std::size_t i : order) {
    if (o.frontier_only && !front[i]) continue;
    const point& p = points[i];
    t.rows.push_back({p.topology, p.platform, p.mode, p.type, p.top1, p.inputs_per_s, p.latency_s,
                      std::string(front[i] ? "yes" : "no"), real(p.per_w), p.source});
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
      ->check(CLI::IsMember({"throughput", "latency", "efficiency"}))
      ->capture_default_str();
  cmd->add_flag("--frontier-only", o->frontier_only, "Print only the points on the frontier");
  cmd->add_option("--measurements", o->measurements,
                  "Add the measured points of a QuTiBench measurement CSV (best compute throughput and lowest compute "
                  "latency over batches per platform, mode, topology and datatype) with their own frontier "
                  "(source 'measured'; thesis Section 4.5.5)");
  cmd->callback([o] { run_pareto(*o); });
}

}  // namespace qutibench::cli
