#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "qutibench/io/catalogue.hpp"

using namespace qutibench;
namespace dt = qutibench::datatypes;

namespace {
const std::string data_dir = QUTIBENCH_DATA_DIR;
const std::string fixtures = std::string(QUTIBENCH_TEST_DATA) + "/platforms_invalid/";

/// The rows of thesis Table 6.2 (tests/data/thesis/table6_2_platforms.csv) by name.
std::vector<std::vector<std::string>> table6_2() {
  std::ifstream in(std::string(QUTIBENCH_TEST_DATA) + "/thesis/table6_2_platforms.csv");
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) f.push_back(c);
    rows.push_back(f);
  }
  return rows;
}

double cell(const std::string& s) { return s.empty() ? -1 : std::stod(s); }
}  // namespace

TEST_CASE("platform json: every row of thesis Table 6.2 loads with its figures", "[platform][json]") {
  // Table 6.2's row names and the stable ids of DEVELOPERS.md (TX2 and the TPU as modes).
  const std::map<std::string, std::string> ids = {
      {"Ultra96-DPU", "ultra96-dpu"},     {"ZCU104-DPU", "zcu104-dpu"},   {"ZCU102-DPU", "zcu102-dpu"},
      {"ZCU104-FINN", "zcu104-finn"},     {"ZCU104-BISMO", "zcu104-bismo"}, {"TX2 - maxn", "tx2:maxn"},
      {"TX2 - maxp", "tx2:maxp"},         {"TX2 - maxq", "tx2:maxq"},     {"TPU-fast", "coral-tpu:fast"},
      {"TPU-slow", "coral-tpu:slow"},     {"NCS (MyriadX)", "ncs2"},      {"U96-Quadcore A53", "ultra96-a53"}};
  const auto rows = table6_2();
  REQUIRE(rows.size() == 12);
  const datatype columns[] = {dt::int2, dt::int4, dt::int8, dt::fp16, dt::fp32};
  for (const auto& row : rows) {
    INFO(row[0]);
    const platform_ref ref = find_platform(ids.at(row[0]), data_dir);
    const platform& p = ref.spec;
    const operating_mode& m = p.mode(ref.mode);
    CHECK(m.name == ref.mode);
    for (int c = 0; c < 5; ++c) {
      INFO(columns[c].name());
      const auto run = p.run(m, columns[c]);
      if (row[1 + c].empty()) {
        CHECK_FALSE(run);  // unsupported, never a peak of 0
      } else {
        REQUIRE(run);
        CHECK(run->peak.value() == Approx(cell(row[1 + c]) * 1e12).epsilon(1e-12));
      }
    }
    CHECK(m.bandwidth.value() == Approx(cell(row[6]) * 1e9).epsilon(1e-12));
    REQUIRE(p.memory_capacity);
    CHECK(p.memory_capacity->value() == Approx(cell(row[7]) * 1e9));
    if (row[8].empty()) CHECK_FALSE(m.power.budget());
    else CHECK(m.power.budget()->value() == Approx(cell(row[8])));
  }
}

TEST_CASE("platform json: the A53 runs INT2 and INT4 in its INT8 carrier, the DPU does not", "[platform][carrier]") {
  const platform a53 = load_platform(data_dir + "/platforms/ultra96-a53.json");
  const auto run = a53.run(a53.mode(), dt::int4);
  REQUIRE(run);
  CHECK(run->carrier == dt::int8);
  CHECK(run->peak.value() == Approx(0.192e12));  // Table 6.2: INT4 = INT8 = 0.192 TOP/s
  const platform dpu = load_platform(data_dir + "/platforms/zcu104-dpu.json");
  CHECK_FALSE(dpu.run(dpu.mode(), dt::int4));
  CHECK_FALSE(a53.run(a53.mode(), dt::fp16));  // an integer carrier never holds a float
}

