// LLM rows measured on a device: read from CSV, fitted per phase (few-shot factors on the
// realistic model), applied to a request. Device: H100 SXM (data/platforms/h100-sxm.json).
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include "qutibench/io/catalogue.hpp"
#include "qutibench/io/llm_measurements.hpp"
#include "qutibench/validation/llm_calibration.hpp"

using namespace qutibench;
using namespace qutibench::llm;

namespace {

const std::filesystem::path data_dir = QUTIBENCH_DATA_DIR;

std::vector<measured_request> rows(const std::string& text) { return parse_measured_requests(text, "mine.csv", data_dir); }

std::string error_of(const std::string& text) {
  try {
    (void)rows(text);
  } catch (const spec_error& e) {
    return e.what();
  }
  return "";
}

/// The realistic decode step of `weights` at batch 1, prompt 1, output 128 on the H100.
request_prediction decode_of(const platform& pf, const std::string& topology, const std::string& weights) {
  return predict(find_decoder(topology, data_dir), {find_format(weights), datatypes::fp16, find_format("f16")},
                 {.batch = 1, .prompt = 1, .output = 128}, pf, pf.mode(), prediction_model::realistic);
}

}  // namespace

TEST_CASE("LLM rows: columns in any order, the llm command's defaults for the optional ones", "[llm][calibration]") {
  const std::vector<measured_request> m = rows("value,metric,weights,topology,notes\n"
                                          "61.5,decode_tokens_per_s,q4_0,llama-2-7b,\"tg128, my box\"\n"
                                          "900,prefill_tokens_per_s,f16,llama-2-7b,\n");
  REQUIRE(m.size() == 2);
  CHECK(m[0].where == "mine.csv:2");
  CHECK(m[0].phase == measured_phase::decode);
  CHECK(m[0].tokens_per_s == 61.5);
  CHECK(m[0].weights == "q4_0");
  CHECK(m[0].kv == "f16");
  CHECK(m[0].activations == "fp16");
  CHECK(m[0].req.batch == 1);
  CHECK(m[0].req.prompt == 512);
  CHECK(m[0].req.output == 128);
  CHECK(m[0].model.layers == 32);
  CHECK(m[1].phase == measured_phase::prefill);
  CHECK(m[1].req.pp == 1);
  // Several devices, as the command's options.
  const std::vector<measured_request> split = rows("topology,weights,metric,value,tp,pp,micro_batches,batch\n"
                                                   "llama-2-7b,f16,decode_tokens_per_s,9,2,2,2,4\n");
  CHECK((split[0].req.tp == 2 && split[0].req.pp == 2 && split[0].req.micro_batches == 2));
  CHECK((split[0].req.ep == 1 && split[0].req.batch == 4));
}

TEST_CASE("LLM rows: every problem names the file, line and column", "[llm][calibration][errors]") {
  const std::string head = "topology,weights,metric,value\n";
  CHECK_THAT(error_of(""), Catch::Contains("[qutibench.spec_error.401] mine.csv: no header"));
  CHECK_THAT(error_of(head), Catch::Contains("mine.csv: has a header but no rows"));
  CHECK_THAT(error_of("topology,weights,metric\nllama-2-7b,f16,decode_tokens_per_s\n"),
             Catch::Contains("mine.csv:1: the header lacks the column 'value'"));
  CHECK_THAT(error_of("topology,weights,metric,value,promt\n"), Catch::Contains("mine.csv:1 column 'promt': not a column"));
  CHECK_THAT(error_of("topology,weights,metric,value,batch,batch\n"), Catch::Contains("mine.csv:1 column 'batch': given twice"));
  CHECK_THAT(error_of(head + "llama-2-7b,f16,decode_tokens_per_s\n"), Catch::Contains("mine.csv:2: has 3 fields, the header 4"));
  CHECK_THAT(error_of(head + "llama-2-7b,f16,tokens_per_s,5\n"),
             Catch::Contains("mine.csv:2 column 'metric': must be decode_tokens_per_s or prefill_tokens_per_s, got 'tokens_per_s'"));
  for (const char* value : {"0", "-3", "fast", "inf", "nan", "5 ", "", "1e13", "1e-10"})
    CHECK_THAT(error_of(head + "llama-2-7b,f16,decode_tokens_per_s," + value + "\n"),
               Catch::Contains("[qutibench.spec_error.401] mine.csv:2 column 'value': must be from 1e-9 to 1e12 tokens/s"));
  for (const char* batch : {"0", "1.5", "2e9", ""})
    CHECK_THAT(error_of("topology,weights,metric,value,batch\nllama-2-7b,f16,decode_tokens_per_s,5," + std::string(batch) + "\n"),
               Catch::Contains("mine.csv:2 column 'batch': must be a whole number from 1 to 1e9"));
  // The llm command's own errors, at the row.
  CHECK_THAT(error_of(head + "llama-2-7b,q3_k,decode_tokens_per_s,5\n"),
             Catch::Contains("[qutibench.spec_error.101] mine.csv:2 column 'weights' format 'q3_k': not a storage format"));
  CHECK_THAT(error_of("topology,weights,metric,value,kv\nllama-2-7b,f16,decode_tokens_per_s,5,\n"),
             Catch::Contains("mine.csv:2 column 'kv' format ''"));
  CHECK_THAT(error_of(head + "llama-9b,f16,decode_tokens_per_s,5\n"),
             Catch::Contains("[qutibench.spec_error.301] mine.csv:2 column 'topology' LLM 'llama-9b'"));
  CHECK_THAT(error_of("topology,weights,metric,value,activations\nllama-2-7b,f16,decode_tokens_per_s,5,fp12x\n"),
             Catch::Contains("[qutibench.spec_error.101] mine.csv:2 column 'activations'"));
}

