// The `command` hardware adapter: measures a kernel by running an external program that
// reads the kernel as JSON on stdin and answers one JSON measurement on stdout
// (docs/command_protocol.md), and the JSON form of kernels and measurement records.
// Opt-in: needs nlohmann_json (link qutibench::json) and POSIX (fork, pipes, poll).
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "qutibench/datatype.hpp"
#include "qutibench/error.hpp"
#include "qutibench/measure/adapter.hpp"
#include "qutibench/measure/record.hpp"
#include "qutibench/topology.hpp"
#include "qutibench/units.hpp"

namespace qutibench {

/// The protocol a request names and an answer may name; a new major version would break
/// commands written for this one, so it is spelled out in every request.
inline constexpr std::string_view command_protocol = "qutibench-measure/1";

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

/// The start of `text` as a JSON string literal (escaped, at most `limit` bytes, "..."
/// when cut), so that messages stay one line and survive binary garbage.
inline std::string quoted_start(std::string_view text, std::size_t limit) {
  const bool cut = text.size() > limit;
  const std::string shown = nlohmann::ordered_json(std::string(text.substr(0, limit)))
                                .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return shown + (cut ? "..." : "");
}

/// Reads kernels and measurement records from JSON; every problem is a measure_error 605
/// whose WHERE is `where: /json/pointer` and whose WHAT ends with `context`.
class json_record_reader {
 public:
  using json = nlohmann::ordered_json;
  json_record_reader(std::string where, std::string context) : where_(std::move(where)), context_(std::move(context)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) const {
    throw measure_error(error_id::bad_measurement, where_ + ": " + (pointer.empty() ? "/" : pointer), what + context_);
  }

  kernel read_kernel(const json& j, const std::string& at) const {
    object(j, at, "a kernel");
    known(j, at, {"topology", "level", "layers", "datatype", "batch", "threads"});
    kernel k;
    k.topology = text(*field(j, at, "topology", true), at + "/topology", true);
    if (const json* v = field(j, at, "level", false)) {
      const std::uint64_t level = count(*v, at + "/level", 1);
      if (level > 3) fail(at + "/level", "must be 1 (layer), 2 (stack) or 3 (network), got " + shown(*v));
      k.level = static_cast<measure_level>(level);
    }
    if (const json* v = field(j, at, "layers", false)) {
      if (!v->is_array()) fail(at + "/layers", "must be an array of node names, got " + shown(*v));
      for (std::size_t i = 0; i < v->size(); ++i) k.layers.push_back(text((*v)[i], at + "/layers/" + std::to_string(i), true));
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
  measurement read_measurement(const json& j, const measurement* defaults) const {
    object(j, "", "a measurement");
    known(j, "", {"kernel", "platform", "mode", "carrier", "kernel_path", "host", "ops", "compute", "system", "top1_pct",
                  "top5_pct", "base_power_w", "idle_power_w", "full_power_w"});
    const bool need = defaults == nullptr;
    measurement m = defaults ? *defaults : measurement{};
    if (const json* v = field(j, "", "kernel", need)) m.what = read_kernel(*v, "/kernel");
    if (const json* v = field(j, "", "platform", need)) m.platform = text(*v, "/platform", true);
    if (const json* v = field(j, "", "mode", false)) m.mode = text(*v, "/mode", false);
    m.carrier = m.what.type;
    if (const json* v = field(j, "", "carrier", false)) m.carrier = read_datatype(*v, "/carrier");
    if (!m.carrier.holds(m.what.type))
      fail("/carrier", m.carrier.name() + " cannot hold the kernel's datatype " + m.what.type.name());
    if (const json* v = field(j, "", "kernel_path", false)) m.kernel_path = text(*v, "/kernel_path", false);
    if (const json* v = field(j, "", "host", false)) m.host = text(*v, "/host", false);
    if (const json* v = field(j, "", "ops", need)) m.work = ops::from_value(number(*v, "/ops", false));
    m.compute = read_stats(*field(j, "", "compute", true), "/compute");
    const json* system = field(j, "", "system", false);
    m.system = system ? read_stats(*system, "/system") : m.compute;
    if (const json* v = field(j, "", "top1_pct", false)) m.top1_pct = percent(*v, "/top1_pct");
    if (const json* v = field(j, "", "top5_pct", false)) m.top5_pct = percent(*v, "/top5_pct");
    if (m.top1_pct && m.top5_pct && *m.top5_pct < *m.top1_pct)
      fail("/top5_pct", "top-5 accuracy cannot be below top-1 (" + shown(j["top1_pct"]) + "), got " + shown(j["top5_pct"]));
    auto power = [&](const char* key, std::optional<watts>& out) {
      if (const json* v = field(j, "", key, false)) out = watts::from_value(number(*v, std::string("/") + key, true));
    };
    power("base_power_w", m.base_power);
    power("idle_power_w", m.idle_power);
    power("full_power_w", m.full_power);
    return m;
  }

 private:
  std::string where_, context_;

  /// A JSON value for a message, cut so that a huge value cannot flood it.
  static std::string shown(const json& v) {
    const std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    return s.size() > 80 ? s.substr(0, 77) + "..." : s;
  }

  static std::string escape(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }

  void object(const json& j, const std::string& at, const char* what) const {
    if (!j.is_object()) fail(at, std::string(what) + " must be a JSON object, got " + shown(j));
  }

  // Unknown keys are rejected: a misspelt optional field ("median" for "median_s") would
  // otherwise vanish silently and the record would claim a default.
  void known(const json& obj, const std::string& at, std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, value] : obj.items())
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        std::string valid;
        for (std::string_view k : keys) valid += (valid.empty() ? "" : ", ") + std::string(k);
        fail(at + "/" + escape(key), "unknown field; valid here: " + valid);
      }
  }