TEST_CASE("platform json: DSP-derived INT8 peaks reproduce Table 6.2's DPU rows", "[platform][fpga]") {
  // 2 MACs (4 ops) per DSP at 666 MHz: 360 -> 0.959, 1728 -> 4.603, 2520 -> 6.713 TOP/s.
  const std::pair<const char*, double> rows[] = {{"ultra96-dpu", 0.96}, {"zcu104-dpu", 4.60}, {"zcu102-dpu", 6.71}};
  for (const auto& [id, tops] : rows) {
    const platform p = load_platform(data_dir + "/platforms/" + id + ".json");
    REQUIRE(p.fpga);
    CHECK(p.fpga->dsp_int8_peak().value() == Approx(tops * 1e12).epsilon(0.002));
    CHECK(p.on_chip == p.fpga->bram + p.fpga->uram);  // no on_chip_mb: BRAM + URAM
  }
  fpga_resources half;
  half.dsps = 1728;
  half.utilization = 0.5;
  CHECK(half.dsp_int8_peak().value() == Approx(1728 * 666e6 * 2 * 2 * 0.5));
  // LUT arithmetic: the XCZU7EV's 230,400 LUTs at 500 MHz with 8 LUTs per INT2 MAC.
  half.luts = 230400;
  CHECK(half.lut_peak(8).value() == Approx(230400 * 500e6 * 0.5 * 2 / 8));
}

TEST_CASE("platform json: every shipped spec passes check-platform", "[platform][check]") {
  std::size_t count = 0;
  for (const auto& e : std::filesystem::directory_iterator(data_dir + "/platforms")) {
    INFO(e.path().string());
    const auto problems = check_platform_file(e.path());
    for (const auto& p : problems) UNSCOPED_INFO(p.to_error().what());
    CHECK(problems.empty());
    ++count;
  }
  CHECK(count >= 9 + 8);  // the thesis's nine files and at least eight current devices
}

TEST_CASE("platform json: invalid files give ID'd errors naming file and pointer", "[platform][json][errors]") {
  struct expectation {
    const char* file;
    error_id id;
    const char* pointer;
  };
  const expectation cases[] = {
      {"missing_peak.json", error_id::missing_field, "/peak_tera_ops_per_s"},
      {"negative_bandwidth.json", error_id::invalid_value, "/memory/bandwidth_gb_per_s"},
      {"mode_without_peaks.json", error_id::missing_field, "/modes/slow/peak_tera_ops_per_s"},
      {"unknown_datatype.json", error_id::unknown_datatype, "/peak_tera_ops_per_s/int9000"},
      {"non_numeric.json", error_id::invalid_value, "/peak_tera_ops_per_s/int8"},
      {"unknown_field.json", error_id::unknown_field, "/memory/bandwith_gb_per_s"},
      {"not_json.json", error_id::malformed_json, ""},
      {"infinite_peak.json", error_id::malformed_json, "number overflow parsing '1e999'"},
      {"fractional_dsps.json", error_id::invalid_value, "/fpga/dsps"},
      {"subnormal_peak.json", error_id::invalid_value, "/peak_tera_ops_per_s/int8"},
      {"tiny_bandwidth.json", error_id::invalid_value, "/memory/bandwidth_gb_per_s"},
      // A fuzzer finding: 1.8e308 GB/s became an infinite bandwidth and failed the round trip.
      {"huge_bandwidth.json", error_id::invalid_value, "/memory/bandwidth_gb_per_s"},
      {"full_below_idle.json", error_id::inconsistent_spec, "/power/full_w"},
      // Datatype names read case-insensitively: which peak won depended on the key order.
      {"case_duplicate_datatype.json", error_id::duplicate_key, "/peak_tera_ops_per_s/INT8"},
  };
  for (const expectation& c : cases) {
    INFO(c.file);
    const std::string file = fixtures + c.file;
    try {
      (void)load_platform(file);
      FAIL("no error");
    } catch (const spec_error& e) {
      CHECK(e.id() == c.id);
      const std::string what = e.what();
      CHECK(what.find("[qutibench.spec_error." + std::to_string(static_cast<int>(c.id)) + "] " + file) == 0);
      CHECK(what.find(c.pointer) != std::string::npos);
    }
    CHECK_FALSE(check_platform_file(file).empty());
  }
  // A misspelt key is reported together with what its absence causes.
  const auto problems = check_platform_file(fixtures + "unknown_field.json");
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].id == error_id::unknown_field);
  CHECK(problems[1].id == error_id::missing_field);
}

