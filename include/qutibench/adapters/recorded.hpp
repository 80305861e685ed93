// The `recorded` hardware adapter: looks measurements up in published data (the thesis's
// level-3 CSV) instead of running anything, so predictions can be set against real hardware.
#pragma once

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/io/measurement_csv.hpp"
#include "qutibench/measure/adapter.hpp"

namespace qutibench {

/// Serves the recorded measurements of one platform (and optionally one operating mode).
/// `measure` returns the recorded row of the kernel's topology, datatype and batch; it
/// throws measure_error 606 (no_measurement) for a level-1/2 kernel (the thesis publishes
/// whole networks only) and for a setting that was not recorded, listing what was.
class recorded_adapter : public adapter {
 public:
  /// Serves the rows of `rows` recorded on `platform_id` in mode `mode`; "" = any mode, the
  /// first matching row in file order (TX2's CNV FP16 batch-1 row is maxn, the rest maxp).
  /// A setting recorded on several rows is served as their merge (`merge_repeats`, median).
  recorded_adapter(const std::vector<recorded_measurement>& rows, std::string platform_id, std::string mode = {})
      : rows_(merge_repeats(rows)), platform_(std::move(platform_id)), mode_(std::move(mode)) {}

  /// Reads `csv` with load_measurements_csv (spec_error 401 for a malformed file).
  recorded_adapter(const std::filesystem::path& csv, std::string platform_id, std::string mode = {})
      : recorded_adapter(load_measurements_csv(csv), std::move(platform_id), std::move(mode)) {}

  std::string platform() const override { return platform_; }

  /// The operating mode served, "" for any.
  const std::string& mode() const { return mode_; }

  /// The recorded measurement of level-3 kernel `k`: topology k.topology (t.name() where
  /// that is empty), datatype k.type and batch k.batch. Threads are not matched: the thesis
  /// does not record them (records carry 1).
  measurement measure(const topology& t, const kernel& k) override {
    const std::string& id = k.topology.empty() ? t.name() : k.topology;
    const std::string where = id + k.name().substr(k.topology.size());  // the kernel's name, under `id`
    if (k.level != measure_level::network)
      throw measure_error(error_id::no_measurement, where,
                          "level " + std::to_string(static_cast<int>(k.level)) +
                              " kernels are not recorded: the thesis publishes level-3 (whole-network) measurements only");
    for (const recorded_measurement& r : rows_)
      if (serves(r.record) && r.record.what.topology == id && r.record.what.type == k.type &&
          r.record.what.batch == k.batch)
        return r.record;
    throw measure_error(error_id::no_measurement, where, missing(id, k));
  }

  /// Every measurement served (this platform and mode), in file order.
  std::vector<measurement> all() const {
    std::vector<measurement> out;
    for (const recorded_measurement& r : rows_)
      if (serves(r.record)) out.push_back(r.record);
    return out;
  }

 private:
  bool serves(const measurement& m) const { return m.platform == platform_ && (mode_.empty() || m.mode == mode_); }

  /// Why kernel `k` of topology `id` has no row, and what the user can ask for instead:
  /// the datatypes and batches recorded for it, else the topologies on this platform,
  /// else the platforms in the data.
  std::string missing(const std::string& id, const kernel& k) const {
    const std::string on = platform_ + (mode_.empty() ? "" : " (mode " + mode_ + ")");
    auto join = [](const auto& names) {
      std::string out;
      for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    // "fp16 (maxp) at batch 2, 4, 8" per datatype and mode, in file order.
    std::vector<std::pair<std::string, std::string>> settings;
    std::set<std::string> topologies, platforms;
    for (const recorded_measurement& r : rows_) {
      const measurement& m = r.record;
      platforms.insert(m.platform);
      if (!serves(m)) continue;
      topologies.insert(m.what.topology);
      if (m.what.topology != id) continue;
      const std::string setting = m.what.type.name() + (m.mode.empty() ? "" : " (" + m.mode + ")");
      auto it = std::find_if(settings.begin(), settings.end(), [&](const auto& s) { return s.first == setting; });
      if (it == settings.end()) it = settings.insert(settings.end(), {setting, {}});
      it->second += (it->second.empty() ? "" : ", ") + std::to_string(m.what.batch);
    }
    if (topologies.empty()) return "nothing recorded on " + on + "; platforms recorded: " + join(platforms);
    if (settings.empty())
      return "nothing recorded for " + id + " on " + on + "; topologies recorded there: " + join(topologies);
    std::string recorded;
    for (const auto& [setting, batches] : settings)
      recorded += (recorded.empty() ? "" : "; ") + setting + " at batch " + batches;
    return "no recorded measurement of " + k.type.name() + " at batch " + std::to_string(k.batch) + " on " + on +
           "; recorded for " + id + ": " + recorded;
  }

  std::vector<recorded_measurement> rows_;
  std::string platform_;
  std::string mode_;
};

}  // namespace qutibench
