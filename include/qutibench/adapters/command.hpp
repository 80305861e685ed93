// The `command` hardware adapter: measures a kernel by running an external program that
// reads the kernel as JSON on stdin and answers one JSON measurement on stdout
// (docs/command_protocol.md). Opt-in: needs nlohmann_json (link qutibench::json) and
// POSIX (fork, pipes, poll).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "qutibench/adapters/detail/process.hpp"
#include "qutibench/adapters/record_json.hpp"
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

/// The start of `text` as a JSON string literal (escaped, at most `limit` bytes, "..."
/// when cut), so that messages stay one line and survive binary garbage.
inline std::string quoted_start(std::string_view text, std::size_t limit) {
  const bool cut = text.size() > limit;
  const std::string shown = nlohmann::ordered_json(std::string(text.substr(0, limit)))
                                .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return shown + (cut ? "..." : "");
}

}  // namespace detail

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
    const detail::process_result reply = run(request.dump() + "\n");
    const std::string& out = reply.out;

    if (out.find_first_not_of(" \t\r\n") == std::string::npos)
      throw measure_error(error_id::bad_measurement, where_,
                          "printed no measurement on stdout; it must print one JSON object; " + detail::stderr_tail(reply.err));
    const std::string context = "; output began: " + detail::quoted_start(out, 200);
    nlohmann::ordered_json answer;
    try {
      answer = parse_json(out, where_);
    } catch (const spec_error& e) {  // not JSON, a number past a double, too deep, a key twice
      throw measure_error(error_id::bad_measurement, e.where(),
                          "printed something that is not one JSON measurement (" + e.reason() + ", spec_error " +
                              std::to_string(static_cast<int>(e.id())) + ")" + context);
    }
    detail::json_record_reader reader(where_, context);
    if (answer.is_object() && answer.contains("protocol")) {
      if (answer["protocol"] != std::string(command_protocol))
        reader.fail("/protocol", "must be \"" + std::string(command_protocol) + "\", got " + json_excerpt(answer["protocol"]));
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
      reader.fail("/kernel", "answers for kernel " + json_excerpt(to_json(m.what), 400) + ", but " + json_excerpt(to_json(k), 400) +
                                " was asked for");
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

  /// What the command printed, if it exits with status 0 within the timeout.
  detail::process_result run(const std::string& input) const {
    constexpr std::size_t max_output = std::size_t{1} << 20;  // a measurement is a few hundred bytes
    detail::process_result r = detail::run_process(options_.argv, input, options_.timeout.value(), max_output, where_);
    using ending = detail::process_result::ending;
    switch (r.how) {
      case ending::timed_out:
        throw measure_error(error_id::command_timeout, where_,
                            "did not finish within the timeout of " + nlohmann::ordered_json(options_.timeout.value()).dump() +
                                " s; killed it (SIGKILL)");
      case ending::output_overflow:
        throw measure_error(error_id::bad_measurement, where_,
                            "printed more than 1 MiB on stdout; a measurement is one JSON object (log to stderr); "
                            "output began: " + detail::quoted_start(r.out, 200));
      case ending::signaled:
        throw measure_error(error_id::command_failed, where_,
                            "killed by signal " + std::to_string(r.code) + "; " + detail::stderr_tail(r.err));
      case ending::exited:
        if (r.code != 0)
          throw measure_error(error_id::command_failed, where_,
                              "exited with status " + std::to_string(r.code) + "; " + detail::stderr_tail(r.err));
    }
    return r;
  }
};

}  // namespace qutibench