TEST_CASE("platform json: whole resource counts, full power above idle, rates of at least one per second",
          "[platform][json][errors]") {
  auto error_of = [](const std::string& file) -> std::string {
    try {
      (void)load_platform(fixtures + file);
    } catch (const spec_error& e) {
      return e.what();
    }
    return "loaded";
  };
  CHECK_THAT(error_of("fractional_dsps.json"),
             Catch::Contains("[qutibench.spec_error.503] " + fixtures + "fractional_dsps.json: /fpga/dsps: must be a whole number, got 1728.5"));
  // zcu104-finn's idle 11.8 W with its 9.2 W base written as full.
  CHECK_THAT(error_of("full_below_idle.json"),
             Catch::Contains("[qutibench.spec_error.505] " + fixtures + "full_below_idle.json: /power/full_w: full power 9.2 W is below "
                             "idle power 11.8 W"));
  // 5e-324 TOP/s (a denormal) is 4.9e-312 ops/s: a ResNet50's 7.7e9 ops would take 1.6e321 s, which overflows.
  CHECK_THAT(error_of("subnormal_peak.json"),
             Catch::Contains("[qutibench.spec_error.503] " + fixtures + "subnormal_peak.json: /peak_tera_ops_per_s/int8: must be at "
                             "least 1e-12 (one per second), got 5e-324"));
  CHECK_THAT(error_of("tiny_bandwidth.json"),  // 1e-12 GB/s = 0.001 byte/s
             Catch::Contains("tiny_bandwidth.json: /memory/bandwidth_gb_per_s: must be at least 1e-09 (one per second), got 1e-12"));
  // A mode's own bandwidth and power are held to the same rules; 1728.0 is whole (JSON Schema's integer allows it).
  const auto mode_problems = [](const std::string& text) {
    platform p;
    return read_platform(parse_json(text, "inline.json"), "inline.json", p);
  };
  const auto problems = mode_problems(
      R"({"id": "m", "name": "m", "kind": "gpu", "source": "test", "memory": {"bandwidth_gb_per_s": 59.7},
          "fpga": {"luts": 230400.5, "dsps": 1728.0},
          "modes": {"fast": {"peak_tera_ops_per_s": {"fp16": 1.33}, "bandwidth_gb_per_s": 5e-324,
                             "power": {"idle_w": 4.7, "full_w": 4.6}}}})");
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].where == "inline.json: /fpga/luts");
  CHECK(problems[1].where == "inline.json: /modes/fast/bandwidth_gb_per_s");
  CHECK(problems[2].where == "inline.json: /modes/fast/power/full_w");
  CHECK(problems[2].id == error_id::inconsistent_spec);
  // The thesis's smallest figures stay well clear: Ultra96 A53 0.192 TOP/s, 4.26 GB/s.
  CHECK_NOTHROW(load_platform(data_dir + "/platforms/ultra96-a53.json"));
}

TEST_CASE("platform json: consistency checks name each problem", "[platform][check]") {
  const std::string file = std::string(QUTIBENCH_TEST_DATA) + "/platforms_inconsistent/rising_and_misordered.json";
  const auto problems = check_platform_file(file);
  auto has = [&](const std::string& pointer, const std::string& words) {
    for (const auto& p : problems)
      if (p.id == error_id::inconsistent_spec && p.where == file + ": " + pointer && p.what.find(words) != std::string::npos)
        return true;
    return false;
  };
  CHECK(has("/modes/slow/peak_tera_ops_per_s/fp32", "peak rises from fp16"));
  CHECK(has("/modes/fast/peak_tera_ops_per_s/fp16", "list modes fastest first"));
  CHECK(has("/modes/fast/peak_tera_ops_per_s/fp16", "ridge point"));  // 1.33e12 / 0.0597e9 = 22278 ops/byte
  CHECK_FALSE(has("/modes/slow/peak_tera_ops_per_s/fp16", "ridge point"));  // 0.5e12 / 0.0597e9 = 8375
  CHECK(problems.size() == 3);  // fp32: ridges 15075 and 11223 are sane; fast fp32 0.67 < slow 0.9
}

TEST_CASE("platform: modes and selections by id", "[platform]") {
  const std::vector<platform> all = load_platforms(data_dir + "/platforms");
  const std::vector<platform> thesis = select_platforms(all, "thesis");
  REQUIRE(thesis.size() == 9);
  CHECK(thesis.front().id == "ultra96-dpu");
  CHECK(thesis.back().id == "ultra96-a53");
  const platform tx2 = select_platforms(all, "tx2").front();
  CHECK(tx2.mode().name == "maxn");  // no mode: the first (fastest)
  CHECK_THROWS_WITH(tx2.mode("turbo"), Catch::Contains("modes: maxn, maxp, maxq"));
  CHECK_THROWS_AS(select_platforms(all, "tx3"), spec_error);
  CHECK(select_platforms(all, "ncs2,tx2").size() == 2);
}

