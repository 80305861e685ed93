// Decoder LLMs from Hugging Face config.json files (the zoo's data/llm/*.json are such
// files), read with nlohmann_json. Opt-in: link qutibench::json. A config names its
// family (model_type); the fields each family reads, and what its architecture fixes
// regardless of the file (which projections carry biases), are in docs/llm.md. Keys a
// family does not read are ignored: real configs carry dozens of training settings.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "qutibench/error.hpp"
#include "qutibench/io/json_reader.hpp"
#include "qutibench/llm/decoder.hpp"

namespace qutibench {

namespace detail {

class llm_config_reader : public json_reader {
 public:
  using json_reader::json_reader;

  llm::decoder read(const json& j) {
    llm::decoder d;
    if (!j.is_object()) {
      fail(error_id::malformed_json, "", "a config.json must be a JSON object");
      return d;
    }
    d.family = text(j, "", "model_type", true);
    const std::string& f = d.family;
    const bool llama_like = f == "llama" || f == "mistral" || f == "mixtral" || f == "qwen2" || f == "phi3";
    if (!llama_like && f != "gpt2" && f != "gptj" && f != "gpt_neox" && f != "phi") {
      if (!f.empty())
        fail(error_id::invalid_value, "/model_type",
             "'" + f + "' is not a supported family: llama, mistral, mixtral, qwen2, phi3, gpt2, gptj, gpt_neox, phi");
      return d;
    }
    const bool gpt = f == "gpt2" || f == "gptj";  // GPT-2's key names (n_embd, n_layer, ...)
    d.hidden = count(j, gpt ? "n_embd" : "hidden_size");
    d.layers = count(j, gpt ? "n_layer" : "num_hidden_layers");
    d.heads = count(j, gpt ? "n_head" : "num_attention_heads");
    d.vocabulary = count(j, "vocab_size");
    d.max_positions = count(j, gpt ? "n_positions" : "max_position_embeddings");
    // GPT-2 and GPT-J default their MLP to 4 x hidden (n_inner null or absent).
    d.intermediate = gpt ? count(j, "n_inner", 4 * d.hidden) : count(j, "intermediate_size");
    d.kv_heads = gpt ? d.heads : count(j, "num_key_value_heads", d.heads);
    if (d.heads > 0 && d.kv_heads > 0 && d.heads % d.kv_heads != 0)
      fail(error_id::invalid_value, "/num_key_value_heads",
           std::to_string(d.kv_heads) + " does not divide the " + std::to_string(d.heads) + " query heads");
    const bool whole = d.heads > 0 && d.hidden % d.heads == 0;
    if (!whole && d.heads > 0 && (!j.contains("head_dim") || j["head_dim"].is_null()))
      fail(error_id::invalid_value, "/head_dim", "required: the " + std::to_string(d.heads) + " heads do not divide the hidden size " + std::to_string(d.hidden));
    d.head_dim = count(j, "head_dim", whole ? d.hidden / d.heads : std::optional<std::int64_t>(0));
    d.rotary_dim = d.head_dim;
    d.tied_embeddings = flag(j, "", "tie_word_embeddings", f == "gpt2");
    // Per family, from the Hugging Face transformers modeling code (modeling_<family>.py):
    // which norms, MLP, positions and biases the architecture has.
    if (llama_like) {
      // Llama's attention_bias and mlp_bias default to false; Mistral, Mixtral and Phi-3
      // have no biases; Qwen2 hard-codes biases on Q, K and V only.
      d.qkv_bias = d.out_bias = f == "llama" && flag(j, "", "attention_bias");
      d.mlp_bias = f == "llama" && flag(j, "", "mlp_bias");
      if (f == "qwen2") d.qkv_bias = true;
      if (f == "mixtral") {
        d.experts = count(j, "num_local_experts");
        d.experts_per_token = count(j, "num_experts_per_tok");
        if (d.experts_per_token > d.experts)
          fail(error_id::invalid_value, "/num_experts_per_tok", "more than the " + std::to_string(d.experts) + " experts");
      }
      return d;
    }
    d.norm = llm::norm_kind::layer;
    d.mlp = llm::mlp_kind::plain;
    d.mlp_bias = true;
    if (f == "gpt2") {
      d.position = llm::position_kind::learned;
      d.rotary_dim = 0;
      d.qkv_bias = d.out_bias = true;
    } else if (f == "gptj") {
      // One LayerNorm feeds both branches; bias-free attention; the LM head has a bias.
      d.norms_per_block = 1;
      d.parallel_block = true;
      d.lm_head_bias = true;
      d.rotary_dim = count(j, "rotary_dim", d.head_dim);
      if (d.rotary_dim > d.head_dim)
        fail(error_id::invalid_value, "/rotary_dim", std::to_string(d.rotary_dim) + " is more than the head's " + std::to_string(d.head_dim) + " dims");
    } else if (f == "gpt_neox") {
      d.parallel_block = flag(j, "", "use_parallel_residual", true);
      d.qkv_bias = d.out_bias = flag(j, "", "attention_bias", true);
      d.rotary_dim = rotary_share(j, "rotary_pct", 0.25, d.head_dim);
    } else {  // phi (Phi-1, Phi-2): one LayerNorm, biases everywhere, a biased LM head
      d.norms_per_block = 1;
      d.parallel_block = true;
      d.qkv_bias = d.out_bias = d.lm_head_bias = true;
      d.rotary_dim = rotary_share(j, "partial_rotary_factor", 0.5, d.head_dim);
    }
    return d;
  }

