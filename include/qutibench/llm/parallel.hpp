// A decoder LLM over several devices: tensor parallelism (Megatron-LM's split of heads and
// MLP columns), pipeline parallelism (blocks in stages, the batch in micro-batches) and
// expert parallelism (a mixture of experts' experts across devices, the other operations
// data-parallel); one device's share of a step's operations, and the collectives' costs
// with their standard formulas. Conventions in docs/llm.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "qutibench/error.hpp"
#include "qutibench/llm/decoder.hpp"
#include "qutibench/llm/phases.hpp"

namespace qutibench::llm {

/// Devices a model runs on: tp x pp x ep of them; `micro_batches` splits the batch for the
/// pipeline.
struct parallelism {
  double tp = 1, pp = 1, ep = 1, micro_batches = 1;
  double devices() const { return tp * pp * ep; }
};

// The collectives, each over `devices` devices on links of `bandwidth` bytes/s per
// direction and `latency` seconds per message (Thakur, Rabenseifner and Gropp, "Optimization
// of collective communication operations in MPICH", IJHPCA 19(1), 2005; Patarasuk and Yuan,
// J. Parallel Distrib. Comput. 69(2), 2009, for the ring all-reduce).

/// A ring all-reduce of `bytes` on each device: each sends and receives 2 (N - 1) / N of
/// the data in 2 (N - 1) messages; bandwidth-optimal, latency linear in N.
inline double ring_all_reduce_seconds(double bytes, double devices, double bandwidth, double latency) {
  if (devices <= 1) return 0;
  return 2 * (devices - 1) / devices * bytes / bandwidth + 2 * (devices - 1) * latency;
}

/// A tree all-reduce: a binomial-tree reduce then broadcast, each ceil(log2 N) rounds of the
/// whole message; fewer messages than the ring, more bytes.
inline double tree_all_reduce_seconds(double bytes, double devices, double bandwidth, double latency) {
  if (devices <= 1) return 0;
  return 2 * std::ceil(std::log2(devices)) * (latency + bytes / bandwidth);
}

/// An all-gather (ring) of `bytes` in all, 1/N from each device: N - 1 steps of bytes / N.
inline double all_gather_seconds(double bytes, double devices, double bandwidth, double latency) {
  if (devices <= 1) return 0;
  return (devices - 1) / devices * bytes / bandwidth + (devices - 1) * latency;
}

/// An all-to-all of `bytes` held by each device, 1/N of it for each peer (pairwise
/// exchange: N - 1 steps of bytes / N).
inline double all_to_all_seconds(double bytes, double devices, double bandwidth, double latency) {
  return all_gather_seconds(bytes, devices, bandwidth, latency);
}

/// Why `p` cannot split model `d` for a batch of `batch` sequences (empty when it can).
inline std::string parallelism_problem(const decoder& d, const parallelism& p, double batch) {
  for (const auto& [name, v] : {std::pair{"tp", p.tp}, std::pair{"pp", p.pp}, std::pair{"ep", p.ep}})
    if (!(v >= 1 && v <= 1024 && v == std::floor(v))) return std::string(name) + " must be a whole number from 1 to 1024, got " + shown_number(v);
  if (d.heads % static_cast<std::int64_t>(p.tp) != 0)
    return "tp " + shown_number(p.tp) + " does not divide the model's " + std::to_string(d.heads) + " attention heads";
  // Each device holds whole key/value heads, replicated where tp passes their count.
  if (const auto t = static_cast<std::int64_t>(p.tp); d.kv_heads % t != 0 && t % d.kv_heads != 0)
    return "tp " + shown_number(p.tp) + " and the model's " + std::to_string(d.kv_heads) + " key/value heads: one must divide the other";
  if (p.pp > static_cast<double>(d.layers))
    return "pp " + shown_number(p.pp) + " is more stages than the model's " + std::to_string(d.layers) + " blocks";
  if (p.ep > 1 && (d.experts <= 1 || d.experts % static_cast<std::int64_t>(p.ep) != 0))
    return "ep " + shown_number(p.ep) + " does not divide the model's experts (" + std::to_string(d.experts) + ")";
  if (!(p.micro_batches >= 1 && p.micro_batches == std::floor(p.micro_batches) && std::fmod(batch, p.micro_batches) == 0))
    return "micro_batches must be a whole number dividing the batch " + shown_number(batch) + ", got " + shown_number(p.micro_batches);
  return {};
}

/// Whether `o` is a mixture of experts' expert work (what expert parallelism splits).
inline bool expert_operation(const decoder& d, const operation& o) { return d.experts > 1 && o.mlp; }

/// One device's share of an operation. Tensor parallelism: the projections, attention and
/// LM head split (their MACs, weights and activations), the KV cache over min(tp,
/// kv_heads) devices (key/value heads are replicated beyond that), the lookups, norms and
/// rotary repeated on every device. Expert parallelism: each device holds experts / ep of
/// the experts and runs the tokens routed to them; the other operations run data-parallel,
/// each device on batch / ep of the sequences with the whole of their weights. Pipeline
/// stages are not an operation's share: the phase's time is (predict/llm.hpp).
inline operation shard(operation o, const decoder& d, const parallelism& p) {
  if (p.ep > 1) {
    const bool expert = expert_operation(d, o);
    o.macs /= p.ep, o.other_ops /= p.ep, o.activation_bytes /= p.ep, o.kv_read_bytes /= p.ep, o.kv_write_bytes /= p.ep;
    // Expert weights split; other weights are whole on every device, except the table
    // rows a lookup reads per token.
    if (expert || o.lookup) o.weight_bytes /= p.ep;
    if (!expert) o.rows /= p.ep;
  }
  if (p.tp <= 1 || o.share == tp_share::whole) return o;
  const double kv_split = std::min(p.tp, static_cast<double>(d.kv_heads));
  o.macs /= p.tp, o.other_ops /= p.tp, o.weight_bytes /= p.tp, o.activation_bytes /= p.tp;
  (o.share == tp_share::depth ? o.depth : o.columns) /= p.tp;
  o.kv_read_bytes /= kv_split, o.kv_write_bytes /= kv_split;
  return o;
}

}  // namespace qutibench::llm
