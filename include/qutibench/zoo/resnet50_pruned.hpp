// The vendor-pruned ResNet50 variants of the thesis (80/50/30 %, Table 6.1). Their
// per-layer shapes were never published, so these are SUMMARY-LEVEL models: one
// `summary` node carrying the published totals, not a layer-by-layer network.
#pragma once

#include <cstdint>

#include "qutibench/topology.hpp"

namespace qutibench::zoo {

/// A pruned ResNet50 known by its totals: `model_me` million weights and INT8
/// operational intensity `oi_int8` ops/byte as printed in thesis Table 6.1. Ops are
/// OI x ME (the table's OI is ops / (ME x bytes)), which keeps every OI column exact;
/// the table's rounded GOPs agree within 2.1 % (docs/zoo.md).
constexpr topology resnet50_pruned(std::string_view id, double model_me, double oi_int8) {
  const auto weights = static_cast<std::uint64_t>(model_me * 1e6 + 0.5);
  const auto ops = static_cast<std::uint64_t>(oi_int8 * static_cast<double>(weights) + 0.5);
  return topology::builder(id, {3, 224, 224})
      .node("resnet50_pruned", summary{.macs = ops / 2, .weights = weights, .out = {1000}})
      .build();
}

/// thesis Table 6.1, line "ResNet50 80%": 23.7 ME, OI(INT8) 271.65.
constexpr topology resnet50_p80() { return resnet50_pruned("resnet50-p80", 23.7, 271.65); }
/// thesis Table 6.1, line "ResNet50 50%": 15.8 ME, OI(INT8) 237.46.
constexpr topology resnet50_p50() { return resnet50_pruned("resnet50-p50", 15.8, 237.46); }
/// thesis Table 6.1, line "ResNet50 30%": 10.1 ME, OI(INT8) 242.54.
constexpr topology resnet50_p30() { return resnet50_pruned("resnet50-p30", 10.1, 242.54); }

}  // namespace qutibench::zoo
