// Published accuracy of a network at a datatype: the accuracy axis of heatmaps and
// pareto graphs (thesis Table 5.2). A core record, so predictors use it without io/.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"

namespace qutibench {

/// One accuracy figure: a zoo topology id, its task, the datatype of weights and
/// activations, top-1 and (where published) top-5 accuracy in percent.
struct accuracy_record {
  std::string topology;
  std::string task;
  datatype type;
  double top1_pct = 0;
  std::optional<double> top5_pct;
};

/// The thesis's tasks, whose networks have published accuracies to chart (heatmaps,
/// predicted and measured pareto frontiers).
inline constexpr std::array<std::string_view, 3> accuracy_tasks = {"imagenet", "cifar10", "mnist"};

/// Refuses a task not in `accuracy_tasks`: spec_error 301 (a task without
/// records would chart nothing, silently).
inline void check_task(std::string_view task) {
  if (std::ranges::find(accuracy_tasks, task) == accuracy_tasks.end())
    throw spec_error(error_id::unknown_id, "task '" + std::string(task) + "'", "valid: imagenet, cifar10, mnist");
}

}  // namespace qutibench
