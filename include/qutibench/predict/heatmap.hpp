// Heatmaps and theoretical pareto frontiers of a task (thesis Sections 4.5, 6.5.2): every
// platform x mode x datatype that can run a (topology, datatype) pair whose accuracy is
// published, with its predicted throughput and latency.
#pragma once

#include <cmath>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/accuracy.hpp"
#include "qutibench/platform.hpp"
#include "qutibench/predict/pareto.hpp"
#include "qutibench/predict/profile.hpp"
#include "qutibench/predict/realistic.hpp"
#include "qutibench/predict/roofline.hpp"
#include "qutibench/zoo.hpp"

namespace qutibench {

/// One heatmap cell: row (platform, mode, datatype), column (topology, datatype), the
/// whole-network prediction and the published accuracy of the pair.
struct heatmap_cell {
  std::string task;
  std::string platform;
  std::string mode;             ///< "" for a platform without operating modes
  datatype type;                ///< of the network; the platform runs it natively or in `result.carrier`
  std::string topology;
  prediction result;
  double top1_pct = 0;
  std::optional<double> top5_pct;
  std::optional<watts> power;   ///< the mode's power budget (TDP, else measured full power)

  /// Inputs per second per watt, NaN without a power figure.
  double inputs_per_s_per_w() const { return power ? result.throughput.value() / power->value() : std::nan(""); }
};

/// The cells the thesis's method defines for `task`: for each platform and mode (in the
/// order given) and each accuracy record of the task (in file order), a cell if the
/// datatype runs on the mode natively or through a carrier. `base` gives the batch,
/// memory model and efficiency; its datatype is replaced by each record's. `model`: the
/// plain whole-network roofline or the realistic estimate. The task must be one of
/// `accuracy_tasks` (`check_task`) and topology ids zoo ids (spec_error 301 otherwise).
inline std::vector<heatmap_cell> heatmap(std::string_view task, std::span<const platform> platforms,
                                         std::span<const accuracy_record> accuracy, const scenario& base = {},
                                         prediction_model model = prediction_model::plain) {
  check_task(task);
  struct column {
    const accuracy_record* record;
    const topology* net;
    network_profile prof;
  };
  std::deque<topology> nets;  // stable addresses: profiles refer into them
  std::vector<column> columns;
  for (const accuracy_record& a : accuracy) {
    if (a.task != task) continue;
    const topology* net = nullptr;
    for (const topology& t : nets)
      if (t.name() == a.topology) net = &t;
    if (!net) {
      nets.push_back(zoo::get(a.topology));
      net = &nets.back();
    }
    columns.push_back({&a, net, profile(*net)});
  }
  std::vector<heatmap_cell> cells;
  for (const platform& pf : platforms)
    for (const operating_mode& m : pf.modes)
      for (const column& c : columns) {
        scenario s = base;
        s.type = c.record->type;
        prediction p = predict_with(model, c.prof, pf, m, s);
        if (!p.ok()) continue;
        cells.push_back({std::string(task), pf.id, m.name, c.record->type, c.record->topology, std::move(p),
                         c.record->top1_pct, c.record->top5_pct, m.power.budget()});
      }
  return cells;
}

/// A cell's figure of merit: inputs/s, batch latency (s) or inputs/s/W (NaN without power).
inline double figure(const heatmap_cell& c, figure_of_merit x) {
  switch (x) {
    case figure_of_merit::latency: return c.result.latency.value();
    case figure_of_merit::efficiency: return c.inputs_per_s_per_w();
    case figure_of_merit::throughput: break;
  }
  return c.result.throughput.value();
}

/// The theoretical pareto frontier (thesis Section 6.5.2): top-1 accuracy (maximised)
/// against `x`, over heatmap cells; true marks a cell on the frontier.
inline std::vector<bool> theoretical_pareto(std::span<const heatmap_cell> cells, figure_of_merit x) {
  std::vector<double> accuracy, values;
  for (const heatmap_cell& c : cells) {
    accuracy.push_back(c.top1_pct);
    values.push_back(figure(c, x));
  }
  return accuracy_frontier(accuracy, values, x);
}

}  // namespace qutibench
