// Tests of the command adapter (run a program, JSON in and out, timeout, errors) and of
// the JSON form of kernels and measurement records.
#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include "qutibench/adapters/command.hpp"
#include "qutibench/zoo/mlp.hpp"

using namespace qutibench;
using Catch::Matchers::Contains;

namespace {

const std::string scripts = QUTIBENCH_TEST_DATA "/command/";

command_adapter python(const std::string& script, double timeout_s = 30, std::vector<std::string> args = {}) {
  command_options o;
  o.argv = {"/usr/bin/python3", scripts + script};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.timeout = seconds::from_value(timeout_s);
  o.platform = "test-device";
  return command_adapter(o);
}

kernel whole(const std::string& topology, std::uint64_t batch) {
  kernel k;
  k.topology = topology;
  k.level = measure_level::network;
  k.type = datatypes::int4;
  k.batch = batch;
  k.threads = 2;
  return k;
}

/// Runs `f`, which must throw measure_error; returns it.
template <class F>
measure_error thrown(F f) {
  try {
    f();
  } catch (const measure_error& e) {
    return e;
  }
  FAIL("no measure_error thrown");
  throw;  // unreachable: FAIL throws
}

/// Whether any process of the group `pgid` still runs (or is an unreaped zombie) 2 s
/// after the adapter returned: SIGKILL is delivered, and orphans reaped by init,
/// asynchronously.
bool group_alive(pid_t pgid) {
  for (int i = 0; i < 200; ++i) {
    if (::kill(-pgid, 0) != 0 && errno == ESRCH) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

/// The process id a test command wrote into `file` (its own $$: the leader of its group).
pid_t pid_in(const std::string& file) {
  pid_t pid = 0;
  std::ifstream(file) >> pid;
  ::unlink(file.c_str());
  return pid;
}

// The 50 % MLP: 784x1024 + 1024x1024 + 1024x1024 + 1024x10 MACs.
constexpr std::uint64_t mlp50_macs = 784 * 1024 + 2 * 1024 * 1024 + 1024 * 10;

}  // namespace

TEST_CASE("command adapter: a valid answer becomes the record", "[command]") {
  static_assert(mlp50_macs == 2'910'208);
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_adapter a = python("answers.py");
  CHECK(a.platform() == "test-device");

  const measurement m = a.measure(net, whole("mlp-p50", 4));
  CHECK(m.what.topology == "mlp-p50");
  CHECK(m.what.level == measure_level::network);
  CHECK(m.what.type == datatypes::int4);
  CHECK(m.what.batch == 4);
  CHECK(m.what.threads == 2);
  CHECK(m.platform == "test-device");
  CHECK(m.carrier == datatypes::int4);  // defaulted to the kernel's datatype
  CHECK(m.kernel_path == "answers.py");
  CHECK(m.host == "test host");
  CHECK(m.work.value() == 2.0 * mlp50_macs * 4);  // the request's ops, echoed
  CHECK(m.compute.median.value() == Approx(0.004));
  CHECK(m.compute.min.value() == Approx(0.0036));
  CHECK(m.compute.max.value() == Approx(0.0048));
  CHECK(m.compute.q1.value() == Approx(0.0038));
  CHECK(m.compute.q3.value() == Approx(0.0042));
  CHECK(m.compute.runs == 7);
  CHECK(m.system.median.value() == Approx(0.008));
  CHECK(m.system.min.value() == Approx(0.008));  // absent quartiles default to the median
  CHECK(m.system.runs == 7);
  REQUIRE(m.full_power);
  CHECK(m.full_power->value() == 4.5);
  CHECK_FALSE(m.base_power);
  CHECK_FALSE(m.top1_pct);
  CHECK(m.compute_throughput().value() == Approx(1000.0));
}

TEST_CASE("command adapter: the request's ops count the kernel's nodes", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_adapter a = python("answers.py");
  kernel layer;
  layer.topology = "mlp-p50";
  layer.level = measure_level::layer;
  layer.layers = {"fc1"};
  CHECK(a.measure(net, layer).work.value() == 2.0 * 784 * 1024);
  kernel stack = layer;
  stack.level = measure_level::stack;
  stack.layers = {"fc2", "bn2", "act2"};
  stack.batch = 3;
  CHECK(a.measure(net, stack).work.value() == 2.0 * 1024 * 1024 * 3);
  CHECK(a.measure(net, whole("mlp-p50", 1)).work.value() == 5'820'416.0);
}

TEST_CASE("command adapter: the answer may leave all but compute out", "[command]") {
  // bad_field.py's shape with a valid median: compute only.
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_options o;
  o.argv = {"/bin/sh", "-c", "cat >/dev/null; echo '{\"compute\": {\"median_s\": 0.25, \"runs\": 5}}'"};
  o.platform = "sh";
  const measurement m = command_adapter(o).measure(net, whole("mlp-p50", 2));
  CHECK(m.what.batch == 2);
  CHECK(m.platform == "sh");
  CHECK(m.carrier == datatypes::int4);
  CHECK(m.work.value() == 2.0 * mlp50_macs * 2);
  CHECK(m.compute.median.value() == 0.25);
  CHECK(m.compute.min.value() == 0.25);
  CHECK(m.system.median.value() == 0.25);
  CHECK(m.system.runs == 5);
  CHECK_THAT(m.kernel_path, Contains("/bin/sh -c"));
}

TEST_CASE("command adapter: a command past its timeout is killed", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_adapter a = python("sleeps.py", 0.5);
  const auto start = std::chrono::steady_clock::now();
  const measure_error e = thrown([&] { a.measure(net, whole("mlp-p50", 1)); });
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(e.id() == error_id::command_timeout);
  CHECK_THAT(e.what(), Contains("[qutibench.measure_error.604] command '/usr/bin/python3 ") && Contains("sleeps.py'") &&
                           Contains("timeout of 0.5 s"));
  CHECK(took >= 0.45);
  CHECK(took < 3.0);
}

TEST_CASE("command adapter: no deadlock on a chatty command, and several threads at once", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_options o;
  // 200 kB of stderr before reading stdin: more than a pipe holds, so a runner that
  // wrote stdin first and read afterwards would hang here.
  o.argv = {"/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x >&2; cat >/dev/null; "
                             "echo '{\"compute\": {\"median_s\": 0.5, \"runs\": 2}}'"};
  o.timeout = seconds::from_value(20);
  const command_adapter chatty(o);
  std::vector<std::thread> threads;
  std::vector<double> medians(4, 0.0);
  for (std::size_t i = 0; i < medians.size(); ++i)
    threads.emplace_back([&, i] { medians[i] = command_adapter(chatty).measure(net, whole("mlp-p50", 1)).compute.median.value(); });
  for (std::thread& t : threads) t.join();
  CHECK(medians == std::vector<double>(4, 0.5));
}

TEST_CASE("command adapter: a command that answers but does not exit is killed", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_options o;
  o.argv = {"/bin/sh", "-c", "cat >/dev/null; echo '{\"compute\": {\"median_s\": 1, \"runs\": 1}}'; exec >&- 2>&-; sleep 5"};
  o.timeout = seconds::from_value(0.5);
  const auto start = std::chrono::steady_clock::now();
  CHECK(thrown([&] { command_adapter(o).measure(net, whole("mlp-p50", 1)); }).id() == error_id::command_timeout);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

TEST_CASE("command adapter: a timeout kills the command's whole process group", "[command]") {
  // The shell starts two workers and waits: killing only the shell would leave both.
  const topology net = zoo::mlp(0.5, "mlp-p50");
  const std::string file = "/tmp/qutibench-test-pgid-" + std::to_string(::getpid());
  command_options o;
  o.argv = {"/bin/sh", "-c", "echo $$ > " + file + "; sleep 100 & sleep 100 & wait"};
  o.timeout = seconds::from_value(0.5);
  CHECK(thrown([&] { command_adapter(o).measure(net, whole("mlp-p50", 1)); }).id() == error_id::command_timeout);
  const pid_t pgid = pid_in(file);
  REQUIRE(pgid > 1);
  CHECK_FALSE(group_alive(pgid));
}

TEST_CASE("command adapter: a command that answered and exited is done, though a helper holds its stdout", "[command]") {
  // The exit ends the run, not the end of the pipe: the helper (still in the group) is
  // killed and the answer taken, long before the timeout.
  const topology net = zoo::mlp(0.5, "mlp-p50");
  const std::string file = "/tmp/qutibench-test-helper-" + std::to_string(::getpid());
  command_options o;
  o.argv = {"/bin/sh", "-c", "cat >/dev/null; echo $$ > " + file +
                                 "; echo '{\"compute\": {\"median_s\": 0.25, \"runs\": 3}}'; sleep 100 &"};
  o.timeout = seconds::from_value(30);
  const auto start = std::chrono::steady_clock::now();
  const measurement m = command_adapter(o).measure(net, whole("mlp-p50", 1));
  CHECK(m.compute.median.value() == 0.25);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  const pid_t pgid = pid_in(file);
  REQUIRE(pgid > 1);
  CHECK_FALSE(group_alive(pgid));
}

TEST_CASE("command adapter: replies that no double, depth or key rule allows are bad measurements", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  auto reply = [&](const std::string& text) {
    const std::string file = "/tmp/qutibench-test-reply-" + std::to_string(::getpid());
    std::ofstream(file) << text;
    command_options o;
    o.argv = {"/bin/sh", "-c", "cat >/dev/null; cat " + file};
    const measure_error e = thrown([&] { command_adapter(o).measure(net, whole("mlp-p50", 1)); });
    ::unlink(file.c_str());
    return e;
  };
  const measure_error huge = reply(R"({"compute": {"median_s": 1e400, "runs": 1}})");
  CHECK(huge.id() == error_id::bad_measurement);
  CHECK_THAT(huge.what(), Contains("spec_error 501"));
  // Two medians: which one a reader takes differs between JSON libraries.
  const measure_error twice = reply(R"({"compute": {"median_s": 1, "runs": 1, "median_s": 2}})");
  CHECK(twice.id() == error_id::bad_measurement);
  CHECK_THAT(twice.what(), Contains("/compute/median_s") && Contains("key given twice") && Contains("spec_error 507"));
  // 400k brackets overflowed the stack of the message that quoted them.
  const measure_error deep = reply(std::string(400000, '[') + std::string(400000, ']'));
  CHECK(deep.id() == error_id::bad_measurement);
  CHECK_THAT(deep.what(), Contains("nested deeper than 64 levels") && Contains("spec_error 506"));
  CHECK(std::string(deep.what()).size() < 1000);
}

TEST_CASE("command adapter: output that is not JSON is a bad measurement", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  // garbage.py exits without reading its request: the write may hit EPIPE, which must
  // neither kill the test process (SIGPIPE) nor hide the real problem.
  for (int i = 0; i < 5; ++i) {
    const measure_error e = thrown([&] { python("garbage.py").measure(net, whole("mlp-p50", 1)); });
    CHECK(e.id() == error_id::bad_measurement);
    CHECK_THAT(e.what(), Contains("not one JSON measurement (not valid JSON") && Contains("output began: \"hello, not json\\n\""));
  }
}

TEST_CASE("command adapter: a failing command reports its status and stderr", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  const measure_error e = thrown([&] { python("fails.py").measure(net, whole("mlp-p50", 1)); });
  CHECK(e.id() == error_id::command_failed);
  CHECK_THAT(e.what(), Contains("[qutibench.measure_error.603]") && Contains("exited with status 3") &&
                           Contains("stderr ends: fails.py: opening the device | fails.py: device /dev/accel0 not found"));
}

TEST_CASE("command adapter: a program that does not exist", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_options o;
  o.argv = {"/no/such/program", "--flag"};
  const measure_error e = thrown([&] { command_adapter(o).measure(net, whole("mlp-p50", 1)); });
  CHECK(e.id() == error_id::command_failed);
  CHECK_THAT(e.what(), Contains("command '/no/such/program --flag': cannot run '/no/such/program': No such file or directory"));
}

TEST_CASE("command adapter: a command killed by a signal", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_options o;
  o.argv = {"/bin/sh", "-c", "echo dying >&2; kill -9 $$"};
  const measure_error e = thrown([&] { command_adapter(o).measure(net, whole("mlp-p50", 1)); });
  CHECK(e.id() == error_id::command_failed);
  CHECK_THAT(e.what(), Contains("killed by signal 9; stderr ends: dying"));
}

TEST_CASE("command adapter: fields of the wrong type or range name their pointer", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  const measure_error text = thrown([&] { python("bad_field.py").measure(net, whole("mlp-p50", 1)); });
  CHECK(text.id() == error_id::bad_measurement);
  CHECK_THAT(text.what(), Contains("bad_field.py': /compute/median_s: must be a positive number, got \"abc\"") &&
                              Contains("output began: \"{\\\"compute\\\""));
  const measure_error negative = thrown([&] { python("bad_field.py", 30, {"negative"}).measure(net, whole("mlp-p50", 1)); });
  CHECK(negative.id() == error_id::bad_measurement);
  CHECK_THAT(negative.what(), Contains("bad_field.py negative': /compute/median_s: must be a positive number, got -0.5"));
}

TEST_CASE("command adapter: answers that contradict the request", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  auto answer = [&](const std::string& json) {
    command_options o;
    o.argv = {"/bin/sh", "-c", "cat >/dev/null; echo '" + json + "'"};
    o.platform = "sh";
    return thrown([&] { command_adapter(o).measure(net, whole("mlp-p50", 1)); });
  };
  const std::string compute = R"("compute": {"median_s": 1, "runs": 1})";
  CHECK_THAT(answer(R"({"platform": "other", )" + compute + "}").what(),
             Contains(": /platform: answers for platform 'other', but this adapter measures 'sh'"));
  CHECK_THAT(answer(R"({"kernel": {"topology": "mlp-p50", "batch": 2}, )" + compute + "}").what(),
             Contains(": /kernel: answers for kernel"));
  CHECK_THAT(answer(R"({"ops": 12, )" + compute + "}").what(), Contains(": /ops: reports 12 ops per batch, but the kernel has 5820416"));
  CHECK_THAT(answer(R"({"protocol": "qutibench-measure/2", )" + compute + "}").what(), Contains(": /protocol: must be"));
  CHECK_THAT(answer(R"({"compute": {"median": 1, "runs": 1}})").what(),
             Contains(": /compute/median: unknown field; valid here: median_s, min_s"));
  CHECK_THAT(answer(R"({"compute": {"median_s": 1, "runs": 0}})").what(), Contains(": /compute/runs: must be an integer >= 1, got 0"));
  CHECK_THAT(answer(R"({"carrier": "int2", )" + compute + "}").what(), Contains(": /carrier: int2 cannot hold the kernel's datatype int4"));
  CHECK_THAT(answer(R"({"compute": {"median_s": 1, "min_s": 2, "runs": 3}})").what(),
             Contains(": /compute: must satisfy min_s <= q1_s <= median_s <= q3_s <= max_s"));
  CHECK_THAT(answer("[1, 2]").what(), Contains(": /: a measurement must be a JSON object, got [1,2]"));
  const measure_error empty = answer("");
  CHECK(empty.id() == error_id::bad_measurement);
  CHECK_THAT(empty.what(), Contains("printed no measurement on stdout"));
}

TEST_CASE("command adapter: kernels it cannot send", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_adapter a = python("answers.py");
  kernel k = whole("mlp-p50", 1);
  k.level = measure_level::layer;
  k.layers = {"fc9"};
  CHECK_THROWS_AS(a.measure(net, k), spec_error);
  k.layers = {};
  CHECK_THROWS_WITH(a.measure(net, k), Contains("a level-1 kernel lists exactly one layer"));
  CHECK_THROWS_WITH(a.measure(net, whole("mlp", 1)), Contains("names topology 'mlp', but 'mlp-p50' was given"));
  CHECK_THROWS_AS(command_adapter(command_options{}), spec_error);
  command_options zero;
  zero.argv = {"/bin/true"};
  zero.timeout = seconds::from_value(0);
  CHECK_THROWS_AS(command_adapter(zero), spec_error);
}

TEST_CASE("command adapter: the example runtime answers the protocol", "[command]") {
  const topology net = zoo::mlp(0.5, "mlp-p50");
  command_options o;
  o.argv = {"/usr/bin/python3", QUTIBENCH_DATA_DIR "/../examples/command_adapter.py"};
  const measurement m = command_adapter(o).measure(net, whole("mlp-p50", 2));
  CHECK(m.platform == "external");
  CHECK(m.work.value() == 2.0 * mlp50_macs * 2);
  CHECK(m.compute.median.value() == Approx(m.work.value() / 1e11 * 1.02));  // the model: ops / 1e11 s, +2 % median
  CHECK(m.compute.runs == 5);
  CHECK(m.system.median > m.compute.median);
}

TEST_CASE("kernel JSON: form and round trip", "[command]") {
  kernel k;
  k.topology = "resnet50";
  k.level = measure_level::stack;
  k.layers = {"layer1.0.conv1", "layer1.0.bn1"};
  k.type = datatypes::fp16;
  k.batch = 8;
  k.threads = 4;
  const auto j = to_json(k);
  CHECK(j.dump() ==
        R"({"topology":"resnet50","level":2,"layers":["layer1.0.conv1","layer1.0.bn1"],"datatype":"fp16","batch":8,"threads":4})");
  const kernel back = kernel_from_json(j, "test");
  CHECK(back.name() == k.name());
  CHECK(back.level == k.level);
  CHECK(back.type == k.type);
  CHECK(back.batch == 8);
  CHECK(back.threads == 4);

  const kernel minimal = kernel_from_json(nlohmann::ordered_json::parse(R"({"topology": "mlp"})"), "test");
  CHECK(minimal.level == measure_level::network);
  CHECK(minimal.layers.empty());
  CHECK(minimal.type == datatypes::int8);
  CHECK(minimal.batch == 1);
  CHECK(minimal.threads == 1);

  auto bad = [](const char* text) { return thrown([&] { kernel_from_json(nlohmann::ordered_json::parse(text), "k.json"); }); };
  CHECK_THAT(bad(R"({"level": 3})").what(), Contains("[qutibench.measure_error.605] k.json: /topology: required"));
  CHECK_THAT(bad(R"({"topology": "mlp", "level": 4})").what(), Contains("k.json: /level: must be 1 (layer), 2 (stack) or 3"));
  CHECK_THAT(bad(R"({"topology": "mlp", "datatype": "int33"})").what(), Contains("k.json: /datatype: 'int33' is not a datatype"));
  CHECK_THAT(bad(R"({"topology": "mlp", "batch": 0})").what(), Contains("k.json: /batch: must be an integer >= 1, got 0"));
  CHECK_THAT(bad(R"({"topology": "mlp", "batch": 1.5})").what(), Contains("k.json: /batch: must be an integer >= 1, got 1.5"));
  CHECK_THAT(bad(R"({"topology": "mlp", "layers": ["fc1"]})").what(), Contains("a level-3 kernel is the whole network"));
  CHECK_THAT(bad(R"({"topology": "mlp", "layer": ["fc1"]})").what(), Contains("k.json: /layer: unknown field"));
}

TEST_CASE("measurement JSON: form and round trip", "[command]") {
  measurement m;
  m.what = whole("mlp-p50", 2);
  m.platform = "tx2";
  m.mode = "maxn";
  m.carrier = datatypes::int8;
  m.kernel_path = "TensorRT";
  m.host = "Jetson TX2";
  m.work = ops::from_value(2.0 * mlp50_macs * 2);
  m.compute = summarize({0.001, 0.002, 0.003, 0.004, 0.005});
  m.system = summarize({0.002, 0.003, 0.004});
  m.top1_pct = 97.5;
  m.top5_pct = 99.9;
  m.base_power = watts::from_value(1.5);
  m.idle_power = watts::from_value(2.0);
  m.full_power = watts::from_value(9.25);

  const auto j = to_json(m);
  CHECK(j["ops"].is_number_unsigned());
  CHECK(j["ops"].get<std::uint64_t>() == 11'640'832);
  CHECK(j["compute"]["q1_s"].get<double>() == 0.002);
  CHECK(j["kernel"]["datatype"] == "int4");
  CHECK(j["carrier"] == "int8");

  const measurement back = measurement_from_json(j, "test");
  CHECK(to_json(back) == j);
  CHECK(back.compute.median.value() == 0.003);
  CHECK(back.system.runs == 3);
  CHECK(back.top5_pct == 99.9);
  CHECK(back.full_power->value() == 9.25);

  measurement bare = m;
  bare.top1_pct = bare.top5_pct = std::nullopt;
  bare.base_power = bare.idle_power = bare.full_power = std::nullopt;
  const auto bj = to_json(bare);
  CHECK_FALSE(bj.contains("top1_pct"));
  CHECK_FALSE(bj.contains("full_power_w"));
  CHECK(to_json(measurement_from_json(bj, "test")) == bj);

  auto without = [&](const char* key) {
    auto copy = j;
    copy.erase(key);
    return thrown([&] { measurement_from_json(copy, "records.json"); });
  };
  CHECK_THAT(without("kernel").what(), Contains("records.json: /kernel: required"));
  CHECK_THAT(without("platform").what(), Contains("records.json: /platform: required"));
  CHECK_THAT(without("ops").what(), Contains("records.json: /ops: required"));
  CHECK_THAT(without("compute").what(), Contains("records.json: /compute: required"));
  auto copy = j;
  copy["top5_pct"] = 90.0;
  CHECK_THAT(thrown([&] { measurement_from_json(copy, "r"); }).what(), Contains("r: /top5_pct: top-5 accuracy cannot be below top-1"));
  copy = j;
  copy["kernel"]["threads"] = -1;
  CHECK_THAT(thrown([&] { measurement_from_json(copy, "r"); }).what(), Contains("r: /kernel/threads: must be an integer >= 1, got -1"));
}
