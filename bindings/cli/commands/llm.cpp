// `qutibench llm`: a decoder LLM request (prefill of a prompt, decode of output tokens) on
// one platform mode: time to first token, time per output token, throughputs, latency,
// memory against capacity (predict/llm.hpp, docs/llm.md); with lists of batches, prompts
// or device counts, a row per combination (predict/llm_sweep.hpp).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../commands.hpp"
#include "../data.hpp"
#include "../fields.hpp"
#include "qutibench/io/llm_config.hpp"
#include "qutibench/io/llm_measurements.hpp"
#include "qutibench/predict/llm.hpp"
#include "qutibench/predict/llm_sweep.hpp"
#include "qutibench/validation/few_shot.hpp"
#include "qutibench/validation/llm_calibration.hpp"

namespace qutibench::cli {

namespace {

struct llm_options {
  std::string topology, platform, weights = "f16", kv = "f16", activations = "fp16", model = "realistic", format = "table";
  std::optional<std::string> calibrate;  // a file, even an empty name (an error there, as from Python)
  // Signed and unchecked here: the library checks each, as it does Python's, and shows a
  // negative count as given.
  std::vector<std::int64_t> batch{1}, prompt{512}, tp{1};
  std::int64_t output = 128, pp = 1, ep = 1, micro_batches = 1;
  bool unfused = false, per_layer = false;
  std::vector<std::int64_t> few_shot;  // --few-shot: score the --calibrate file instead of predicting
  bool topology_given = false;         // required unless --few-shot; an empty one is the decoder's error
};

std::vector<double> reals(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }


/// Lists: one row per (batch, prompt, tp), batch-major, the sweep's figures.
void run_sweep(const llm_options& o, const llm::decoder& d, const llm::tensor_formats& f, const platform& pf, const operating_mode& mode) {
  if (o.per_layer) throw spec_error(error_id::invalid_value, "--per-layer", "shows one request's operations; give single --batch, --prompt and --tp");
  const llm::sweep_axes axes{.batches = reals(o.batch), .contexts = reals(o.prompt), .devices = reals(o.tp),
                             .output = static_cast<double>(o.output), .fused_attention = !o.unfused};
  std::optional<llm::calibration> fit;
  if (o.calibrate) fit = llm::load_calibration(*o.calibrate, pf, mode, data_dir());
  const llm::request_sweep r = fit ? llm::calibrated_sweep(d, f, axes, pf, mode, *fit) : llm::sweep(d, f, axes, pf, mode, parse_prediction_model(o.model));
  table t;
  t.columns = {"batch", "prompt", "tp", "model", "status", "ttft_s", "tpot_s", "decode_tokens_per_s", "throughput_tokens_per_s", "latency_s",
               "memory_bytes", "energy_per_token_j", "reason"};
  // Calibrated: every row carries the file and the factors, as a single request's output does.
  std::vector<cell> calibration_cells;
  if (fit) {
    const std::vector<std::string> columns = calibration_columns(*fit);
    t.columns.insert(t.columns.end(), columns.begin(), columns.end());
    calibration_cells = named_cells{}.add(*fit).set("calibration", *o.calibrate).row(columns);
  }
  const auto known = [](double v) { return std::isfinite(v) ? cell{v} : cell{}; };
  const cell model{fit ? std::string("calibrated") : o.model};
  for (std::size_t b = 0; b < r.batches; ++b)
    for (std::size_t c = 0; c < r.contexts; ++c)
      for (std::size_t n = 0; n < r.devices; ++n) {
        const std::size_t i = r.index(b, c, n);
        t.rows.push_back({cell{o.batch[b]}, cell{o.prompt[c]}, cell{o.tp[n]}, model, cell{std::string(llm::status_name(r.status[i]))},
                          known(r.ttft_s[i]), known(r.tpot_s[i]), known(r.decode_tokens_per_s[i]), known(r.throughput_tokens_per_s[i]),
                          known(r.latency_s[i]), known(r.memory_bytes[i]), known(r.energy_per_token_j[i]), cell{r.reason(i)}});
        t.rows.back().insert(t.rows.back().end(), calibration_cells.begin(), calibration_cells.end());
      }
  const format fmt = parse_format(o.format);
  if (fmt == format::json)
    std::cout << to_json(t).dump(2) << '\n';
  else
    print(std::cout, t, fmt);
}

/// How well the calibration file predicts its own device (Python's llm_few_shot): per
/// phase and k, factors fitted on every k of its networks, the error on its other rows.
void run_few_shot(const llm_options& o) {
  const auto [pf, mode_name] = find_platform(o.platform);
  const std::vector<std::size_t> ks = parse_few_shot_networks(o.few_shot);
  const std::vector<validation_point> points = llm::load_calibration_points(*o.calibrate, pf, pf.mode(mode_name), data_dir());
  table t;
  t.columns = {"phase", "k", "networks", "trials", "predictions", "median_abs_log10_error", "plain_median_abs_log10_error"};
  for (const few_shot_result& r : few_shot_calibration(points, points, ks)) t.rows.push_back(cells_of(r).set("phase", r.platform).row(t.columns));
  if (t.rows.empty())  // an empty table would look like a silent success
    std::cerr << "qutibench: note: " << *o.calibrate << ": no phase has more networks than any k given, so none is left to predict\n";
  const format fmt = parse_format(o.format);
  if (fmt == format::json) {
    nlohmann::ordered_json out;
    out["platform"] = pf.id;
    const std::string& mode = pf.mode(mode_name).name;
    out["mode"] = mode.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(mode);  // as a request's mode
    out["calibration"] = *o.calibrate;
    out["few_shot"] = to_json(t);
    std::cout << out.dump(2) << '\n';
    return;
  }
  print(std::cout, t, fmt);
}

void run_llm(const llm_options& o) {
  if (!o.few_shot.empty()) return run_few_shot(o);
  if (!o.topology_given) throw CLI::RequiredError("--topology");
  const llm::decoder d = find_decoder(o.topology, data_dir());
  const auto [pf, mode_name] = find_platform(o.platform);
  const operating_mode& mode = pf.mode(mode_name);
  const llm::tensor_formats f{llm::find_format(o.weights), datatype::parse(o.activations), llm::find_format(o.kv)};
  const prediction_model model = o.calibrate ? calibrated_model(o.model, o.per_layer) : parse_prediction_model(o.model);
  if (o.batch.size() != 1 || o.prompt.size() != 1 || o.tp.size() != 1) {
    if (o.pp != 1 || o.ep != 1 || o.micro_batches != 1)
      throw spec_error(error_id::invalid_value, "--pp/--ep/--micro-batches", "take one request; sweeps vary --batch, --prompt and --tp");
    return run_sweep(o, d, f, pf, mode);
  }
  std::optional<llm::calibration> fit;
  if (o.calibrate) fit = llm::load_calibration(*o.calibrate, pf, mode, data_dir());
  const llm::request r{.batch = static_cast<double>(o.batch[0]), .prompt = static_cast<double>(o.prompt[0]),
                       .output = static_cast<double>(o.output), .fused_attention = !o.unfused, .tp = static_cast<double>(o.tp[0]),
                       .pp = static_cast<double>(o.pp), .ep = static_cast<double>(o.ep), .micro_batches = static_cast<double>(o.micro_batches)};
  const llm::request_prediction predicted = llm::predict(d, f, r, pf, mode, model);
  const llm::request_prediction p = fit ? llm::calibrated(predicted, r, *fit) : predicted;

  table summary;
  summary.columns = {"topology", "platform", "mode", "weights", "kv", "activations", "batch", "prompt", "output", "tp", "pp", "ep",
                     "micro_batches", "model", "status",
                     "ttft_s", "tpot_s", "prefill_tokens_per_s", "decode_tokens_per_s", "throughput_tokens_per_s", "latency_s",
                     "prefill_dispatches", "decode_dispatches", "memory_bytes", "weight_bytes", "kv_cache_bytes", "capacity_bytes",
                     "shortfall_bytes", "energy_per_token_j",
                     "reason"};
  named_cells cells = cells_of(p);
  if (fit) {
    // After the model: the file, the factors and how many rows fitted each phase.
    const std::vector<std::string> columns = calibration_columns(*fit);
    summary.columns.insert(std::find(summary.columns.begin(), summary.columns.end(), "model") + 1, columns.begin(), columns.end());
    cells.add(*fit).set("calibration", *o.calibrate);
  }
  cells.set("topology", o.topology)
      .set("platform", pf.id)
      .set("mode", mode.name.empty() ? cell{} : cell{mode.name})
      .set("weights", o.weights)
      .set("kv", o.kv)
      .set("activations", f.activations.name())
      .set("batch", o.batch[0])
      .set("prompt", o.prompt[0])
      .set("output", o.output)
      .set("tp", o.tp[0])
      .set("pp", o.pp)
      .set("ep", o.ep)
      .set("micro_batches", o.micro_batches)
      .set("model", fit ? std::string("calibrated") : o.model);
  summary.rows.push_back(cells.row(summary.columns));
  table phases;
  phases.columns = {"phase", "operation", "ops", "traffic_bytes", "compute_time_s", "memory_time_s", "link_time_s", "time_s", "bound"};
  for (const auto& [name, phase] : {std::pair{"prefill", &p.prefill}, std::pair{"decode", &p.decode}})
    for (const llm::operation_time& t : phase->operations) phases.rows.push_back(cells_of(t).set("phase", std::string(name)).row(phases.columns));
  const format fmt = parse_format(o.format);
  if (fmt == format::json) {
    nlohmann::ordered_json out = to_json(summary).front();
    if (o.per_layer) out["operations"] = to_json(phases);
    std::cout << out.dump(2) << '\n';
    return;
  }
  if (o.per_layer) print(std::cout, phases, fmt);
  // A CSV is one table: with --per-layer the operations, the request's figures being what
  // the command prints without it; a request with none says why on stderr.
  if (!o.per_layer || fmt != format::csv)
    print(std::cout, summary, fmt);
  else if (p.status != llm::request_status::ok)
    std::cerr << "qutibench: note: the request is " << llm::status_name(p.status) << " (" << p.reason << "), so it has no operations\n";
}

}  // namespace

void add_llm_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("llm", "Predict a decoder LLM request on a platform mode: time to first token (prefill of the "
                                        "prompt), time per output token (decode at the mean context), tokens/s, latency, memory "
                                        "against capacity and energy per token");
  auto o = fresh_options<llm_options>(cmd);
  // Required unless --few-shot scores a calibration file (checked in run_llm).
  auto* topology = cmd->add_option("--topology", o->topology, "LLM zoo id (data/llm: llama-2-7b, llama-3-8b, mixtral-8x7b, gpt2, ...) "
                                                              "or a Hugging Face config.json (required unless --few-shot)");
  cmd->add_option("--platform", o->platform, "Platform id, or a spec file, with an optional :MODE")->required();
  cmd->add_option("--weights", o->weights, "Weight format: f16, bf16, fp8, int8 (weight-only), q8_0, q4_0, q4_k_m, int4-g128, "
                                           "int4-g32, nvfp4, mxfp4")->capture_default_str();
  cmd->add_option("--kv", o->kv, "KV-cache format (as --weights)")->capture_default_str();
  cmd->add_option("--activations", o->activations, "Datatype of activations; weight-only formats multiply in it")->capture_default_str();
  cmd->add_option("--batch", o->batch, "Sequences per batch, 1 to 1e9; a list (1,8,64) sweeps, a row each")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--prompt", o->prompt, "Prompt tokens per sequence, 1 to 1e9 (prompt + output - 1 past a learned position table, "
                                              "as GPT-2's 1024, is unsupported); a list sweeps")->delimiter(',')->capture_default_str();
  cmd->add_option("--output", o->output, "Output tokens per sequence, 1 to 1e9")->capture_default_str();
  cmd->add_option("--tp", o->tp, "Devices in tensor parallelism, 1 to 1024, dividing the attention heads, and the key/value heads or a multiple of them (the spec's "
                                 "interconnect carries the all-reduces; memory is per device); a list sweeps, a count that "
                                 "does not split the heads evenly is unsupported there")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--pp", o->pp, "Pipeline stages, 1 to 1024, at most the model's blocks (each device holds 1/pp of the "
                                 "blocks; activations cross the interconnect between stages)")->capture_default_str();
  cmd->add_option("--micro-batches", o->micro_batches, "Micro-batches the batch splits into for the pipeline (dividing --batch)")
      ->capture_default_str();
  cmd->add_option("--ep", o->ep, "Devices in expert parallelism for a mixture of experts, dividing its experts (the other "
                                 "operations run data-parallel; two all-to-alls per block)")->capture_default_str();
  cmd->add_option("--model", o->model, "plain (roofline per operation) or realistic (the design's engine fill and fixed costs)")
      ->capture_default_str();
  auto* calibrate = cmd->add_option("--calibrate", o->calibrate,
                  "CSV of requests measured on this platform mode (columns topology, weights, metric = decode_tokens_per_s or "
                  "prefill_tokens_per_s, value; optional kv, activations, batch, prompt, output, tp, pp, ep, micro_batches, source, "
                  "notes): fits each "
                  "phase's efficiency and time per dispatch on the realistic model and predicts with them, every point of a "
                  "sweep too (docs/llm.md)");
  cmd->add_flag("--unfused-attention", o->unfused, "Attention writes its scores off chip and reads them back (no FlashAttention)");
  cmd->add_flag("--per-layer", o->per_layer, "Also print each phase's operations (one request only; with --format csv the operations alone, one table)");
  auto* few_shot = cmd->add_option("--few-shot", o->few_shot,
                                   "Network counts k (1.." + std::to_string(max_few_shot_networks) +
                                       ", e.g. 1,2,3): instead of a prediction, how well the --calibrate file predicts itself: per "
                                       "phase, factors fitted on every k of its networks (a model in a weight format), the error "
                                       "on its other rows (docs/llm.md)")
                       ->delimiter(',')
                       ->needs(calibrate);
  // The request's options have nothing to say to --few-shot: the file's rows are the requests.
  for (const char* name : {"--weights", "--kv", "--activations", "--batch", "--prompt", "--output", "--tp", "--pp", "--micro-batches", "--ep",
                           "--model", "--unfused-attention", "--per-layer"})
    few_shot->excludes(cmd->get_option(name));
  few_shot->excludes(topology);
  add_format_option(*cmd, o->format);
  cmd->callback([o, topology] {
    o->topology_given = topology->count() > 0;
    run_llm(*o);
  });
}

}  // namespace qutibench::cli