TEST_CASE("platform: an alias names the platform wherever its id does", "[platform][alias]") {
  // The measurement CSV of shared/reference/public names the A100 SXM4 80GB by its own id.
  CHECK(find_platform("nvidia-a100-sxm4-80gb", data_dir).spec.id == "a100-sxm");
  CHECK(find_platform("apple-m2-10c-gpu", data_dir).spec.id == "apple-m2-gpu");
  const std::vector<platform> all = load_platforms(data_dir + "/platforms");
  const std::vector<platform> two = select_platforms(all, "nvidia-a100-sxm4-80gb,tx2");
  REQUIRE(two.size() == 2);
  CHECK(two.front().id == "a100-sxm");

  // Two files naming one platform: the second file and its alias are named.
  const std::string clash = std::string(QUTIBENCH_TEST_DATA) + "/platforms_alias_clash";
  try {
    (void)load_platforms(clash);
    FAIL("no error");
  } catch (const spec_error& e) {
    CHECK(e.id() == error_id::inconsistent_spec);
    CHECK_THAT(e.what(), Catch::Contains(clash + "/b.json: /aliases") && Catch::Contains("'first' names first already"));
  }

  // Within one file: an alias is an id (lower case), not the id again, not twice.
  auto problems_of = [](const char* aliases) {
    platform p;
    const auto j = nlohmann::ordered_json::parse(std::string(R"({"id": "x", "aliases": )") + aliases +
                                                 R"(, "name": "x", "kind": "gpu", "source": "test",
        "memory": {"bandwidth_gb_per_s": 100}, "peak_tera_ops_per_s": {"fp16": 10}})");
    return read_platform(j, "x.json", p);
  };
  auto only = [](const std::vector<spec_problem>& problems, error_id id, const std::string& where) {
    return problems.size() == 1 && problems[0].id == id && problems[0].where == where;
  };
  CHECK(problems_of(R"(["x-board"])").empty());
  CHECK(only(problems_of(R"(["A100"])"), error_id::invalid_value, "x.json: /aliases/0"));
  CHECK(only(problems_of(R"(["y", "x"])"), error_id::inconsistent_spec, "x.json: /aliases/1"));
  CHECK(only(problems_of(R"(["y", "y"])"), error_id::inconsistent_spec, "x.json: /aliases/1"));
  CHECK(only(problems_of(R"("y")"), error_id::invalid_value, "x.json: /aliases"));
}

TEST_CASE("platform json: specs of the LLM measurements' devices hold their vendors' figures", "[platform][json]") {
  const auto peak = [](const platform& p, const datatype& t) { return p.mode().native_peak(t).value().value(); };
  // NVIDIA Ada whitepaper v2.02, Appendix A, GeForce RTX 4090: INT8 660.6 dense TOPS, FP16
  // with FP32 accumulate 165.2 TFLOPS, 21 Gbps x 384 bits = 1008 GB/s, 24 GB; PCIe 4.0 x16
  // = 16 GT/s x 16 x 128/130 / 8 = 31.5 GB/s per direction.
  const platform rtx4090 = find_platform("nvidia-rtx-4090", data_dir).spec;
  CHECK(peak(rtx4090, dt::int8) == Approx(660.6e12));
  CHECK(peak(rtx4090, dt::fp16) == Approx(165.2e12));
  CHECK(rtx4090.mode().bandwidth.value() == Approx(21e9 * 384 / 8));
  CHECK(rtx4090.memory_capacity->value() == Approx(24e9));
  CHECK(rtx4090.link->bandwidth.value() == Approx(16e9 * 16 * 128 / 130 / 8).epsilon(1e-3));
  // NVIDIA H200 datasheet: 141 GB HBM3e at 4.8 TB/s, NVLink 900 GB/s (both directions).
  const platform h200 = find_platform("nvidia-h200", data_dir).spec;
  CHECK(h200.mode().bandwidth.value() == Approx(4.8e12));
  CHECK(h200.memory_capacity->value() == Approx(141e9));
  CHECK(h200.link->bandwidth.value() == Approx(900e9 / 2));
  // Apple Newsroom, 'Apple introduces M2 Ultra' (June 2023): 800 GB/s, up to 192 GB.
  const platform m2_ultra = find_platform("apple-m2-ultra-76c-gpu", data_dir).spec;
  CHECK(m2_ultra.mode().bandwidth.value() == Approx(800e9));
  CHECK(m2_ultra.memory_capacity->value() == Approx(192e9));
  // AMD Ryzen 9 7950X: DDR5-5200 on two 64-bit channels = 83.2 GB/s; 16 cores at the 4.5
  // GHz base clock x two 256-bit FMA pipes (8 FP32 lanes x 2 ops each) = 2.304 TFLOPS.
  const platform r7950x = find_platform("amd-ryzen-9-7950x", data_dir).spec;
  CHECK(r7950x.mode().bandwidth.value() == Approx(2 * 5200e6 * 8));
  CHECK(peak(r7950x, dt::fp32) == Approx(16 * 4.5e9 * 2 * 8 * 2));
}