TEST_CASE("LLM calibration: a device's factors come back from its rows and predict its other requests", "[llm][calibration]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const platform& pf = h100.spec;
  // A device 2x slower than the realistic model in decode with 15 us per dispatch, and 3x
  // slower in prefill: rows of two weight formats in decode, one row in prefill.
  const double q4 = decode_of(pf, "llama-2-7b", "q4_0").tpot_s, f16 = decode_of(pf, "llama-2-7b", "f16").tpot_s;
  const auto decode_rate = [](double tpot) { return 1 / (2 * tpot + 15e-6 * 259); };
  const request_prediction pre = predict(find_decoder("llama-2-7b", data_dir), {find_format("f16"), datatypes::fp16, find_format("f16")},
                                         {.batch = 2, .prompt = 256, .output = 1}, pf, pf.mode(), prediction_model::realistic);
  // A third row at batch 8 on two pipeline stages: a step makes 8 tokens over 259 dispatches
  // (one micro-batch passes both stages), so per sequence 1 / (2 x tpot + 15 us x 259).
  const request_prediction piped = predict(find_decoder("llama-2-7b", data_dir), {find_format("q8_0"), datatypes::fp16, find_format("f16")},
                                           {.batch = 8, .prompt = 1, .output = 128, .pp = 2}, pf, pf.mode(), prediction_model::realistic);
  const std::string text = "topology,weights,metric,value,batch,prompt,output,pp\n"
                           "llama-2-7b,q4_0,decode_tokens_per_s," + std::to_string(decode_rate(q4)) + ",1,1,128,1\n"
                           "llama-2-7b,f16,decode_tokens_per_s," + std::to_string(decode_rate(f16)) + ",1,1,128,1\n"
                           "llama-2-7b,q8_0,decode_tokens_per_s," + std::to_string(decode_rate(piped.tpot_s)) + ",8,1,128,2\n"
                           "llama-2-7b,f16,prefill_tokens_per_s," + std::to_string(pre.prefill_tokens_per_s / 3) + ",2,256,1,1\n";
  const calibration c = fit_calibration(rows(text), pf, pf.mode());
  CHECK(c.decode_rows == 3);
  CHECK(c.prefill_rows == 1);
  CHECK(c.decode.efficiency == Approx(2).epsilon(1e-5));
  CHECK(c.decode.dispatch_s == Approx(15e-6).epsilon(1e-4));
  CHECK(c.prefill.efficiency == Approx(3).epsilon(1e-5));  // one network: the efficiency alone
  CHECK(c.prefill.dispatch_s == 0);
  // Another request on the device: each step scaled, the rates, latency and energy follow.
  const request r{.batch = 1, .prompt = 128, .output = 64};
  const request_prediction p = predict(find_decoder("llama-2-7b", data_dir), {find_format("q8_0"), datatypes::fp16, find_format("f16")}, r,
                                       pf, pf.mode(), prediction_model::realistic);
  const request_prediction q = calibrated(p, r, c);
  CHECK(q.tpot_s == Approx(c.decode.efficiency * p.tpot_s + c.decode.dispatch_s * 259));
  CHECK(q.ttft_s == Approx(c.prefill.efficiency * p.ttft_s));
  CHECK(q.decode_tokens_per_s == Approx(1 / q.tpot_s));
  CHECK(q.latency_s == Approx(q.ttft_s + 63 * q.tpot_s));
  REQUIRE(q.energy_per_token_j.has_value());
  CHECK(*q.energy_per_token_j == Approx(700 * q.latency_s / 64));  // the H100's 700 W over the calibrated latency
  // No rows for a phase: it stays realistic.
  const calibration decode_only = fit_calibration(rows(text.substr(0, text.rfind("llama-2-7b,f16,prefill"))), pf, pf.mode());
  CHECK(decode_only.prefill_rows == 0);
  CHECK(calibrated(p, r, decode_only).ttft_s == Approx(p.ttft_s));
}

