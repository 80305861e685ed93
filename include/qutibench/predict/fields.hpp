// The field list of each prediction record: its figures as (name, value) pairs in output
// order, the one description from which the CLI's tables (text, CSV, JSON) and Python's
// dicts are made, so the same figure has the same name everywhere. `fields(record, f)`
// calls f(name, value) once per field; a command or binding adds its context (topology,
// platform) and picks the columns it prints.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "qutibench/predict/heatmap.hpp"
#include "qutibench/predict/roofline.hpp"

namespace qutibench {

/// A prediction's figures; what a status leaves unknown is NaN, or no name for the carrier
/// and the bound.
template <class F>
void fields(const prediction& p, F&& field) {
  field("datatype", p.type.name());
  field("carrier", p.ok() ? std::optional<std::string>(p.carrier.name()) : std::nullopt);
  field("batch", p.batch);
  field("status", status_name(p.status));
  field("inputs_per_s", p.throughput.value());
  field("ops_per_s", p.attainable.value());
  field("latency_s", p.latency.value());
  field("operational_intensity", p.operational_intensity.value());
  field("ridge_point", p.ridge_point.value());
  field("bound", p.bound ? std::optional<std::string_view>(bound_name(*p.bound)) : std::nullopt);
  field("peak_ops_per_s", p.peak.value());
  field("bandwidth_bytes_per_s", p.bandwidth.value());
  field("ops", p.work.value());
  field("traffic_bytes", p.traffic.value());
}

/// One layer of a layer-by-layer prediction. A layer without work or traffic (an input,
/// a view, a folded norm) has no intensity (0 / 0) and no bound.
template <class F>
void fields(const layer_prediction& l, F&& field) {
  const bool idle = l.work.value() == 0 && l.traffic.value() == 0;
  field("layer", l.name);
  field("kind", l.kind);
  field("ops", l.work.value());
  field("traffic_bytes", l.traffic.value());
  field("operational_intensity", idle ? std::numeric_limits<double>::quiet_NaN() : l.operational_intensity.value());
  field("compute_time_s", l.compute_time.value());
  field("memory_time_s", l.memory_time.value());
  field("time_s", l.time.value());
  field("bound", idle ? std::nullopt : std::optional<std::string_view>(bound_name(l.bound)));
}

/// A heatmap cell: where it is, its published accuracy and its predicted figures.
template <class F>
void fields(const heatmap_cell& c, F&& field) {
  field("task", c.task);
  field("platform", c.platform);
  field("mode", c.mode);
  field("datatype", c.type.name());
  field("topology", c.topology);
  field("carrier", c.result.carrier.name());
  field("inputs_per_s", c.result.throughput.value());
  field("latency_s", c.result.latency.value());
  field("bound", c.result.bound ? std::optional<std::string_view>(bound_name(*c.result.bound)) : std::nullopt);
  field("accuracy_top1", c.top1_pct);
  field("inputs_per_s_per_w", c.inputs_per_s_per_w());
}

}  // namespace qutibench
