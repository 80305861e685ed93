// `qutibench overheads`: system vs compute latency and latency vs throughput over batch
// per setting of a measurement CSV (thesis Section 7.5).
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "qutibench/validation/measured.hpp"

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
  add_format_option(*cmd, o->format);
  cmd->callback([o] {
    table t;
    t.columns = {"platform", "mode", "topology", "datatype", "batches", "best_inputs_per_s", "best_batch",
                 "latency_at_best_s", "min_latency_s", "overhead_median", "overhead_max"};
    for (const batch_summary& s : batch_summaries(load_measurements(o->file, data_dir())))
      t.rows.push_back(cells_of(s).row(t.columns));
    print(std::cout, t, parse_format(o->format));
  });
}

}  // namespace qutibench::cli
