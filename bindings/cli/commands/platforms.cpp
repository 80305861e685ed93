// `qutibench platforms`: the platform database, one row per platform and operating mode,
// with the peak each of the thesis's datatypes runs at (natively or through a carrier).
#include <cmath>
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "../data.hpp"

namespace qutibench::cli {

namespace {

table platforms_table() {
  table t;
  t.columns = {"platform", "mode", "kind"};
  for (const datatype& d : datatypes::thesis_set) t.columns.push_back("peak_" + d.name() + "_tops");
  for (const char* c : {"native_peaks_tops", "bandwidth_gb_per_s", "capacity_gb", "on_chip_mb", "power_w", "carrier_emulation", "name"})
    t.columns.push_back(c);
  for (const platform& p : all_platforms())
    for (const operating_mode& m : p.modes) {
      std::vector<cell> row = {p.id, m.name.empty() ? cell{} : cell{m.name}, std::string(kind_name(p.kind))};
      for (const datatype& d : datatypes::thesis_set) {
        const auto run = p.run(m, d);
        row.push_back(real(run ? run->peak.value() / 1e12 : std::nan("")));
      }
      std::string native;
      for (const peak_performance& pk : m.peaks) native += (native.empty() ? "" : " ") + pk.type.name() + "=" + format_real(pk.value.value() / 1e12);
      const auto power = m.power.budget();
      row.insert(row.end(), {native, m.bandwidth.value() / 1e9, real(p.memory_capacity ? p.memory_capacity->value() / 1e9 : std::nan("")),
                             p.on_chip.value() / 1e6, real(power ? power->value() : std::nan("")),
                             std::string(p.carrier_emulation ? "yes" : "no"), p.name});
      t.rows.push_back(std::move(row));
    }
  return t;
}

}  // namespace

void add_platforms_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("platforms", "List the platform database (data/platforms/*.json): one row per platform "
                                              "and operating mode with the peak in TOP/s of INT2, INT4, INT8, FP16, FP32 "
                                              "(through a carrier where the platform emulates; empty if unsupported), all "
                                              "native peaks, bandwidth, capacity, on-chip memory and power (thesis Table 6.2)");
  auto fmt_name = fresh_options<std::string>(cmd, "table");
  add_format_option(*cmd, *fmt_name);
  cmd->callback([fmt_name] { print(std::cout, platforms_table(), parse_format(*fmt_name)); });
}

}  // namespace qutibench::cli
