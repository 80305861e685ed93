// `qutibench overheads`: system vs compute latency and latency vs throughput over batch
// per setting of a measurement CSV (thesis Section 7.5).
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "../data.hpp"
#include "qutibench/validation/dataset.hpp"

namespace qutibench::cli {

void add_overheads_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("overheads", "Per platform, mode, topology and datatype of a measurement CSV: the "
                                              "batches recorded, best compute throughput and its batch and latency, the "
                                              "lowest latency, and system / compute latency (median and max over batches)");
  struct options {
    std::string file, format = "table";
  };
  auto o = fresh_options<options>(cmd);
  cmd->add_option("--measurements", o->file, "A QuTiBench measurement CSV")->required();
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"table", "csv", "json"}))->capture_default_str();
  cmd->callback([o] {
    table t;
    t.columns = {"platform", "mode", "topology", "datatype", "batches", "best_inputs_per_s", "best_batch",
                 "latency_at_best_s", "min_latency_s", "overhead_median", "overhead_max"};
    for (const batch_summary& s : batch_summaries(measurement_rows(o->file))) {
      std::string batches;
      for (std::uint64_t b : s.batches) batches += (batches.empty() ? "" : " ") + std::to_string(b);
      t.rows.push_back({s.platform, s.mode, s.topology, s.type.name(), batches, s.best_inputs_per_s,
                        static_cast<std::int64_t>(s.best_batch), s.latency_at_best_s, s.min_latency_s,
                        real(s.overhead_median), real(s.overhead_max)});
    }
    print(std::cout, t, parse_format(o->format));
  });
}

}  // namespace qutibench::cli