 private:
  /// A positive integer field up to 2^31 (null or absent: `fallback`, else 502).
  std::int64_t count(const json& j, const char* key, std::optional<std::int64_t> fallback = std::nullopt) {
    const std::string at = std::string("/") + key;
    if (!j.contains(key) || j[key].is_null()) {
      if (!fallback) fail(error_id::missing_field, at, "required");
      return fallback.value_or(0);
    }
    const json& v = j[key];
    const bool integral = v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    if (!integral || !(v.get<double>() >= 1 && v.get<double>() <= 2147483648.0)) {
      fail(error_id::invalid_value, at, "must be an integer from 1 to 2^31, got " + shown(v));
      return fallback.value_or(0);
    }
    return static_cast<std::int64_t>(v.get<double>());
  }

  /// The rotated dims per head from a fraction field (0, 1] (`fallback` when absent).
  std::int64_t rotary_share(const json& j, const char* key, double fallback, std::int64_t head_dim) {
    double share = fallback;
    if (j.contains(key) && !j[key].is_null())
      if (const auto v = number(j, "", key, false, true)) {
        share = *v;
        if (share > 1) fail(error_id::invalid_value, std::string("/") + key, "must be at most 1, got " + shown(j[key]));
      }
    return static_cast<std::int64_t>(std::floor(static_cast<double>(head_dim) * std::min(share, 1.0)));
  }
};

}  // namespace detail

/// Reads a config.json document into `out`; every problem, each naming `where` and the
/// field's JSON pointer (502 missing, 503 invalid, 501 not an object).
inline std::vector<spec_problem> read_decoder(const nlohmann::ordered_json& j, const std::string& where, llm::decoder& out) {
  detail::llm_config_reader r(where);
  out = r.read(j);
  if (r.problems.empty()) try {
      (void)llm::parameters(out);  // a count past 64 bits is this file's problem
    } catch (const spec_error& e) {
      r.problems.push_back({e.id(), where, "parameter counts exceed 64 bits"});
    }
  return r.problems;
}

inline llm::decoder load_decoder(const std::filesystem::path& file) { return load_spec<llm::decoder>(file, &read_decoder); }

/// The zoo's LLM ids: the config files under data_dir/llm, sorted.
inline std::vector<std::string> llm_ids(const std::filesystem::path& data_dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(data_dir / "llm", ec))
    if (e.path().extension() == ".json") ids.push_back(e.path().stem().string());
  std::sort(ids.begin(), ids.end());
  return ids;
}

/// A decoder from a config.json path (ending in .json) or a zoo id (data_dir/llm/ID.json);
/// throws spec_error 301 listing the ids for an unknown one.
inline llm::decoder find_decoder(std::string_view ref, const std::filesystem::path& data_dir) {
  if (ref.ends_with(".json")) return load_decoder(std::string(ref));
  const std::vector<std::string> ids = llm_ids(data_dir);
  if (std::find(ids.begin(), ids.end(), ref) == ids.end()) {
    std::string valid;
    for (const std::string& id : ids) valid += (valid.empty() ? "" : ", ") + id;
    throw spec_error(error_id::unknown_id, "LLM '" + one_line(ref) + "'", "not found; valid ids: " + valid);
  }
  return load_decoder(data_dir / "llm" / (std::string(ref) + ".json"));
}

}  // namespace qutibench
