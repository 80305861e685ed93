// The shipped data, one loader each for the CLI, Python and C++ users: where the data
// directory is; the platform specs under its platforms/, the thesis's platform set and the
// selections ("thesis", "all", a list of ids); the published accuracies; measurement
// files with every shipped platform id known; thesis Table 7.1. Opt-in like every JSON
// reader: link qutibench::json.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <system_error>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/accuracy.hpp"
#include "qutibench/error.hpp"
#include "qutibench/io/accuracy.hpp"
#include "qutibench/io/csv.hpp"
#include "qutibench/io/file.hpp"
#include "qutibench/io/measurement_csv.hpp"
#include "qutibench/io/platform_json.hpp"
#include "qutibench/platform.hpp"

namespace qutibench {

/// The platforms of thesis Table 6.2, in its row order (TX2 and the Coral TPU with
/// their operating modes); the default set of heatmaps and pareto graphs.
inline constexpr std::string_view thesis_platform_ids[] = {
    "ultra96-dpu", "zcu104-dpu", "zcu102-dpu", "zcu104-finn", "zcu104-bismo", "tx2", "coral-tpu", "ncs2", "ultra96-a53"};

/// The data directory (platforms/, accuracy/, measurements/): $QUTIBENCH_DATA_DIR if set,
/// else the first of `candidates` that holds platforms/ (the copy installed beside the running
/// program, a build tree's source data, the install prefix's; an empty one is skipped).
/// Throws spec_error 501 naming the places tried.
inline std::filesystem::path locate_data_dir(std::initializer_list<std::filesystem::path> candidates) {
  if (const char* env = std::getenv("QUTIBENCH_DATA_DIR"); env && *env) return env;
  std::string tried;
  for (const std::filesystem::path& c : candidates) {
    if (c.empty()) continue;
    std::error_code unreadable;  // a directory we may not list is not the data
    if (std::filesystem::is_directory(c / "platforms", unreadable)) return c.lexically_normal();
    tried += (tried.empty() ? "" : ", ") + c.string();
  }
  throw spec_error(error_id::malformed_json, "data directory",
                   (tried.empty() ? std::string("none is known to this program") : "none of " + tried + " holds platforms/") +
                       "; set QUTIBENCH_DATA_DIR");
}

/// The data directory a program finds without being told: $QUTIBENCH_DATA_DIR, else the one
/// its qutibench::json target names (QUTIBENCH_DEFAULT_DATA_DIR: the source tree's data/ in
/// a build or FetchContent tree, the installed share/qutibench through find_package).
inline std::filesystem::path default_data_dir() {
#ifdef QUTIBENCH_DEFAULT_DATA_DIR
  return locate_data_dir({QUTIBENCH_DEFAULT_DATA_DIR});
#else
  return locate_data_dir({});
#endif
}

/// Whether `name` is `p`'s id or one of its aliases.
inline bool names(const platform& p, std::string_view name) {
  return p.id == name || std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end();
}

/// Loads every *.json file of `dir`, sorted by file name; throws on the first bad file,
/// and on two files naming one platform (an id or alias twice; spec_error 505).
inline std::vector<platform> load_platforms(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) throw spec_error(error_id::malformed_json, dir.string(), "not a directory of platform specs");
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<platform> out;
  for (const auto& f : files) {
    platform p = load_platform(f);
    for (const platform& q : out) {
      if (names(q, p.id)) throw spec_error(error_id::inconsistent_spec, f.string() + ": /id", "id '" + p.id + "' used by another file");
      for (const std::string& alias : p.aliases)
        if (names(q, alias)) throw spec_error(error_id::inconsistent_spec, f.string() + ": /aliases", "'" + alias + "' names " + q.id + " already");
    }
    out.push_back(std::move(p));
  }
  return out;
}

