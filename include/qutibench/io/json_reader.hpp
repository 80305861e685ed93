// What the JSON spec loaders (platforms in io/platform_json.hpp, topologies in io/topology_json.hpp)
// share: reading a file into JSON, and field readers that collect every problem with the
// file and the JSON pointer of the offending value instead of stopping at the first.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "qutibench/error.hpp"
#include "qutibench/io/file.hpp"

namespace qutibench::detail {

class json_reader {
 public:
  using json = nlohmann::ordered_json;
  explicit json_reader(std::string file) : file_(std::move(file)) {}

  std::vector<spec_problem> problems;

 protected:
  std::string file_;

  void fail(error_id id, const std::string& pointer, std::string what) {
    problems.push_back({id, file_ + ": " + (pointer.empty() ? "/" : pointer), std::move(what)});
  }

  /// A key as a JSON pointer token (RFC 6901: '~' and '/' escaped).
  static std::string escape(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }

  /// Flags every key of `obj` outside `keys` (504: usually a typo), listing the valid ones;
  /// `context` follows "unknown field" (e.g. " for op 'conv2d'").
  void known(const json& obj, const std::string& at, const std::vector<std::string_view>& keys, const std::string& context = "") {
    for (const auto& [key, value] : obj.items())
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string valid;
        for (std::string_view k : keys) valid += (valid.empty() ? "" : ", ") + std::string(k);
        fail(error_id::unknown_field, at + "/" + escape(key), "unknown field" + context + "; valid here: " + valid);
      }
  }

  std::string text(const json& obj, const std::string& at, const char* key, bool required) {
    if (!obj.contains(key)) {
      if (required) fail(error_id::missing_field, at + "/" + key, "required");
      return {};
    }
    const json& v = obj[key];
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      fail(error_id::invalid_value, at + "/" + key, "must be a non-empty string, got " + v.dump());
      return {};
    }
    return v.get<std::string>();
  }

  /// A boolean field, `fallback` when absent.
  bool flag(const json& obj, const std::string& at, const char* key, bool fallback = false) {
    if (!obj.contains(key)) return fallback;
    if (!obj[key].is_boolean()) {
      fail(error_id::invalid_value, at + "/" + key, "must be true or false, got " + obj[key].dump());
      return fallback;
    }
    return obj[key].get<bool>();
  }

  /// A finite number, > 0 (`positive`) or >= 0.
  std::optional<double> value(const json& v, const std::string& at, bool positive) {
    if (!v.is_number()) {
      fail(error_id::invalid_value, at, "must be a number, got " + v.dump());
      return std::nullopt;
    }
    const double x = v.get<double>();
    if (!std::isfinite(x)) {  // JSON text cannot hold one, but a document built in code can
      fail(error_id::invalid_value, at, "must be a finite number, got " + v.dump());
      return std::nullopt;
    }
    if (positive ? !(x > 0) : !(x >= 0)) {
      fail(error_id::invalid_value, at, std::string("must be ") + (positive ? "> 0" : ">= 0") + ", got " + v.dump());
      return std::nullopt;
    }
    return x;
  }

  std::optional<double> number(const json& obj, const std::string& at, const char* key, bool required, bool positive) {
    if (!obj.contains(key)) {
      if (required) fail(error_id::missing_field, at + "/" + key, "required");
      return std::nullopt;
    }
    return value(obj[key], at + "/" + key, positive);
  }
};

/// The JSON document in `file`, or none after adding a 501 problem (unreadable, not JSON,
/// or a number beyond a double such as 1e999).
inline std::optional<nlohmann::ordered_json> read_json_file(const std::filesystem::path& file, std::vector<spec_problem>& problems) {
  const std::optional<std::string> text = read_text(file);
  if (!text) {
    problems.push_back({error_id::malformed_json, file.string(), "cannot open (not a readable file)"});
    return std::nullopt;
  }
  try {
    return nlohmann::ordered_json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    problems.push_back({error_id::malformed_json, file.string(), std::string("not valid JSON: ") + e.what()});
    return std::nullopt;
  }
}

/// A spec reader (read_platform, read_topology): fills `out` from parsed JSON and returns
/// every problem found; `out` is complete only if there is none.
template <class T>
using spec_reader = std::vector<spec_problem> (*)(const nlohmann::ordered_json&, const std::string&, T&);

/// A spec from the file `file`; throws its first problem as spec_error (501 if the file
/// is unreadable or not JSON). Nothing half-read escapes.
template <class T>
T load_spec(const std::filesystem::path& file, spec_reader<T> read) {
  std::vector<spec_problem> problems;
  T out;
  if (auto j = read_json_file(file, problems)) problems = read(*j, file.string(), out);
  if (!problems.empty()) throw problems.front().to_error();
  return out;
}

/// A spec from JSON text (pasted, or built by a notebook); `where` names it in errors.
template <class T>
T spec_from_text(const std::string& text, const std::string& where, spec_reader<T> read) {
  std::vector<spec_problem> problems;
  T out;
  try {
    problems = read(nlohmann::ordered_json::parse(text), where, out);
  } catch (const nlohmann::json::exception& e) {
    problems.push_back({error_id::malformed_json, where, std::string("not valid JSON: ") + e.what()});
  }
  if (!problems.empty()) throw problems.front().to_error();
  return out;
}

}  // namespace qutibench::detail
