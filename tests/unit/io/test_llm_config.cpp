// Decoder LLMs from config.json: every zoo id's parameter count against a hand count from
// its config and the published exact figure (docs/llm.md cites each), and the errors a
// bad config gets.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "qutibench/io/llm_config.hpp"
#include "qutibench/requirements.hpp"
#include "qutibench/zoo.hpp"

using namespace qutibench;
using Catch::Matchers::Contains;

namespace {

const std::filesystem::path data_dir = QUTIBENCH_DATA_DIR;

std::uint64_t total(const std::string& id) { return llm::parameters(find_decoder(id, data_dir)).total; }

/// Llama-style (RMSNorm, gated MLP, no biases, untied head): embeddings V x H twice,
/// per layer Q and O (H x H), K and V (H x kv_heads x 128 each), gate/up/down (3 H I),
/// two norms (2 H), and the final norm (H).
constexpr std::uint64_t llama(std::uint64_t v, std::uint64_t h, std::uint64_t layers, std::uint64_t i, std::uint64_t kv_width) {
  return 2 * v * h + layers * (2 * h * h + 2 * h * kv_width + 3 * h * i + 2 * h) + h;
}

}  // namespace

TEST_CASE("every LLM zoo id has its published parameter count", "[llm]") {
  // Hand counts from each config's fields, then the published exact count (docs/llm.md:
  // Hugging Face safetensors totals and keras-hub presets).
  CHECK(llama(32000, 4096, 32, 11008, 4096) == 6'738'415'616);
  CHECK(total("llama-2-7b") == 6'738'415'616);
  CHECK(llama(32000, 5120, 40, 13824, 5120) == 13'015'864'320);
  CHECK(total("llama-2-13b") == 13'015'864'320);
  CHECK(llama(32000, 8192, 80, 28672, 8 * 128) == 68'976'648'192);
  CHECK(total("llama-2-70b") == 68'976'648'192);
  CHECK(llama(128256, 4096, 32, 14336, 8 * 128) == 8'030'261'248);
  CHECK(total("llama-3-8b") == 8'030'261'248);
  CHECK(total("llama-3.1-8b") == 8'030'261'248);
  CHECK(llama(128256, 8192, 80, 28672, 8 * 128) == 70'553'706'496);
  CHECK(total("llama-3-70b") == 70'553'706'496);
  CHECK(total("llama-3.1-70b") == 70'553'706'496);
  CHECK(llama(128256, 16384, 126, 53248, 8 * 128) == 405'853'388'800);
  CHECK(total("llama-3.1-405b") == 405'853'388'800);
  CHECK(llama(32000, 4096, 32, 14336, 8 * 128) == 7'241'732'096);
  CHECK(total("mistral-7b") == 7'241'732'096);
  CHECK(llama(32064, 3072, 32, 8192, 3072) == 3'821'079'552);
  CHECK(total("phi-3-mini") == 3'821'079'552);
  // Qwen2 adds biases to Q (3584), K and V (512 each) in each of its 28 layers.
  CHECK(llama(152064, 3584, 28, 18944, 4 * 128) + 28 * (3584 + 2 * 512) == 7'615'616'512);
  CHECK(total("qwen2.5-7b") == 7'615'616'512);
  CHECK(total("qwen2.5-coder-7b") == 7'615'616'512);
}

TEST_CASE("Mixtral counts every expert in total and two per token as active", "[llm]") {
  // Per layer: attention 2 H^2 + 2 H (8 x 128), 8 experts of 3 H I, a router H x 8, two norms.
  constexpr std::uint64_t h = 4096, i = 14336, v = 32000;
  constexpr std::uint64_t attention = 2 * h * h + 2 * h * 1024, expert = 3 * h * i, router = h * 8;
  constexpr std::uint64_t rest = 2 * v * h + h + 32 * (attention + router + 2 * h);
  static_assert(rest + 32 * 8 * expert == 46'702'792'704);  // published
  const llm::parameter_counts p = llm::parameters(find_decoder("mixtral-8x7b", data_dir));
  CHECK(p.total == 46'702'792'704);
  CHECK(p.active == rest + 32 * 2 * expert);
  CHECK(p.active == 12'879'925'248);
}

TEST_CASE("GPT-2 small from its config has 124,439,808 parameters", "[llm]") {
  // Token table 50257 x 768 (shared with the LM head: counted once) and 1024 learned
  // positions; per layer two LayerNorms (2 x 2 x 768), QKV and output projections with
  // biases (4 x 768^2 + 4 x 768), the MLP 768 -> 3072 -> 768 with biases; a final LayerNorm.
  constexpr std::uint64_t h = 768;
  constexpr std::uint64_t layer = 4 * h + (4 * h * h + 4 * h) + (2 * h * 3072 + 3072 + h);
  static_assert(50257 * h + 1024 * h + 12 * layer + 2 * h == 124'439'808);
  const llm::parameter_counts p = llm::parameters(find_decoder("gpt2", data_dir));
  CHECK(p.total == 124'439'808);
  CHECK(p.lm_head == 0);
  CHECK(p.embedding == 50257 * h + 1024 * h);
  // The zoo's GPT-2 topologies agree once their LM head (an untied copy of the table,
  // streamed per step) is counted once.
  for (const char* id : {"gpt2-small-prefill", "gpt2-small-decode"}) {
    const auto t = requirements(zoo::get(id)).total;
    CHECK(t.weights.value() + t.biases.value() - 50257 * h == p.total);
  }
}

TEST_CASE("GPT-J and Phi-2 have one LayerNorm per block and a biased LM head", "[llm]") {
  // GPT-J: bias-free Q, K, V, O (4 H^2); fc_in/fc_out 4H wide with biases; head V x H + V.
  constexpr std::uint64_t h = 4096, v = 50400;
  constexpr std::uint64_t gptj = v * h + 28 * (2 * h + 4 * h * h + (8 * h * h + 4 * h + h)) + 2 * h + (v * h + v);
  static_assert(gptj == 6'050'882'784);  // PyTorch's count of the Hugging Face GPTJForCausalLM
  const llm::decoder j = find_decoder("gpt-j-6b", data_dir);
  CHECK(llm::parameters(j).total == gptj);
  CHECK(j.rotary_dim == 64);
  CHECK(j.head_dim == 256);
  // Phi-2: every projection biased, fc 2560 -> 10240 -> 2560, head with bias; 40% of the 80 dims rotate.
  constexpr std::uint64_t p = 2560, f = 10240, pv = 51200;
  constexpr std::uint64_t phi2 = pv * p + 32 * (2 * p + (4 * p * p + 4 * p) + (2 * p * f + f + p)) + 2 * p + (pv * p + pv);
  static_assert(phi2 == 2'779'683'840);  // published
  const llm::decoder phi = find_decoder("phi-2", data_dir);
  CHECK(llm::parameters(phi).total == phi2);
  CHECK(phi.rotary_dim == 32);
}

TEST_CASE("LLM configs that are not valid name the file and the field", "[llm]") {
  auto problem = [](const std::string& text) {
    llm::decoder d;
    const auto problems = read_decoder(parse_json(text, "c.json"), "c.json", d);
    REQUIRE_FALSE(problems.empty());
    return problems.front().to_error();
  };
  const std::string llama = R"("model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                               "num_attention_heads": 8, "vocab_size": 100, "max_position_embeddings": 32)";
  CHECK(llm::parameters([&] {
          llm::decoder d;
          REQUIRE(read_decoder(parse_json("{" + llama + "}", "c.json"), "c.json", d).empty());
          return d;
        }()).total == 2 * 100 * 64 + 2 * (4 * 64 * 64 + 3 * 64 * 128 + 2 * 64) + 64);
  auto e = problem(R"({"model_type": "bloom"})");
  CHECK(e.id() == error_id::invalid_value);
  CHECK_THAT(std::string(e.what()), Contains("c.json: /model_type") && Contains("'bloom' is not a supported family"));
  e = problem(R"({"model_type": "llama", "hidden_size": 64})");
  CHECK(e.id() == error_id::missing_field);
  CHECK_THAT(std::string(e.what()), Contains("c.json: /num_hidden_layers: required"));
  e = problem("{" + llama + R"(, "num_key_value_heads": 3})");
  CHECK_THAT(std::string(e.what()), Contains("/num_key_value_heads: 3 does not divide the 8 query heads"));
  e = problem(R"({"model_type": "llama", "hidden_size": 64.5, "intermediate_size": 128, "num_hidden_layers": 2,
                  "num_attention_heads": 8, "vocab_size": 100, "max_position_embeddings": 32})");
  CHECK_THAT(std::string(e.what()), Contains("/hidden_size: must be an integer from 1 to 2^31, got 64.5"));
  e = problem("{" + llama + R"(, "num_key_value_heads": 0})");
  CHECK(e.id() == error_id::invalid_value);
  e = problem(R"({"model_type": "llama", "hidden_size": 2147483648, "intermediate_size": 2147483648, "num_hidden_layers": 2147483648,
                  "num_attention_heads": 1, "vocab_size": 1, "max_position_embeddings": 1})");
  CHECK(e.id() == error_id::count_overflow);
  CHECK_THAT(std::string(e.what()), Contains("c.json: parameter counts exceed 64 bits"));
  try {
    find_decoder("llama-9", data_dir);
    FAIL("an unknown id was found");
  } catch (const spec_error& u) {
    CHECK(u.id() == error_id::unknown_id);
    CHECK_THAT(std::string(u.what()), Contains("LLM 'llama-9': not found; valid ids: gpt-j-6b, gpt2, llama-2-13b"));
  }
  CHECK_THROWS_AS(find_decoder("no/such/config.json", data_dir), spec_error);
}