namespace detail {
/// "id, id, ...": the valid ids an unknown-platform message lists.
inline std::string ids_of(const std::vector<platform>& all) {
  std::string out;
  for (const platform& p : all) out += (out.empty() ? "" : ", ") + p.id;
  return out;
}
}  // namespace detail

/// A platform reference resolved: the spec and the mode it names ("" = the first mode).
struct platform_ref {
  platform spec;
  std::string mode;
};

namespace detail {
/// The mode after ':' in `ref` checked against `p`'s modes, naming `ref`: "" for none; an
/// empty mode ("tx2:") or an unknown one is spec_error 301.
inline std::string checked_mode(const platform& p, std::string_view ref, std::optional<std::string_view> mode) {
  if (!mode) return {};
  const bool known = std::any_of(p.modes.begin(), p.modes.end(), [&](const operating_mode& m) { return m.name == *mode; });
  if (!mode->empty() && known) return std::string(*mode);
  std::string valid;
  for (const operating_mode& m : p.modes) valid += (valid.empty() ? "" : ", ") + m.name;
  throw spec_error(error_id::unknown_id, "platform '" + std::string(ref) + "'",
                   (mode->empty() ? std::string("an empty mode after ':'") : "no operating mode '" + std::string(*mode) + "'") +
                       (p.has_modes() ? "; modes: " + valid : "; it has no operating modes"));
}

/// A spec file reference ("path.json" or "path.json:MODE"), loaded; none if `ref` names no
/// file. The last ".json" ends the path, so a folder may contain ".json" and ':'.
inline std::optional<platform_ref> spec_file_ref(std::string_view ref) {
  const auto json_at = ref.rfind(".json");
  if (json_at == std::string_view::npos) return std::nullopt;
  const std::string_view rest = ref.substr(json_at + 5);
  if (!rest.empty() && rest.front() != ':')
    throw spec_error(error_id::unknown_id, "platform '" + std::string(ref) + "'", "a spec file ends in .json, optionally followed by :MODE");
  platform spec = load_platform(std::string(ref.substr(0, json_at + 5)));
  std::string mode = checked_mode(spec, ref, rest.empty() ? std::nullopt : std::optional(rest.substr(1)));
  return platform_ref{std::move(spec), std::move(mode)};
}

/// `ref` (a spec file or an id or alias of `all`, either with ":MODE") resolved; throws
/// spec_error 301 listing the valid ids, or the modes when the mode is unknown or empty.
inline platform_ref resolve_platform(std::string_view ref, const std::vector<platform>& all) {
  if (std::optional<platform_ref> file = spec_file_ref(ref)) return std::move(*file);
  const auto colon = ref.find(':');
  const std::string_view id = ref.substr(0, colon);
  for (const platform& p : all)
    if (names(p, id)) return {p, checked_mode(p, ref, colon == std::string_view::npos ? std::nullopt : std::optional(ref.substr(colon + 1)))};
  const bool several = id == "thesis" || id == "all" || id.find(',') != std::string_view::npos;
  throw spec_error(error_id::unknown_id, "platform '" + std::string(ref) + "'",
                   (several ? "names several platforms; give one id (or a spec file): " : "not found; valid ids: ") + ids_of(all));
}
}  // namespace detail

/// The one platform `ref` names: a shipped id or alias under `data_dir`/platforms or a spec file
/// (a path ending in ".json"), either with ":MODE" after it. A selection of several
/// ("thesis", "all", "a,b") is refused (301) rather than quietly cut to its first.
inline platform_ref find_platform(std::string_view ref, const std::filesystem::path& data_dir) {
  if (std::optional<platform_ref> file = detail::spec_file_ref(ref)) return std::move(*file);  // no shipped spec needed
  return detail::resolve_platform(ref, load_platforms(data_dir / "platforms"));
}