  const json* field(const json& obj, const std::string& at, const char* key, bool required) const {
    if (obj.contains(key)) return &obj[key];
    if (required) fail(at + "/" + key, "required");
    return nullptr;
  }

  std::string text(const json& v, const std::string& at, bool nonempty) const {
    if (!v.is_string() || (nonempty && v.get_ref<const std::string&>().empty()))
      fail(at, std::string("must be a ") + (nonempty ? "non-empty " : "") + "string, got " + shown(v));
    return v.get<std::string>();
  }

  double number(const json& v, const std::string& at, bool positive) const {
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
    const double x = number(v, at, false);
    if (x > 100) fail(at, "must be a percentage in [0, 100], got " + shown(v));
    return x;
  }

  datatype read_datatype(const json& v, const std::string& at) const {
    const std::string name = text(v, at, true);
    try {
      return datatype::parse(name);
    } catch (const spec_error&) {
      fail(at, "'" + name + "' is not a datatype; valid: " + std::string(datatype::valid_names));
    }
  }

  latency_stats read_stats(const json& j, const std::string& at) const {
    object(j, at, "latency statistics");
    known(j, at, {"median_s", "min_s", "max_s", "q1_s", "q3_s", "runs"});
    latency_stats s;
    s.median = seconds::from_value(number(*field(j, at, "median_s", true), at + "/median_s", true));
    s.runs = count(*field(j, at, "runs", true), at + "/runs", 1);
    auto optional = [&](const char* key, seconds& out) {
      out = s.median;
      if (const json* v = field(j, at, key, false)) out = seconds::from_value(number(*v, at + "/" + key, true));
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

/// How to run a measurement command.
struct command_options {
  std::vector<std::string> argv;                     ///< program (looked up in PATH) and arguments
  seconds timeout = seconds::from_value(60);         ///< per kernel, from start to exit
  std::string platform = "external";                 ///< the platform id the records carry
};

/// Measures kernels by running `argv` once per kernel: the request
/// {"protocol", "platform", "kernel", "ops"} goes to its stdin as one line of JSON, one
/// JSON measurement comes back on its stdout (docs/command_protocol.md). `measure` may be
/// called from several threads at once.
class command_adapter : public adapter {
 public:
  /// Throws spec_error 503 for an empty argv or a timeout that is not a positive number.
  explicit command_adapter(command_options options) : options_(std::move(options)) {
    if (options_.argv.empty() || options_.argv.front().empty())
      throw spec_error(error_id::invalid_value, "command options: argv", "needs a program to run");
    if (!(options_.timeout.value() > 0) || !std::isfinite(options_.timeout.value()))
      throw spec_error(error_id::invalid_value, "command options: timeout",
                       "must be a positive number of seconds, got " + std::to_string(options_.timeout.value()));
    for (const std::string& a : options_.argv) where_ += (where_.empty() ? "command '" : " ") + a;
    where_ += "'";
  }

  std::string platform() const override { return options_.platform; }

  /// Runs the command for kernel `k` of topology `t`. Throws spec_error (301 for a layer
  /// or topology that `t` does not match, 503 for a kernel whose level and layers
  /// disagree, 206 for an op count past 64 bits) before running anything; measure_error
  /// 603 when the command cannot run or exits non-zero, 604 when it runs past the
  /// timeout (it is killed), 605 when its answer is not a valid measurement of `k`.
  measurement measure(const topology& t, const kernel& k) override {
    const std::uint64_t work = request_ops(t, k);
    const nlohmann::ordered_json request = {
        {"protocol", std::string(command_protocol)}, {"platform", options_.platform}, {"kernel", to_json(k)}, {"ops", work}};
    const auto [out, err] = run(request.dump() + "\n");

    if (out.find_first_not_of(" \t\r\n") == std::string::npos)
      throw measure_error(error_id::bad_measurement, where_,
                          "printed no measurement on stdout; it must print one JSON object; " + stderr_tail(err));
    const std::string context = "; output began: " + detail::quoted_start(out, 200);
    nlohmann::ordered_json answer;
    try {
      answer = nlohmann::ordered_json::parse(out);
    } catch (const nlohmann::json::parse_error& e) {
      throw measure_error(error_id::bad_measurement, where_,
                          "printed something that is not one JSON value (parse error at byte " + std::to_string(e.byte) +
                              ")" + context);
    }
    const detail::json_record_reader reader(where_, context);
    if (answer.is_object() && answer.contains("protocol")) {
      if (answer["protocol"] != std::string(command_protocol))
        reader.fail("/protocol", "must be \"" + std::string(command_protocol) + "\", got " + answer["protocol"].dump());
      answer.erase("protocol");
    }
    measurement defaults;
    defaults.what = k;
    defaults.platform = options_.platform;
    defaults.kernel_path = where_;
    defaults.work = ops::from_value(static_cast<double>(work));
    measurement m = reader.read_measurement(answer, &defaults);
    // Echoed fields must match the request: an answer for another kernel, platform or op
    // count would file a wrong record under this kernel's name.
    if (to_json(m.what) != to_json(k))
      reader.fail("/kernel", "answers for kernel " + to_json(m.what).dump() + ", but " + to_json(k).dump() + " was asked for");
    if (m.platform != options_.platform)
      reader.fail("/platform", "answers for platform '" + m.platform + "', but this adapter measures '" + options_.platform + "'");
    if (std::abs(m.work.value() - static_cast<double>(work)) > 1e-9 * static_cast<double>(work))
      reader.fail("/ops", "reports " + detail::count_json(m.work.value()).dump() + " ops per batch, but the kernel has " +
                              std::to_string(work) + "; leave \"ops\" out or echo the request's");
    return m;
  }

 private:
  command_options options_;
  std::string where_;  ///< "command 'prog arg ...'", the WHERE of every error

  /// Ops per batch: 2 x MACs of the kernel's nodes (all of them at level 3) x batch.
  static std::uint64_t request_ops(const topology& t, const kernel& k) {
    const std::string where = "kernel '" + k.name() + "'";
    if (auto problem = detail::kernel_problem(k)) throw spec_error(error_id::invalid_value, where, *problem);
    if (k.topology != t.name())
      throw spec_error(error_id::unknown_id, where, "names topology '" + k.topology + "', but '" + t.name() + "' was given");
    std::uint64_t macs = 0;
    auto add = [&](const node& n) {
      if (n.cost.macs > std::numeric_limits<std::uint64_t>::max() - macs)
        throw spec_error(error_id::count_overflow, where, "MAC count exceeds 64 bits");
      macs += n.cost.macs;
    };
    if (k.level == measure_level::network)
      for (const node& n : t.nodes()) add(n);
    else
      for (const std::string& name : k.layers) add(t.at(name));
    if (macs > std::numeric_limits<std::uint64_t>::max() / 2 / k.batch)
      throw spec_error(error_id::count_overflow, where, "op count x batch " + std::to_string(k.batch) + " exceeds 64 bits");
    return 2 * macs * k.batch;
  }

  /// What the command said on stderr, for messages: its last 5 non-blank lines joined
  /// with " | " (one-line messages), at most 1000 bytes, or "no stderr output".
  static std::string stderr_tail(const std::string& err) {
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < err.size();) {
      const std::size_t end = std::min(err.find('\n', start), err.size());
      std::string line = err.substr(start, end - start);
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (!line.empty()) lines.push_back(std::move(line));
      start = end + 1;
    }
    if (lines.empty()) return "no stderr output";
    std::string out;
    for (std::size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
    return "stderr ends: " + (out.size() > 1000 ? "..." + out.substr(out.size() - 1000) : out);
  }

  /// An owned file descriptor.
  struct fd {
    int value = -1;
    fd() = default;
    fd(const fd&) = delete;
    fd& operator=(const fd&) = delete;
    ~fd() { reset(); }
    void reset() {
      if (value >= 0) ::close(value);
      value = -1;
    }
  };

  /// A pipe whose ends are close-on-exec from the start (pipe2: another thread's fork
  /// cannot leak them into a program that would then hold our pipes open), so only the
  /// dup2'd copies reach the command. Ends are moved to 3 or above, so that dup2 onto 0,
  /// 1 and 2 in the child never clobbers one (a host started with stdin closed).
  void make_pipe(fd& read_end, fd& write_end) const {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) fail_errno("cannot create a pipe");
    read_end.value = ends[0];
    write_end.value = ends[1];
    for (fd* end : {&read_end, &write_end}) {
      if (end->value >= 3) continue;
      const int moved = ::fcntl(end->value, F_DUPFD_CLOEXEC, 3);
      if (moved < 0) fail_errno("cannot create a pipe");
      end->reset();
      end->value = moved;
    }
  }

  [[noreturn]] void fail_errno(const std::string& what) const {
    throw measure_error(error_id::command_failed, where_, what + ": " + std::generic_category().message(errno));
  }

  /// The child process; killed (SIGKILL) and reaped if still running when this goes out
  /// of scope, so that no exit path leaves a runaway process or a zombie behind.
  struct child {
    pid_t pid = -1;
    child() = default;
    child(const child&) = delete;
    child& operator=(const child&) = delete;
    ~child() { kill_and_reap(); }
    void kill_and_reap() {
      if (pid <= 0) return;
      ::kill(pid, SIGKILL);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      pid = -1;
    }
  };

  /// Blocks SIGPIPE in the calling thread while writing to the child's stdin. A child that
  /// exits without reading its request would otherwise kill the whole process with
  /// SIGPIPE; setting SIG_IGN would change every thread's disposition and race with
  /// them. Blocked, the write fails with EPIPE and the thread-directed SIGPIPE stays
  /// pending; it is consumed before the old mask returns. If SIGPIPE was already pending,
  /// it is blocked, and ours merges with it: nothing is done.
  struct sigpipe_blocker {
    sigset_t old_mask{};
    bool active = false;
    sigpipe_blocker() {
      sigset_t pending, pipe_only;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE)) return;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      active = pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask) == 0;
    }
    sigpipe_blocker(const sigpipe_blocker&) = delete;
    sigpipe_blocker& operator=(const sigpipe_blocker&) = delete;
    ~sigpipe_blocker() {
      if (!active) return;
      sigset_t pending, pipe_only;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE)) {
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        int sig = 0;
        sigwait(&pipe_only, &sig);  // returns at once: the signal is pending
      }
      pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    }
  };

  struct output {
    std::string out, err;
  };

  /// Runs the command with `input` on stdin; returns what it printed if it exits with
  /// status 0 within the timeout. stdin, stdout and stderr are served together by one
  /// poll loop, so a command that writes before it reads, or fills stderr, cannot
  /// deadlock us.
  output run(const std::string& input) const {
    using clock = std::chrono::steady_clock;
    // Capped so the deadline arithmetic cannot overflow; a timeout of years is no timeout.
    const auto limit = std::chrono::duration<double>(std::min(options_.timeout.value(), 1e8));
    const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(limit);
    constexpr std::size_t max_output = std::size_t{1} << 20;  // a measurement is a few hundred bytes
    constexpr std::size_t max_stderr = std::size_t{1} << 16;  // only its last lines are reported

    fd in_r, in_w, out_r, out_w, err_r, err_w, exec_r, exec_w;
    make_pipe(in_r, in_w);
    make_pipe(out_r, out_w);
    make_pipe(err_r, err_w);
    make_pipe(exec_r, exec_w);  // carries errno if execvp fails; closes on success (CLOEXEC)

    // Built before fork: between fork and exec the child may only call
    // async-signal-safe functions, and allocating is not one.
    std::vector<std::string> args = options_.argv;
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    child proc;
    proc.pid = ::fork();
    if (proc.pid < 0) fail_errno("cannot fork");
    if (proc.pid == 0) {
      if (::dup2(in_r.value, 0) >= 0 && ::dup2(out_w.value, 1) >= 0 && ::dup2(err_w.value, 2) >= 0)
        ::execvp(argv[0], argv.data());
      const int err = errno;
      [[maybe_unused]] const ssize_t reported = ::write(exec_w.value, &err, sizeof err);  // nothing more to do if it fails
      ::_exit(127);
    }
    in_r.reset();
    out_w.reset();
    err_w.reset();
    exec_w.reset();

    int exec_errno = 0;
    ssize_t got = 0;
    while ((got = ::read(exec_r.value, &exec_errno, sizeof exec_errno)) < 0 && errno == EINTR) {
    }
    if (got > 0) {
      proc.kill_and_reap();
      throw measure_error(error_id::command_failed, where_,
                          "cannot run '" + options_.argv.front() + "': " + std::generic_category().message(exec_errno));
    }

    // Non-blocking, so that a request larger than the pipe buffer is written piecewise
    // as the child reads it instead of blocking the loop.
    ::fcntl(in_w.value, F_SETFL, ::fcntl(in_w.value, F_GETFL) | O_NONBLOCK);
    std::string out, err;
    std::size_t written = 0;
    auto timed_out = [&]() -> measure_error {
      proc.kill_and_reap();
      return measure_error(error_id::command_timeout, where_,
                           "did not finish within the timeout of " + nlohmann::ordered_json(options_.timeout.value()).dump() +
                               " s; killed it (SIGKILL)");
    };
    {
      const sigpipe_blocker no_sigpipe;
      while (out_r.value >= 0 || err_r.value >= 0) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()).count();
        if (left <= 0) throw timed_out();
        pollfd fds[3] = {{in_w.value, POLLOUT, 0}, {out_r.value, POLLIN, 0}, {err_r.value, POLLIN, 0}};  // poll skips fd -1
        const int ready = ::poll(fds, 3, static_cast<int>(std::min<long long>(left, 60'000)));
        if (ready < 0 && errno != EINTR) fail_errno("poll failed");
        if (ready <= 0) continue;
        if (fds[0].revents != 0) {
          const ssize_t n = ::write(in_w.value, input.data() + written, input.size() - written);
          if (n > 0) written += static_cast<std::size_t>(n);
          // EPIPE: the command does not read its request; its answer will tell whether it
          // needed it.
          if (written == input.size() || (n < 0 && errno != EAGAIN && errno != EINTR)) in_w.reset();
        }
        auto drain = [&](fd& from, short revents, std::string& into) {
          if (revents == 0) return;
          char buf[8192];
          const ssize_t n = ::read(from.value, buf, sizeof buf);
          if (n > 0) into.append(buf, static_cast<std::size_t>(n));
          else if (n == 0 || (errno != EAGAIN && errno != EINTR)) from.reset();
        };
        drain(out_r, fds[1].revents, out);
        drain(err_r, fds[2].revents, err);
        if (err.size() > 2 * max_stderr) err.erase(0, err.size() - max_stderr);
        if (out.size() > max_output)
          throw measure_error(error_id::bad_measurement, where_,
                              "printed more than 1 MiB on stdout; a measurement is one JSON object (log to stderr); "
                              "output began: " + detail::quoted_start(out, 200));
      }
      in_w.reset();
    }

    // Both outputs closed; the exit may still lag behind (or never come).
    int status = 0;
    for (;;) {
      const pid_t r = ::waitpid(proc.pid, &status, WNOHANG);
      if (r == proc.pid) break;
      if (r < 0 && errno != EINTR) fail_errno("waitpid failed");
      if (clock::now() >= deadline) throw timed_out();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    proc.pid = -1;  // reaped
    const std::string said = "; " + stderr_tail(err);
    if (WIFSIGNALED(status))
      throw measure_error(error_id::command_failed, where_, "killed by signal " + std::to_string(WTERMSIG(status)) + said);
    if (WEXITSTATUS(status) != 0)
      throw measure_error(error_id::command_failed, where_, "exited with status " + std::to_string(WEXITSTATUS(status)) + said);
    return {std::move(out), std::move(err)};
  }
};

}  // namespace qutibench
