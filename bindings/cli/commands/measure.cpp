// `qutibench measure`: level-1/2/3 kernels of a topology on the host CPU through the
// reference executor, swept over batch sizes and thread counts (thesis Sections 4.4, 5.3).
#include <iostream>
#include <memory>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "../progress.hpp"
#include "../table.hpp"
#include "qutibench/measure/host_cpu.hpp"

namespace qutibench::cli {

namespace {

// Signed and unchecked here: the library checks level, threads, repeats and min_time, with
// the same errors as Python's.
struct measure_options {
  std::string topology, datatype = "int8", format = "table";
  onnx_options onnx;
  std::int64_t level = 3;
  std::vector<std::int64_t> batches{1};
  std::vector<std::int64_t> threads{1};
  std::int64_t repeats = 5;
  double min_time = 0.05;
};

table measure_table(const measure_options& o) {
  const measure_level level = parse_measure_level(o.level);
  std::vector<unsigned> threads;
  for (std::int64_t th : o.threads) threads.push_back(parse_measure_threads(th));
  host_cpu host(measure_repeats(o.repeats, o.min_time));
  const topology net = find_topology(o.topology, o.onnx);
  const datatype type = datatype::parse(o.datatype);
  std::vector<kernel> all;
  for (std::int64_t b : o.batches)
    for (unsigned th : threads)
      for (kernel& k : kernels_of(net, level, type, b, th)) all.push_back(std::move(k));
  table t;
  t.columns = {"kernel", "level", "datatype", "carrier", "batch", "threads", "ops", "compute_median_s", "compute_min_s",
               "compute_max_s", "compute_iqr_s", "system_median_s", "runs", "inputs_per_s", "ops_per_s", "kernel_path"};
  progress bar("measure", all.size());
  std::vector<kernel_job> jobs;
  for (const kernel& k : all) jobs.push_back({&net, k});
  std::size_t done = 0;
  for (const measurement& m : host.measure_interleaved(jobs, [&](std::size_t i) { bar.step(++done, jobs[i].what.name()); }))
    t.rows.push_back(cells_of(m).row(t.columns));
  return t;
}

}  // namespace

void add_measure_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("measure", "Measure kernels of a topology on this CPU with the reference executor "
                                            "(gemmlowp 8-bit, Eigen fp32; INT2/INT4 in the 8-bit carrier): level 1 = each "
                                            "layer with MACs, 2 = stacks of 2 and 4 such layers, 3 = the whole network. "
                                            "Median, min, max and IQR of compute latency (kernels) and system latency "
                                            "(plus quantisation, im2col, copies) per batch; progress on stderr");
  auto o = fresh_options<measure_options>(cmd);
  cmd->add_option("--topology", o->topology, "Zoo id, a topology file (.json) or an ONNX model (.onnx)")->required();
  o->onnx.add_to(*cmd);
  cmd->add_option("--level", o->level, "1, 2 or 3")->capture_default_str();
  cmd->add_option("--datatype", o->datatype, "int2..int8 (8-bit carrier) or fp32")->capture_default_str();
  cmd->add_option("--batch", o->batches, "Batch sizes to sweep, e.g. 1,8 (each 1 to 2^40)")->delimiter(',');
  cmd->add_option("--threads", o->threads,
                  "Thread counts to sweep, e.g. 1,2 (each 1.." + std::to_string(max_measure_threads) + ")")
      ->delimiter(',');
  cmd->add_option("--repeats", o->repeats,
                  "Minimum timed runs per kernel, 1.." + std::to_string(max_measure_runs) + " (after 2 warm-up runs)")
      ->capture_default_str();
  cmd->add_option("--min-time", o->min_time,
                  "Minimum timed seconds per kernel, 0.." + std::to_string(static_cast<int>(max_measure_min_time_s)))
      ->capture_default_str();
  add_format_option(*cmd, o->format);
  cmd->callback([o] { print(std::cout, measure_table(*o), parse_format(o->format)); });
}

}  // namespace qutibench::cli
