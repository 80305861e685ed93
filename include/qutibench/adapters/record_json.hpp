// Kernels and measurement records as JSON: the form the command protocol speaks
// (docs/command_protocol.md) and record files hold. Opt-in: needs nlohmann_json (link
// qutibench::json).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/json_reader.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

namespace detail {

/// What is wrong with a kernel's shape (level vs. layers, batch, threads), or nothing.
inline std::optional<std::string> kernel_problem(const kernel& k) {
  if (k.topology.empty()) return "names no topology";
  if (k.batch < 1) return "batch must be >= 1";
  if (k.threads < 1) return "threads must be >= 1";
  switch (k.level) {
    case measure_level::layer:
      if (k.layers.size() != 1) return "a level-1 kernel lists exactly one layer, got " + std::to_string(k.layers.size());
      break;
    case measure_level::stack:
      if (k.layers.size() < 2) return "a level-2 kernel lists at least two layers, got " + std::to_string(k.layers.size());
      break;
    case measure_level::network:
      if (!k.layers.empty()) return "a level-3 kernel is the whole network and lists no layers";
      break;
  }
  return std::nullopt;
}

/// A whole count as a JSON integer (exact, and what a reader expects of "ops"), anything
/// else as a JSON number.
inline nlohmann::ordered_json count_json(double x) {
  if (x >= 0 && x < 18446744073709551616.0 && x == std::floor(x)) return static_cast<std::uint64_t>(x);
  return x;
}

/// Reads kernels and measurement records, stopping at the first problem: a measure_error
/// 605 whose WHERE is `where: /json/pointer` and whose WHAT ends with `context`, because a
/// record is used whole or not at all.
class json_record_reader : public json_reader {
 public:
  json_record_reader(std::string where, std::string context) : json_reader(std::move(where)), context_(std::move(context)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) const {
    throw measure_error(error_id::bad_measurement, where(pointer), what + context_);
  }

  kernel read_kernel(const json& j, const std::string& at) {
    object(j, at, "a kernel");
    known(j, at, {"topology", "level", "layers", "datatype", "batch", "threads"});
    kernel k;
    k.topology = text(j, at, "topology", true);
    if (const json* v = field(j, at, "level", false)) {
      const std::uint64_t level = count(*v, at + "/level", 1);
      if (level > 3) fail(at + "/level", "must be 1 (layer), 2 (stack) or 3 (network), got " + shown(*v));
      k.level = static_cast<measure_level>(level);
    }
    if (const json* v = field(j, at, "layers", false)) {
      if (!v->is_array()) fail(at + "/layers", "must be an array of node names, got " + shown(*v));
      for (std::size_t i = 0; i < v->size(); ++i) k.layers.push_back(text_value((*v)[i], at + "/layers/" + std::to_string(i), true));
    }
    if (const json* v = field(j, at, "datatype", false)) k.type = read_datatype(*v, at + "/datatype");
    if (const json* v = field(j, at, "batch", false)) k.batch = count(*v, at + "/batch", 1);
    if (const json* v = field(j, at, "threads", false)) {
      const std::uint64_t threads = count(*v, at + "/threads", 1);
      if (threads > std::numeric_limits<unsigned>::max()) fail(at + "/threads", "too large, got " + shown(*v));
      k.threads = static_cast<unsigned>(threads);
    }
    if (auto problem = kernel_problem(k)) fail(at.empty() ? "/" : at, "kernel '" + k.name() + "': " + *problem);
    return k;
  }

  /// Fields absent from `j` come from `defaults` where given; without defaults,
  /// "kernel", "platform", "ops" and "compute" are required.
  measurement read_measurement(const json& j, const measurement* defaults) {
    object(j, "", "a measurement");
    known(j, "", {"kernel", "platform", "mode", "carrier", "kernel_path", "host", "ops", "compute", "system", "top1_pct",
                  "top5_pct", "base_power_w", "idle_power_w", "full_power_w"});
    const bool need = defaults == nullptr;
    measurement m = defaults ? *defaults : measurement{};
    if (const json* v = field(j, "", "kernel", need)) m.what = read_kernel(*v, "/kernel");
    if (const json* v = field(j, "", "platform", need)) m.platform = text_value(*v, "/platform", true);
    if (const json* v = field(j, "", "mode", false)) m.mode = text_value(*v, "/mode", false);
    m.carrier = m.what.type;
    if (const json* v = field(j, "", "carrier", false)) m.carrier = read_datatype(*v, "/carrier");
    if (!m.carrier.holds(m.what.type))
      fail("/carrier", m.carrier.name() + " cannot hold the kernel's datatype " + m.what.type.name());
    if (const json* v = field(j, "", "kernel_path", false)) m.kernel_path = text_value(*v, "/kernel_path", false);
    if (const json* v = field(j, "", "host", false)) m.host = text_value(*v, "/host", false);
    if (const json* v = field(j, "", "ops", need)) m.work = ops::from_value(amount(*v, "/ops", false));
    m.compute = read_stats(*field(j, "", "compute", true), "/compute");
    const json* system = field(j, "", "system", false);
    m.system = system ? read_stats(*system, "/system") : m.compute;
    if (const json* v = field(j, "", "top1_pct", false)) m.top1_pct = percent(*v, "/top1_pct");
    if (const json* v = field(j, "", "top5_pct", false)) m.top5_pct = percent(*v, "/top5_pct");
    if (m.top1_pct && m.top5_pct && *m.top5_pct < *m.top1_pct)
      fail("/top5_pct", "top-5 accuracy cannot be below top-1 (" + shown(j["top1_pct"]) + "), got " + shown(j["top5_pct"]));
    auto power = [&](const char* key, std::optional<watts>& out) {
      if (const json* v = field(j, "", key, false)) out = watts::from_value(amount(*v, std::string("/") + key, true));
    };
    power("base_power_w", m.base_power);
    power("idle_power_w", m.idle_power);
    power("full_power_w", m.full_power);
    return m;
  }

