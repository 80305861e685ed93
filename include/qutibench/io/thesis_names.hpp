// The names thesis measurement tables use (Tables A.7-A.23) and the stable ids they map
// onto: platforms with their operating modes, and topologies as "NAME PRUNING%".
#pragma once

#include <algorithm>
#include <array>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "qutibench/zoo.hpp"

namespace qutibench {

/// A platform as the thesis's measurement tables name it, and what the loader records for
/// it. `modes` lists the operating modes a row may name; {""} = the platform has none.
struct thesis_platform {
  std::string_view thesis_name;
  std::string_view id;
  std::string_view host;
  std::string_view kernel_path;  ///< empty where the tables do not say
  std::array<std::string_view, 3> modes;
  bool int8_carrier;  ///< sub-8-bit integers run in INT8 (gemmlowp, thesis Section 6.3)
};

/// Every platform of thesis Tables A.7-A.23 and the appendix tables of the other
/// platforms of Table 6.2 (BISMO, the DPUs, the Coral TPU, whose rows are labelled like
/// EdgeTPU_INT8_100%_RN50V15 and whose op modes are the runtime's fast and slow clocks).
/// The NCS rows are the Myriad X stick (Table 6.2's "NCS (MyriadX)"), hence ncs2.
inline constexpr thesis_platform thesis_platforms[] = {
    {"TX2", "tx2", "NVIDIA Jetson TX2 (256-core Pascal GPU)", "", {"maxn", "maxp", "maxq"}, false},
    {"ZCU104-FINN", "zcu104-finn", "Xilinx ZCU104 (XCZU7EV)", "FINN dataflow accelerator", {""}, false},
    {"U96-Quadcore A53", "ultra96-a53", "Avnet Ultra96 (quad-core Arm Cortex-A53)", "gemmlowp", {""}, true},
    {"NCS", "ncs2", "Intel Neural Compute Stick 2 (Movidius Myriad X)", "", {""}, false},
    {"ZCU104-BISMO", "zcu104-bismo", "Xilinx ZCU104 (XCZU7EV)", "BISMO bit-serial matrix multiplication overlay", {""}, false},
    {"Ultra96-DPU", "ultra96-dpu", "Avnet Ultra96 (XCZU3EG)", "Xilinx DPU", {""}, false},
    {"ZCU102-DPU", "zcu102-dpu", "Xilinx ZCU102 (XCZU9EG)", "Xilinx DPU", {""}, false},
    {"ZCU104-DPU", "zcu104-dpu", "Xilinx ZCU104 (XCZU7EV)", "Xilinx DPU", {""}, false},
    {"TPU", "coral-tpu", "Google Coral Edge TPU", "", {"fast", "slow"}, false},
};

/// Topology names the appendix tables use beside Table 6.1's: the Coral TPU table's
/// ResNet50v1.5 (stride in the 3x3 convolution, METHOD.md Section 10).
inline constexpr std::pair<std::string_view, std::string_view> thesis_topology_aliases[] = {
    {"ResNet50v1.5", "resnet50-v1.5"},
};

/// The pruning a zoo entry's thesis name states ("CNV 50%" -> "50"); "100" for an
/// unpruned network or one the thesis does not name.
inline std::string thesis_pruning(const zoo::entry& e) {
  const auto space = e.thesis_name.rfind(' ');
  return e.thesis_name.ends_with('%') ? std::string(e.thesis_name.substr(space + 1, e.thesis_name.size() - space - 2))
                                      : "100";
}

/// The zoo entry a table row names: a zoo id (with an empty or matching pruning), or the
/// thesis name with its pruning ("CNV" + "50" -> "CNV 50%"; at 100 the bare name such as
/// "GoogLeNetv1" also matches), or an alias of `thesis_topology_aliases` (pruning empty or
/// 100). Null when nothing matches.
inline const zoo::entry* find_thesis_topology(const std::string& name, const std::string& pruning) {
  for (const auto& [alias, id] : thesis_topology_aliases)
    if (alias == name && (pruning.empty() || pruning == "100")) return &zoo::find(id);
  const std::string pruned = name + " " + pruning + "%";
  const auto net = std::ranges::find_if(zoo::catalogue, [&](const zoo::entry& e) {
    if (e.id == name) return pruning.empty() || pruning == thesis_pruning(e);
    return !e.thesis_name.empty() && (e.thesis_name == pruned || (pruning == "100" && e.thesis_name == name));
  });
  return net == std::end(zoo::catalogue) ? nullptr : &*net;
}

/// The thesis platform a table row names, by thesis name or id; null when none.
inline const thesis_platform* find_thesis_platform(std::string_view name) {
  const auto p = std::ranges::find_if(thesis_platforms, [&](const thesis_platform& t) { return t.thesis_name == name || t.id == name; });
  return p == std::end(thesis_platforms) ? nullptr : &*p;
}

}  // namespace qutibench