TEST_CASE("platform json: every shipped spec survives a round trip through to_json", "[platform][json]") {
  for (const platform& p : load_platforms(data_dir + "/platforms")) {
    INFO(p.id);
    platform back;
    const auto problems = read_platform(to_json(p), p.id, back);
    REQUIRE(problems.empty());
    CHECK(back.id == p.id);
    CHECK(back.aliases == p.aliases);
    CHECK(back.kind == p.kind);
    CHECK(back.on_chip.value() == Approx(p.on_chip.value()));
    REQUIRE(back.modes.size() == p.modes.size());
    for (std::size_t m = 0; m < p.modes.size(); ++m) {
      CHECK(back.modes[m].name == p.modes[m].name);
      CHECK(back.modes[m].bandwidth.value() == Approx(p.modes[m].bandwidth.value()));
      REQUIRE(back.modes[m].peaks.size() == p.modes[m].peaks.size());
      for (std::size_t k = 0; k < p.modes[m].peaks.size(); ++k) {
        CHECK(back.modes[m].peaks[k].type == p.modes[m].peaks[k].type);
        CHECK(back.modes[m].peaks[k].value.value() == Approx(p.modes[m].peaks[k].value.value()));
      }
      CHECK(back.modes[m].power.budget().has_value() == p.modes[m].power.budget().has_value());
      REQUIRE(back.modes[m].design.has_value() == p.modes[m].design.has_value());
      if (!p.modes[m].design) continue;
      const deployed_design &a = *p.modes[m].design, &b = *back.modes[m].design;
      CHECK(b.units == a.units);
      CHECK(b.sharing == a.sharing);
      CHECK(b.array_peak().value_or(0) == Approx(a.array_peak().value_or(0)));
      CHECK(b.depthwise_share == a.depthwise_share);
      CHECK(b.runs == a.runs);
      CHECK(b.threads == a.threads);
      CHECK(b.clock_hz == a.clock_hz);
      REQUIRE(b.levels.size() == a.levels.size());
      for (std::size_t l = 0; l < a.levels.size(); ++l) {
        CHECK(b.levels[l].holds == a.levels[l].holds);
        CHECK(b.levels[l].capacity.has_value() == a.levels[l].capacity.has_value());
        CHECK(b.levels[l].bandwidth.value_or(bytes_per_s::from_value(0)).value() ==
              Approx(a.levels[l].bandwidth.value_or(bytes_per_s::from_value(0)).value()));
      }
    }
  }
}