 private:
  std::string context_;

  void fail(error_id, const std::string& pointer, std::string what) override { fail(pointer, what); }

  void object(const json& j, const std::string& at, const char* what) const {
    if (!j.is_object()) fail(at, std::string(what) + " must be a JSON object, got " + shown(j));
  }

  double amount(const json& v, const std::string& at, bool positive) const {
    const double x = v.is_number() ? v.get<double>() : std::nan("");
    if (!std::isfinite(x) || (positive ? !(x > 0) : !(x >= 0)))
      fail(at, std::string("must be a ") + (positive ? "positive" : "non-negative") + " number, got " + shown(v));
    return x;
  }

  std::uint64_t count(const json& v, const std::string& at, std::uint64_t min) const {
    // Parsed JSON holds non-negative integers as unsigned, but a record built in code may
    // hold them as signed.
    const bool whole = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    if (!whole || v.get<std::uint64_t>() < min)
      fail(at, "must be an integer >= " + std::to_string(min) + ", got " + shown(v));
    return v.get<std::uint64_t>();
  }

  double percent(const json& v, const std::string& at) const {
    const double x = amount(v, at, false);
    if (x > 100) fail(at, "must be a percentage in [0, 100], got " + shown(v));
    return x;
  }

  datatype read_datatype(const json& v, const std::string& at) {
    const std::string name = text_value(v, at, true);
    try {
      return datatype::parse(name);
    } catch (const spec_error&) {
      fail(at, "'" + name + "' is not a datatype; valid: " + std::string(datatype::valid_names));
    }
  }

  latency_stats read_stats(const json& j, const std::string& at) {
    object(j, at, "latency statistics");
    known(j, at, {"median_s", "min_s", "max_s", "q1_s", "q3_s", "runs"});
    latency_stats s;
    s.median = seconds::from_value(amount(*field(j, at, "median_s", true), at + "/median_s", true));
    s.runs = count(*field(j, at, "runs", true), at + "/runs", 1);
    auto optional = [&](const char* key, seconds& out) {
      out = s.median;
      if (const json* v = field(j, at, key, false)) out = seconds::from_value(amount(*v, at + "/" + key, true));
    };
    optional("min_s", s.min);
    optional("q1_s", s.q1);
    optional("q3_s", s.q3);
    optional("max_s", s.max);
    if (!(s.min <= s.q1 && s.q1 <= s.median && s.median <= s.q3 && s.q3 <= s.max))
      fail(at, "must satisfy min_s <= q1_s <= median_s <= q3_s <= max_s, got " + shown(j));
    return s;
  }
};

}  // namespace detail

/// A kernel as JSON: {"topology", "level" (1|2|3), "layers" [...], "datatype", "batch",
/// "threads"}.
inline nlohmann::ordered_json to_json(const kernel& k) {
  return {{"topology", k.topology},
          {"level", static_cast<int>(k.level)},
          {"layers", k.layers},
          {"datatype", k.type.name()},
          {"batch", k.batch},
          {"threads", k.threads}};
}

/// Reads a kernel; only "topology" is required (level 3, no layers, int8, batch 1 and 1
/// thread otherwise). Throws measure_error 605 naming `where` and the JSON pointer.
inline kernel kernel_from_json(const nlohmann::ordered_json& j, const std::string& where) {
  return detail::json_record_reader(where, "").read_kernel(j, "");
}

/// A measurement record as JSON, times in seconds per batch and power in watts:
/// {"kernel", "platform", "mode", "carrier", "kernel_path", "host", "ops" (per batch),
/// "compute" and "system": {"median_s", "min_s", "max_s", "q1_s", "q3_s", "runs"}, and
/// where known "top1_pct", "top5_pct", "base_power_w", "idle_power_w", "full_power_w"}.
inline nlohmann::ordered_json to_json(const measurement& m) {
  auto stats = [](const latency_stats& s) {
    return nlohmann::ordered_json{{"median_s", s.median.value()}, {"min_s", s.min.value()}, {"max_s", s.max.value()},
                                  {"q1_s", s.q1.value()},         {"q3_s", s.q3.value()},   {"runs", s.runs}};
  };
  nlohmann::ordered_json j = {{"kernel", to_json(m.what)},
                              {"platform", m.platform},
                              {"mode", m.mode},
                              {"carrier", m.carrier.name()},
                              {"kernel_path", m.kernel_path},
                              {"host", m.host},
                              {"ops", detail::count_json(m.work.value())},
                              {"compute", stats(m.compute)},
                              {"system", stats(m.system)}};
  if (m.top1_pct) j["top1_pct"] = *m.top1_pct;
  if (m.top5_pct) j["top5_pct"] = *m.top5_pct;
  if (m.base_power) j["base_power_w"] = m.base_power->value();
  if (m.idle_power) j["idle_power_w"] = m.idle_power->value();
  if (m.full_power) j["full_power_w"] = m.full_power->value();
  return j;
}

/// Reads a record in the form `to_json` writes. Required: "kernel", "platform", "ops" and
/// "compute" {"median_s", "runs"}; "system" defaults to "compute", "carrier" to the
/// kernel's datatype, the texts to "". Throws measure_error 605 naming `where` and the
/// JSON pointer, e.g. "records.json: /compute/median_s: must be a positive number, got "abc"".
inline measurement measurement_from_json(const nlohmann::ordered_json& j, const std::string& where) {
  return detail::json_record_reader(where, "").read_measurement(j, nullptr);
}

}  // namespace qutibench
