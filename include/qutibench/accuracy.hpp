// Published accuracy of a network at a datatype: the accuracy axis of heatmaps and
// pareto graphs (thesis Table 5.2). A core record, so predictors use it without io/.
#pragma once

#include <optional>
#include <string>

#include "qutibench/datatype.hpp"

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

}  // namespace qutibench