TEST_CASE("LLM calibration: rows the model cannot predict, and requests it cannot serve", "[llm][calibration][errors]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  // Llama-2-70B in FP16 (138 GB) does not fit on one 80 GB H100.
  try {
    (void)fit_calibration(rows("topology,weights,metric,value\nllama-2-70b,f16,decode_tokens_per_s,5\n"), h100.spec, h100.spec.mode());
    FAIL("no error");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::invalid_value);
    CHECK_THAT(std::string(e.what()), Catch::Contains("mine.csv:2: cannot calibrate on a request whose status is does-not-fit on h100-sxm"));
  }
  // A split the request's own checks refuse (3 does not divide Llama-2-7B's 32 heads), at the row.
  CHECK_THROWS_WITH(fit_calibration(rows("topology,weights,metric,value,tp\nllama-2-7b,f16,decode_tokens_per_s,5,3\n"), h100.spec,
                                    h100.spec.mode()),
                    Catch::StartsWith("[qutibench.spec_error.503] mine.csv:2 LLM request"));
}

TEST_CASE("LLM calibration: a calibrated sweep's points are calibrated requests", "[llm][calibration]") {
  const platform_ref h100 = find_platform("h100-sxm", data_dir);
  const platform& pf = h100.spec;
  // Decode 2x slower than realistic with 15 us per dispatch, prefill 3x (one network):
  // every step of every point of the sweep scaled as a single request's is.
  const double q4 = decode_of(pf, "llama-2-7b", "q4_0").tpot_s, f16 = decode_of(pf, "llama-2-7b", "f16").tpot_s;
  const request_prediction pre = predict(find_decoder("llama-2-7b", data_dir), {find_format("f16"), datatypes::fp16, find_format("f16")},
                                         {.batch = 1, .prompt = 512, .output = 1}, pf, pf.mode(), prediction_model::realistic);
  const std::string text = "topology,weights,metric,value,batch,prompt,output\n"
                           "llama-2-7b,q4_0,decode_tokens_per_s," + std::to_string(1 / (2 * q4 + 15e-6 * 259)) + ",1,1,128\n"
                           "llama-2-7b,f16,decode_tokens_per_s," + std::to_string(1 / (2 * f16 + 15e-6 * 259)) + ",1,1,128\n"
                           "llama-2-7b,f16,prefill_tokens_per_s," + std::to_string(pre.prefill_tokens_per_s / 3) + ",1,512,1\n";
  const calibration c = fit_calibration(rows(text), pf, pf.mode());
  const decoder d = find_decoder("llama-2-7b", data_dir);
  const tensor_formats f{find_format("q8_0"), datatypes::fp16, find_format("f16")};
  const sweep_axes axes{.batches = {1, 16}, .contexts = {128, 4096}, .devices = {1, 2, 3}, .output = 64};
  const request_sweep s = calibrated_sweep(d, f, axes, pf, pf.mode(), c);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t k = 0; k < 2; ++k)
      for (std::size_t n = 0; n < 3; ++n) {
        const request r{.batch = axes.batches[b], .prompt = axes.contexts[k], .output = 64, .tp = axes.devices[n]};
        const std::size_t i = s.index(b, k, n);
        if (n == 2) {  // three devices do not split 32 heads
          CHECK(s.status[i] == request_status::unsupported);
          continue;
        }
        const request_prediction realistic = predict(d, f, r, pf, pf.mode(), prediction_model::realistic);
        const request_prediction q = calibrated(realistic, r, c);
        REQUIRE(s.status[i] == request_status::ok);
        CHECK(s.tpot_s[i] == Approx(q.tpot_s));
        CHECK(s.ttft_s[i] == Approx(q.ttft_s));
        CHECK(s.latency_s[i] == Approx(q.latency_s));
        // The factors of the fit: decode at 2 x realistic plus its dispatches, prefill 3 x.
        CHECK(s.tpot_s[i] == Approx(2 * realistic.tpot_s + 15e-6 * realistic.decode.dispatches).epsilon(1e-4));
        CHECK(s.ttft_s[i] == Approx(3 * realistic.ttft_s).epsilon(1e-4));
      }
}
