// The platform catalogue: where the data directory is, the shipped specs under its
// platforms/, the thesis's platform set, and the selections the CLI and Python accept
// ("thesis", "all", a list of ids). Opt-in like every JSON reader: link qutibench::json.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "qutibench/error.hpp"
#include "qutibench/io/platform_json.hpp"
#include "qutibench/platform.hpp"

namespace qutibench {

/// The platforms of thesis Table 6.2, in its row order (TX2 and the Coral TPU with
/// their operating modes); the default set of heatmaps and pareto graphs.
inline constexpr std::string_view thesis_platform_ids[] = {
    "ultra96-dpu", "zcu104-dpu", "zcu102-dpu", "zcu104-finn", "zcu104-bismo", "tx2", "coral-tpu", "ncs2", "ultra96-a53"};

/// The data directory (platforms/, accuracy/, measurements/): $QUTIBENCH_DATA_DIR if set,
/// else the first of `candidates` that holds platforms/ (a build tree's source data, then
/// the installed copy). Throws spec_error 501 naming the places tried.
inline std::filesystem::path locate_data_dir(std::initializer_list<std::filesystem::path> candidates) {
  if (const char* env = std::getenv("QUTIBENCH_DATA_DIR"); env && *env) return env;
  std::string tried;
  for (const std::filesystem::path& c : candidates) {
    if (std::filesystem::is_directory(c / "platforms")) return c;
    tried += (tried.empty() ? "" : ", ") + c.string();
  }
  throw spec_error(error_id::malformed_json, "data directory", "none of " + tried + " holds platforms/; set QUTIBENCH_DATA_DIR");
}

/// Loads every *.json file of `dir`, sorted by file name; throws on the first bad file,
/// and on two files with the same id (spec_error 505).
inline std::vector<platform> load_platforms(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) throw spec_error(error_id::malformed_json, dir.string(), "not a directory of platform specs");
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<platform> out;
  for (const auto& f : files) {
    platform p = load_platform(f);
    for (const platform& q : out)
      if (q.id == p.id) throw spec_error(error_id::inconsistent_spec, f.string() + ": /id", "id '" + p.id + "' used by another file");
    out.push_back(std::move(p));
  }
  return out;
}

/// The platforms a selection names: "thesis" (Table 6.2's, in its order), "all" (as
/// loaded), or a comma-separated list of ids. Throws spec_error 301 for an unknown id.
inline std::vector<platform> select_platforms(const std::vector<platform>& all, std::string_view selection) {
  auto find = [&](std::string_view id) -> const platform& {
    for (const platform& p : all)
      if (p.id == id) return p;
    std::string valid;
    for (const platform& p : all) valid += (valid.empty() ? "" : ", ") + p.id;
    throw spec_error(error_id::unknown_id, "platform '" + std::string(id) + "'", "not found; valid ids: " + valid);
  };
  if (selection == "all") return all;
  std::vector<platform> out;
  if (selection == "thesis") {
    for (std::string_view id : thesis_platform_ids) out.push_back(find(id));
    return out;
  }
  for (std::size_t start = 0; start <= selection.size();) {
    const std::size_t comma = std::min(selection.find(',', start), selection.size());
    out.push_back(find(selection.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

}  // namespace qutibench