TEST_CASE("platform json: deployed designs load per mode and name each problem", "[platform][json][design]") {
  const platform orin = load_platform(data_dir + "/platforms/jetson-agx-orin.json");
  // nvpmodel: MAXN runs all 8 TPCs (16 SMs), 30W 4 TPCs, 15W 3.
  CHECK(orin.mode("maxn").design->units == 16);
  CHECK(orin.mode("30w").design->units == 8);
  CHECK(orin.mode("maxn").design->runs == layer_runs::per_batch);  // the default
  // OpenVINO's MYRIAD plugin runs each NCE stage once per batch element.
  CHECK(load_platform(data_dir + "/platforms/ncs2.json").mode().design->runs == layer_runs::per_input);
  CHECK(orin.mode("15w").design->units == 6);
  // A top-level design applies to every mode (Edge TPU: both clocks).
  const platform coral = load_platform(data_dir + "/platforms/coral-tpu.json");
  CHECK(coral.mode("fast").design->levels.front().capacity->value() == Approx(8e6));
  CHECK(coral.mode("slow").design->levels.size() == 3);

  platform p;
  const auto problems = read_platform(parse_json(
      R"({"id": "d", "name": "d", "kind": "npu", "source": "test", "memory": {"bandwidth_gb_per_s": 10},
          "peak_tera_ops_per_s": {"int8": 1},
          "design": {"source": "test", "units": 2.5, "units_take": "layers", "depthwise_share": 2, "layer_runs": "per-frame",
                     "array": {"pixels": 8, "in_channels": 16},
                     "levels": [{"name": "sram", "holds": "everything"}, {"name": "dram", "capacity_mb": 4}]}})",
      "inline.json"), "inline.json", p);
  std::vector<std::string> where;
  for (const spec_problem& e : problems) where.push_back(e.where);
  // A tiles engine's array is an output tile: a clock would turn it into a peak.
  platform q;
  const auto clocked = read_platform(parse_json(
      R"({"id": "g", "name": "g", "kind": "gpu", "source": "test", "memory": {"bandwidth_gb_per_s": 10},
          "peak_tera_ops_per_s": {"fp16": 1},
          "design": {"source": "test", "units": 8, "units_take": "tiles", "clock_mhz": 1000,
                     "array": {"pixels": 128, "in_channels": 32, "out_channels": 128, "datatype": "fp16"},
                     "levels": [{"name": "dram", "bandwidth_gb_per_s": 10}]}})",
      "inline.json"), "inline.json", q);
  REQUIRE(clocked.size() == 1);
  CHECK(clocked[0].where == "inline.json: /design/clock_mhz");
  // An inputs engine's array in a datatype the mode has no peak for cannot scale the peaks.
  platform r;
  REQUIRE(read_platform(parse_json(
      R"({"id": "i", "name": "i", "kind": "npu", "source": "test", "memory": {"bandwidth_gb_per_s": 10},
          "peak_tera_ops_per_s": {"fp16": 1},
          "design": {"source": "test", "units": 1, "units_take": "inputs", "clock_mhz": 100,
                     "array": {"pixels": 8, "in_channels": 16, "out_channels": 16, "datatype": "int8"},
                     "levels": [{"name": "dram", "bandwidth_gb_per_s": 10}]}})",
      "inline.json"), "inline.json", r).empty());
  const auto inconsistent = check(r, "inline.json");
  REQUIRE(inconsistent.size() == 1);
  CHECK(inconsistent[0].where == "inline.json: /design/array/datatype");
  CHECK(inconsistent[0].id == error_id::inconsistent_spec);
  CHECK(where == std::vector<std::string>{"inline.json: /design/units", "inline.json: /design/units_take",
                                          "inline.json: /design/array/out_channels", "inline.json: /design/depthwise_share",
                                          "inline.json: /design/layer_runs",
                                          "inline.json: /design/levels/0/holds", "inline.json: /design/levels/0/capacity_mb",
                                          "inline.json: /design/levels/1/capacity_mb"});
}

TEST_CASE("platform json: a deployed design is no faster than its device", "[platform][check][design]") {
  // 2 units x 8 x 16 x 16 MACs x 2 ops at 500 MHz = 4.096 TOP/s against a stated 4: within
  // the 5 % a datasheet's rounding takes. At 1000 MHz, 8.192 TOP/s, and an outer level of
  // 20 GB/s against a 10 GB/s memory: neither can be.
  const auto problems = [](const std::string& clock_mhz, const std::string& outer_gb_per_s) {
    platform p;
    REQUIRE(read_platform(parse_json(R"({"id": "d", "name": "d", "kind": "npu", "source": "test", "memory": {"bandwidth_gb_per_s": 10},
          "peak_tera_ops_per_s": {"int8": 4},
          "design": {"source": "test", "units": 2, "units_take": "inputs", "clock_mhz": )" + clock_mhz + R"(,
                     "array": {"pixels": 8, "in_channels": 16, "out_channels": 16},
                     "levels": [{"name": "sram", "capacity_mb": 1}, {"name": "dram", "bandwidth_gb_per_s": )" + outer_gb_per_s + "}]}}",
                                     "inline.json"), "inline.json", p).empty());
    std::vector<std::string> where;
    for (const spec_problem& e : check(p, "inline.json")) where.push_back(e.where + " " + e.what);
    return where;
  };
  CHECK(problems("500", "10").empty());
  const auto fast = problems("1000", "20");
  REQUIRE(fast.size() == 2);
  CHECK(fast[0] == "inline.json: /design/array the design's int8 peak 8.192 TOP/s (units x 2 x MACs per cycle x clock) exceeds "
                   "the mode's 4 TOP/s; a design runs on the device, so at most at its peak");
  CHECK(fast[1] == "inline.json: /design/levels/1/bandwidth_gb_per_s the outer level streams at 20 GB/s, faster than the mode's "
                   "memory (10 GB/s)");
  // FINN's fabric at 600 MHz, above the 500 MHz LUT clock its peaks assume (thesis Section 6.3).
  platform finn = load_platform(data_dir + "/platforms/zcu104-finn.json");
  CHECK(check(finn, "finn").empty());
  finn.modes[0].design->clock_hz = 600e6;
  const auto clocked = check(finn, "finn");
  REQUIRE(clocked.size() == 1);
  CHECK(clocked[0].where == "finn: /design/clock_mhz");
  CHECK(clocked[0].id == error_id::inconsistent_spec);
}