namespace detail {

/// Whether `a` and `b`, each perhaps cut to some of its modes, are one spec: every field
/// outside the modes, and each mode both hold, as the spec file would write them.
inline bool same_spec(const platform& a, const platform& b) {
  platform x = a, y = b;
  x.modes.clear(), y.modes.clear();
  for (const operating_mode& m : a.modes)
    if (const auto it = std::ranges::find(b.modes, m.name, &operating_mode::name); it != b.modes.end())
      x.modes.push_back(m), y.modes.push_back(*it);
  if (x.modes.empty()) x.modes = y.modes = {operating_mode{}};  // no mode in common: the other fields alone
  return to_json(x) == to_json(y);
}

}  // namespace detail

/// Appends `r` to a selection: only its mode where it names one (a heatmap's rows are a
/// platform's modes). Throws spec_error 505 naming `what` when `out` already selects that
/// platform and mode, or another spec with its id (any field or shared mode of its own): a
/// user's edited copy of a shipped file beside it would give rows nobody could tell apart.
/// Modes of one spec may be selected one by one ("tx2:maxn,tx2:maxq").
inline void add_selected(std::vector<platform>& out, platform_ref r, std::string_view what) {
  std::vector<operating_mode> modes = r.mode.empty() ? r.spec.modes : std::vector<operating_mode>{r.spec.mode(r.mode)};
  for (const platform& q : out) {
    if (q.id != r.spec.id) continue;
    if (!detail::same_spec(q, r.spec))  // r whole: a mode it does not select may differ too
      throw spec_error(error_id::inconsistent_spec, std::string(what), "selects two specs with the id " + q.id + "; give one of them another id");
    for (const operating_mode& m : q.modes)
      if (std::ranges::find(modes, m.name, &operating_mode::name) != modes.end())
        throw spec_error(error_id::inconsistent_spec, std::string(what), "selects " + q.id + (m.name.empty() ? "" : ":" + m.name) + " a second time");
  }
  r.spec.modes = std::move(modes);
  out.push_back(std::move(r.spec));
}

/// The platforms a selection names: a comma-separated list whose items are "thesis" (Table
/// 6.2's, in its order), "all" (every one of `all`), an id or alias of `all`, or a spec file
/// (FILE.json; a path holding a comma cannot be given here); an id or file may end in
/// ":MODE" to keep only that operating mode. Throws spec_error 301 for an empty item or an
/// unknown id or mode, a spec file's error for a bad file, 505 as add_selected.
inline std::vector<platform> select_platforms(const std::vector<platform>& all, std::string_view selection) {
  std::vector<platform> out;
  for (std::size_t start = 0; start <= selection.size();) {
    const std::size_t comma = std::min(selection.find(',', start), selection.size());
    const std::string_view item = selection.substr(start, comma - start);
    const std::string what = "platforms '" + std::string(selection) + "': '" + std::string(item) + "'";
    if (item.empty())
      throw spec_error(error_id::unknown_id, "platforms '" + std::string(selection) + "'",
                       "an empty item; give thesis, all, ids or spec files, separated by single commas");
    if (item == "all") {
      for (const platform& p : all) add_selected(out, {p, ""}, what);
    } else if (item == "thesis") {
      for (std::string_view id : thesis_platform_ids) add_selected(out, detail::resolve_platform(id, all), what);
    } else {
      add_selected(out, detail::resolve_platform(item, all), what);
    }
    start = comma + 1;
  }
  return out;
}

namespace platforms {
/// Every shipped platform spec (default_data_dir()/platforms), sorted by file name.
inline std::vector<platform> all() { return load_platforms(default_data_dir() / "platforms"); }

/// The shipped platform with id or alias `id` (e.g. "zcu102-dpu"); pick a mode with
/// platform::mode. Throws spec_error 301 listing the valid ids, or when `id` names a mode
/// (use find_platform for "id:MODE") or a file (use load_platform).
inline platform get(std::string_view id) {
  const bool several = id == "thesis" || id == "all" || id.find(',') != std::string_view::npos;
  if (several || id.find(':') != std::string_view::npos || id.ends_with(".json"))
    throw spec_error(error_id::unknown_id, "platform '" + std::string(id) + "'",
                     "give one shipped id; find_platform reads 'id:MODE' and spec files, select_platforms selections");
  return detail::resolve_platform(id, all()).spec;
}
}  // namespace platforms

