// What the JSON readers share: reading a file into JSON, and the field reader that the spec
// loaders (platforms in io/platform_json.hpp, topologies in io/topology_json.hpp) and the
// JSON form of measurement records build on.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "qutibench/error.hpp"
#include "qutibench/io/file.hpp"

namespace qutibench {

/// How deeply JSON may nest. No spec or measurement needs more than a handful of levels;
/// whatever walks a document (dump, copy, compare) recurses once per level, so a limit
/// keeps a hostile file from exhausting the stack.
inline constexpr int max_json_depth = 64;

/// `v` as error messages quote it: at most `limit` bytes of its compact text ("..." when
/// cut), invalid UTF-8 replaced, so that a huge or binary value cannot flood a message.
inline std::string json_excerpt(const nlohmann::ordered_json& v, std::size_t limit = 80) {
  const std::string s = v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return s.size() > limit ? s.substr(0, limit - 3) + "..." : s;
}

/// A key as a JSON pointer token (RFC 6901: '~' and '/' escaped).
inline std::string json_pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return out;
}

namespace detail {

/// Follows the parser through the document (nlohmann's parse callback), so that nesting
/// past max_json_depth and an object naming a key twice stop the parse with the JSON
/// pointer of the place; without it the last duplicate would silently win.
class json_guard {
 public:
  explicit json_guard(const std::string& where) : where_(where) {}

  bool operator()(int depth, nlohmann::ordered_json::parse_event_t event, nlohmann::ordered_json& parsed) {
    using event_t = nlohmann::ordered_json::parse_event_t;
    switch (event) {
      case event_t::object_start:
      case event_t::array_start:
        element(depth);
        if (depth >= max_json_depth)
          throw spec_error(error_id::nesting_too_deep, at(depth), "nested deeper than " + std::to_string(max_json_depth) + " levels");
        frames_.resize(static_cast<std::size_t>(depth) + 1);
        frames_.back() = {event == event_t::array_start, 0, {}, {}};
        break;
      case event_t::key: {
        frame& f = frames_[static_cast<std::size_t>(depth) - 1];
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) throw spec_error(error_id::duplicate_key, at(depth), "key given twice");
        break;
      }
      case event_t::value:
        element(depth);
        break;
      case event_t::object_end:
      case event_t::array_end:
        frames_.pop_back();
        break;
    }
    return true;
  }

 private:
  struct frame {
    bool array = false;
    std::size_t next = 0;  ///< an array's next element index
    std::string key;       ///< an object's current key
    std::set<std::string> keys;
  };
  const std::string& where_;
  std::vector<frame> frames_;

  /// A value starts at `depth`: the next element if its container is an array.
  void element(int depth) {
    if (depth > 0 && frames_[static_cast<std::size_t>(depth) - 1].array) ++frames_[static_cast<std::size_t>(depth) - 1].next;
  }

  /// WHERE for the value being read at `depth`: the source and its JSON pointer.
  std::string at(int depth) const {
    std::string pointer;
    for (std::size_t i = 0; i < static_cast<std::size_t>(depth); ++i) {
      const frame& f = frames_[i];
      pointer += "/";
      pointer += f.array ? std::to_string(f.next - 1) : json_pointer_token(f.key);
    }
    return where_ + ": " + (pointer.empty() ? "/" : pointer);
  }
};

}  // namespace detail

/// The JSON document in `text`; `where` (a file name, "<json>", a command) names it in
/// errors. Throws spec_error 501 for text that is not one JSON value or holds a number
/// beyond a double (1e999), 506 for nesting past max_json_depth, 507 for a duplicate key.
inline nlohmann::ordered_json parse_json(std::string_view text, const std::string& where) {
  try {
    return nlohmann::ordered_json::parse(text, detail::json_guard(where));
  } catch (const nlohmann::json::exception& e) {
    throw spec_error(error_id::malformed_json, where, std::string("not valid JSON: ") + e.what());
  }
}

/// Reads fields of a JSON document, each problem with the file and the JSON pointer of the
/// offending value. The spec loaders collect every problem; a reader that stops at the
/// first overrides `fail`.
class json_reader {
 public:
  using json = nlohmann::ordered_json;
  explicit json_reader(std::string file) : file_(std::move(file)) {}
  virtual ~json_reader() = default;

  std::vector<spec_problem> problems;

 protected:
  std::string file_;

  virtual void fail(error_id id, const std::string& pointer, std::string what) {
    problems.push_back({id, where(pointer), std::move(what)});
  }

  /// A value as messages quote it: a bounded excerpt (json_excerpt).
  std::string shown(const json& v) const { return json_excerpt(v); }