TEST_CASE("platform json: runtime threads and a clock without an array only where they mean something",
          "[platform][json][design]") {
  // gemmlowp's one thread on the A53's four cores; FINN's 200 MHz builds on the ZCU104.
  CHECK(load_platform(data_dir + "/platforms/ultra96-a53.json").mode().design->threads == std::optional<std::uint64_t>(1));
  CHECK(load_platform(data_dir + "/platforms/zcu104-finn.json").mode().design->clock_hz == std::optional<double>(200e6));
  CHECK_FALSE(load_platform(data_dir + "/platforms/raspberry-pi-5.json").mode().design->threads.has_value());
  const auto problems = [](const std::string& kind, const std::string& design_fields) {
    platform p;
    std::vector<std::string> where;
    for (const spec_problem& e : read_platform(parse_json(R"({"id": "t", "name": "t", "kind": ")" + kind +
                                                              R"(", "source": "test", "memory": {"bandwidth_gb_per_s": 10},
          "peak_tera_ops_per_s": {"int8": 1}, "design": {"source": "test", )" + design_fields +
                                                              R"(, "levels": [{"name": "dram", "bandwidth_gb_per_s": 10}]}})",
                                                          "inline.json"),
                                               "inline.json", p))
      where.push_back(e.where + " " + e.what);
    return where;
  };
  CHECK(problems("cpu", R"("units": 4, "units_take": "tiles", "threads": 2)").empty());
  CHECK(problems("npu", R"("units": 3, "units_take": "inputs", "threads": 1)").empty());
  // More threads than units, half a thread, threads on a GPU's SMs.
  const auto too_many = problems("cpu", R"("units": 4, "units_take": "tiles", "threads": 5)");
  REQUIRE(too_many.size() == 1);
  CHECK_THAT(too_many[0], Catch::StartsWith("inline.json: /design/threads") && Catch::Contains("at most 4 for this design, got 5"));
  CHECK_THAT(problems("cpu", R"("units": 4, "units_take": "tiles", "threads": 1.5)").at(0), Catch::StartsWith("inline.json: /design/threads"));
  const auto gpu = problems("gpu", R"("units": 8, "units_take": "tiles", "threads": 1)");
  REQUIRE(gpu.size() == 1);
  CHECK_THAT(gpu[0], Catch::StartsWith("inline.json: /design/threads") && Catch::Contains("split each layer"));
  // A clock with neither an array nor an fpga block to rescale would be ignored.
  const auto clock = problems("npu", R"("units": 1, "units_take": "inputs", "clock_mhz": 200)");
  REQUIRE(clock.size() == 1);
  CHECK_THAT(clock[0], Catch::StartsWith("inline.json: /design/clock_mhz") && Catch::Contains("fpga block"));
}

TEST_CASE("platform json: a directory or a missing file is an error, not a crash", "[platform][json][errors]") {
  // Found by the fuzz target fuzz_cli: `check-platform .` threw from inside the stream.
  for (const std::string& path : {data_dir, data_dir + "/platforms/none.json"}) {
    CHECK_THROWS_WITH(load_platform(path), Catch::Contains("[qutibench.spec_error.501]") && Catch::Contains("cannot open"));
    CHECK(check_platform_file(path).size() == 1);
  }
}