/// The published accuracies of the shipped data (thesis Table 5.2 and the sources of the
/// modern networks): data_dir/accuracy/table5_2.csv.
inline std::vector<accuracy_record> published_accuracy(const std::filesystem::path& data_dir) {
  return load_accuracy(data_dir / "accuracy" / "table5_2.csv");
}

/// Measurement rows of a QuTiBench CSV whose platforms may be thesis names, any shipped
/// spec's id or alias (data_dir/platforms), one of `also` (a user's own spec files) or
/// "host" (this CPU); a row naming an alias carries the spec's id, so that it joins the
/// spec's other rows, unless the name is also a spec's id (a user's spec may take a shipped
/// spec's alias as its id: its rows stay its own).
inline std::vector<recorded_measurement> load_measurements(const std::filesystem::path& file, const std::filesystem::path& data_dir,
                                                           std::span<const platform> also = {}) {
  std::vector<std::string> known{"host"};
  std::unordered_map<std::string, std::string> id_of_alias;  // one lookup per row: files run to 100k rows
  std::vector<platform> specs = load_platforms(data_dir / "platforms");
  specs.insert(specs.end(), also.begin(), also.end());
  for (const platform& p : specs) {
    known.push_back(p.id);
    known.insert(known.end(), p.aliases.begin(), p.aliases.end());
    for (const std::string& alias : p.aliases) id_of_alias.emplace(alias, p.id);
  }
  for (const platform& p : specs) id_of_alias.erase(p.id);
  std::vector<recorded_measurement> rows = load_measurements_csv(file, known);
  for (recorded_measurement& r : rows)
    if (const auto id = id_of_alias.find(r.record.platform); id != id_of_alias.end()) r.record.platform = id->second;
  return rows;
}

/// One coefficient of thesis Table 7.1: Pearson's r of predicted against measured
/// throughput for a platform and task.
struct thesis_correlation {
  std::string platform;
  std::string task;
  double pearson = 0;
};

/// A coefficient's fields (see predict/fields.hpp for the convention).
template <class F>
void fields(const thesis_correlation& c, F&& field) {
  field("platform", c.platform);
  field("task", c.task);
  field("pearson", c.pearson);
}

/// Thesis Table 7.1 (data_dir/measurements/table7_1_correlation.csv, header
/// `platform,task,pearson,...`); empty where the data directory does not ship it. Throws
/// spec_error 401 naming file:line for a row without a coefficient in [-1, 1].
inline std::vector<thesis_correlation> thesis_table_7_1(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = data_dir / "measurements" / "table7_1_correlation.csv";
  const std::optional<std::string> text = read_text(file);
  if (!text) return {};
  std::vector<thesis_correlation> out;
  const std::vector<csv::record> records = csv::parse(*text, file.string());
  for (std::size_t i = 1; i < records.size(); ++i) {
    const std::vector<std::string>& f = records[i].fields;
    const std::optional<double> r = f.size() >= 3 ? csv::parse_number(f[2]) : std::nullopt;
    if (!r || !(*r >= -1 && *r <= 1))
      throw spec_error(error_id::malformed_record, file.string() + ":" + std::to_string(records[i].line),
                       "expected platform,task,pearson with a coefficient in [-1, 1]");
    out.push_back({f[0], f[1], *r});
  }
  return out;
}

/// The Table 7.1 coefficient of a platform and task, where the thesis gives one.
inline std::optional<double> thesis_pearson(std::span<const thesis_correlation> table, std::string_view platform,
                                            std::string_view task) {
  for (const thesis_correlation& c : table)
    if (c.platform == platform && c.task == task) return c.pearson;
  return std::nullopt;
}

}  // namespace qutibench
