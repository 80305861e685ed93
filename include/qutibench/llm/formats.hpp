// How an LLM's weights and KV cache are stored: bits per element including the format's
// block or group scales, and the datatype its products run in. A weight-only format
// (W4A16, llama.cpp's quants) has no native datatype: it is dequantized and multiplied
// in the activations' datatype.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"

namespace qutibench::llm {

/// A weight matrix's role: formats that mix types (llama.cpp's _M quants) treat some differently.
enum class tensor_role { embedding, attn_q, attn_k, attn_v, attn_o, mlp_gate, mlp_up, mlp_down, router, lm_head };

struct storage_format {
  std::string_view id;
  double bits = 0;                 ///< per element, scales included
  std::optional<datatype> native;  ///< products in this datatype where the device has a peak for it
  double more_bits = 0;            ///< a K-quant mix: the bits of the tensors it keeps wider (0: none)
  std::string_view source;
};

/// The formats, by id. Bits from each format's layout (the cited definitions).
inline constexpr storage_format storage_formats[] = {
    {"f16", 16, datatypes::fp16, 0, "IEEE 754 binary16"},
    {"bf16", 16, datatypes::bf16, 0, "bfloat16 (8 exponent, 7 mantissa bits)"},
    {"fp8", 8, datatypes::fp8_e4m3, 0, "FP8 E4M3 with one scale per tensor (Micikevicius et al., 'FP8 Formats for Deep Learning', 2022)"},
    {"int8", 8, std::nullopt, 0, "INT8 with one scale per output channel, weight-only (W8A16)"},
    {"q8_0", 8.5, std::nullopt, 0, "llama.cpp ggml block_q8_0: an fp16 scale and 32 int8 values, 34 bytes per 32"},
    {"q4_0", 4.5, std::nullopt, 0, "llama.cpp ggml block_q4_0: an fp16 scale and 32 4-bit values, 18 bytes per 32"},
    {"q4_k_m", 4.5, std::nullopt, 6.5625,
     "llama.cpp Q4_K_M: Q4_K (144 bytes per 256-value super-block) with Q6_K (210 bytes per 256) for the LM head and for "
     "attn_v and ffn_down in the layers use_more_bits picks (src/llama-quant.cpp, llama_tensor_get_type)"},
    {"int4-g128", 4.15625, std::nullopt, 0,
     "AWQ (Lin et al., MLSys 2024) / GPTQ (Frantar et al., ICLR 2023) 4-bit weights with an fp16 scale and a 4-bit zero point per "
     "group of 128"},
    {"int4-g32", 4.625, std::nullopt, 0, "4-bit weights with an fp16 scale and a 4-bit zero point per group of 32"},
    {"nvfp4", 4.5, datatype::floating(2, 1), 0, "NVFP4: FP4 E2M1 values with an FP8 E4M3 scale per 16 (NVIDIA Blackwell)"},
    {"mxfp4", 4.25, datatype::floating(2, 1), 0, "MXFP4: FP4 E2M1 values with an E8M0 scale per 32 (OCP Microscaling Formats v1.0)"},
};

/// The format `id`; throws spec_error 101 listing the ids for an unknown one.
inline const storage_format& find_format(std::string_view id) {
  std::string valid;
  for (const storage_format& f : storage_formats) {
    if (f.id == id) return f;
    valid += (valid.empty() ? "" : ", ") + std::string(f.id);
  }
  throw spec_error(error_id::unknown_datatype, "format '" + one_line(id) + "'", "not a storage format; valid: " + valid);
}

/// llama.cpp's choice of the layers whose attn_v and ffn_down a K-quant mix keeps wider:
/// the first and last eighth, and every third layer between.
constexpr bool more_bits_layer(std::int64_t layer, std::int64_t layers) {
  return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}

/// Bits per element of a weight of `role` in block `layer` (0-based) of `layers`.
constexpr double weight_bits(const storage_format& f, tensor_role role, std::int64_t layer, std::int64_t layers) {
  if (f.more_bits == 0) return f.bits;
  if (role == tensor_role::lm_head) return f.more_bits;
  const bool mixed = role == tensor_role::attn_v || role == tensor_role::mlp_down;
  return mixed && more_bits_layer(layer, layers) ? f.more_bits : f.bits;
}

}  // namespace qutibench::llm