  /// The WHERE of a problem: the file and the JSON pointer ("/" for the whole document).
  std::string where(const std::string& pointer) const { return file_ + ": " + (pointer.empty() ? "/" : pointer); }

  /// Flags every key of `obj` outside `keys` (504: usually a typo), listing the valid ones;
  /// `context` follows "unknown field" (e.g. " for op 'conv2d'").
  void known(const json& obj, const std::string& at, const std::vector<std::string_view>& keys, const std::string& context = "") {
    for (const auto& [key, value] : obj.items())
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string valid;
        for (std::string_view k : keys) valid += (valid.empty() ? "" : ", ") + std::string(k);
        fail(error_id::unknown_field, at + "/" + json_pointer_token(key), "unknown field" + context + "; valid here: " + valid);
      }
  }

  /// The field `key` of `obj`, or none; a missing required one is a 502 problem.
  const json* field(const json& obj, const std::string& at, const char* key, bool required) {
    if (obj.contains(key)) return &obj[key];
    if (required) fail(error_id::missing_field, at + "/" + key, "required");
    return nullptr;
  }

  /// A string value, "" after a problem; `nonempty` rejects "".
  std::string text_value(const json& v, const std::string& at, bool nonempty) {
    if (!v.is_string() || (nonempty && v.get_ref<const std::string&>().empty())) {
      fail(error_id::invalid_value, at, std::string("must be a ") + (nonempty ? "non-empty " : "") + "string, got " + shown(v));
      return {};
    }
    return v.get<std::string>();
  }

  std::string text(const json& obj, const std::string& at, const char* key, bool required) {
    const json* v = field(obj, at, key, required);
    return v ? text_value(*v, at + "/" + key, true) : std::string();
  }

  /// A boolean field, `fallback` when absent.
  bool flag(const json& obj, const std::string& at, const char* key, bool fallback = false) {
    if (!obj.contains(key)) return fallback;
    if (!obj[key].is_boolean()) {
      fail(error_id::invalid_value, at + "/" + key, "must be true or false, got " + shown(obj[key]));
      return fallback;
    }
    return obj[key].get<bool>();
  }

  /// The largest number a spec field takes. Fields are scaled into SI units by factors up
  /// to 10^12 (TOP/s); 10^30 in any field's unit is far past every device and a slip,
  /// and the largest doubles would become infinite once scaled (a fuzzer finding: a
  /// bandwidth of 1.8e308 GB/s loaded as an infinite one).
  static constexpr double max_value = 1e30;

  /// A finite number, > 0 (`positive`) or >= 0, at most max_value.
  std::optional<double> value(const json& v, const std::string& at, bool positive) {
    if (!v.is_number()) {
      fail(error_id::invalid_value, at, "must be a number, got " + shown(v));
      return std::nullopt;
    }
    const double x = v.get<double>();
    if (!std::isfinite(x)) {  // JSON text cannot hold one, but a document built in code can
      fail(error_id::invalid_value, at, "must be a finite number, got " + shown(v));
      return std::nullopt;
    }
    if (positive ? !(x > 0) : !(x >= 0)) {
      fail(error_id::invalid_value, at, std::string("must be ") + (positive ? "> 0" : ">= 0") + ", got " + shown(v));
      return std::nullopt;
    }
    if (x > max_value) {
      fail(error_id::invalid_value, at, "must be at most 1e30 in its unit, got " + shown(v));
      return std::nullopt;
    }
    return x;
  }

  std::optional<double> number(const json& obj, const std::string& at, const char* key, bool required, bool positive) {
    const json* v = field(obj, at, key, required);
    return v ? value(*v, at + "/" + key, positive) : std::nullopt;
  }
};

/// The JSON document in `file`, or none after adding a problem: 501 (unreadable, not
/// JSON, a number beyond a double such as 1e999), 506 or 507 (parse_json).
inline std::optional<nlohmann::ordered_json> read_json_file(const std::filesystem::path& file, std::vector<spec_problem>& problems) {
  const std::optional<std::string> text = read_text(file);
  if (!text) {
    problems.push_back({error_id::malformed_json, file.string(), "cannot open (not a readable file)"});
    return std::nullopt;
  }
  try {
    return parse_json(*text, file.string());
  } catch (const spec_error& e) {
    problems.push_back({e.id(), e.where(), e.reason()});
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
  T out;
  const std::vector<spec_problem> problems = read(parse_json(text, where), where, out);
  if (!problems.empty()) throw problems.front().to_error();
  return out;
}

}  // namespace qutibench
