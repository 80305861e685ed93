"""The measurement commands: measure, validate, host-roofline (small repeat counts)."""
import csv
import io
import json
import os
import subprocess
import sys

import pytest

CLI = os.environ.get("QUTIBENCH_CLI")
pytestmark = pytest.mark.skipif(not CLI, reason="QUTIBENCH_CLI is not set (CTest sets it)")
QUICK = ["--repeats", "1", "--min-time", "0"]


def run(*args, check=True):
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=check)


def test_measure_level1_mlp_records_carrier_and_kernel_path():
    out = run("measure", "--topology", "mlp-p25", "--level", "1", "--datatype", "int4", "--batch", "1,2",
              "--format", "csv", *QUICK)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    # Four dense layers (the first three with their batch norm and relu) x two batch sizes.
    assert len(rows) == 8
    assert rows[0]["kernel"] == "mlp-p25/fc1+bn1+act1"
    for r in rows:
        assert r["carrier"] == "uint8" and r["kernel_path"].startswith("gemmlowp")
        assert float(r["compute_min_s"]) <= float(r["compute_median_s"]) <= float(r["compute_max_s"])
    # 784 x 512 weights: 2 x 784 x 512 x batch ops.
    assert [float(r["ops"]) for r in rows[::4]] == [2 * 784 * 512, 2 * 2 * 784 * 512]
    assert "measure [8/8]" in out.stderr  # progress on stderr


def test_validate_json_has_the_documented_structure():
    out = json.loads(run("validate", "--topology", "mlp,cnv-p50", "--platform", "host", "--level", "1",
                         "--format", "json", *QUICK).stdout)
    keys = {"n", "pearson", "spearman", "median_abs_rel_error", "efficiency_median"}
    assert keys <= set(out["summary"]) and keys <= set(out["calibrated"])
    assert out["summary"]["n"] == len(out["kernels"]) == 4 + 9
    for k in out["kernels"]:
        assert k["efficiency"] == pytest.approx(k["predicted_s"] / k["measured_s"])
        assert 0 <= k["measured_iqr_s"] < k["measured_s"]  # the spread of its repeats
    # Measured interleaved, reported in the order of the topologies and their layers.
    assert [k["kernel"].split("/")[0] for k in out["kernels"]] == ["mlp"] * 4 + ["cnv-p50"] * 9


def test_validate_resnet50_level1_on_the_host_prints_the_summary():
    # The acceptance run: 53 convolutions and the classifier, predicted on the host's
    # empirical roofline and measured (each kernel checked against its naive loop once).
    out = run("validate", "--topology", "resnet50", "--platform", "host", "--level", "1", *QUICK).stdout
    assert "roofline: n 54, pearson" in out
    assert "calibrated (out-of-fold): n 54" in out


def test_host_roofline_is_a_valid_platform_spec(tmp_path):
    spec = tmp_path / "host.json"
    run("host-roofline", "--threads", "1", "--output", str(spec))
    data = json.loads(spec.read_text())
    assert list(tmp_path.iterdir()) == [spec]  # written through a temporary, renamed
    assert data["id"] == "host" and list(data["modes"]) == ["1t"]
    assert set(data["modes"]["1t"]["peak_tera_ops_per_s"]) == {"int8", "fp32"}
    assert run("check-platform", str(spec)).returncode == 0
    pred = json.loads(run("predict", "--topology", "mlp", "--platform", f"{spec}:1t", "--datatype", "int4",
                          "--format", "json").stdout)
    assert pred["status"] == "ok" and pred["carrier"] == "int8"


def test_measure_refuses_what_the_executor_cannot_run():
    bad = run("measure", "--topology", "bert-base", "--level", "3", *QUICK, check=False)
    assert bad.returncode == 2 and "[qutibench.measure_error.602]" in bad.stderr


def python(code, timeout=60):
    """Runs `code` in a fresh Python with the package: a crash or hang fails the test, not pytest."""
    return subprocess.run([sys.executable, "-c", "import qutibench as qb\n" + code], capture_output=True, text=True,
                          timeout=timeout)


def refusal_by_python(call):
    out = python(f"try:\n    {call}\nexcept qb.SpecError as e:\n    print(e.id, e)\n")
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


MEASURE_REFUSALS = [  # CLI arguments, Python keywords, the one message both give
    (["--level", "0"], "level=0", "level: must be 1 (layers), 2 (stacks) or 3 (whole network), got 0"),
    (["--level", "4"], "level=4", "level: must be 1 (layers), 2 (stacks) or 3 (whole network), got 4"),
    (["--threads", "0"], "threads=0", "threads: must be 1..1024, got 0"),
    (["--threads", "100000"], "threads=100000", "threads: must be 1..1024, got 100000"),
    (["--repeats", str(2**62)], f"repeats={2**62}", f"repeats: must be 1..100000, got {2**62}"),
    (["--min-time", "inf"], "min_time=float('inf')", "min_time: must be 0..3600 seconds, got inf"),
    (["--min-time", "-1"], "min_time=-1", "min_time: must be 0..3600 seconds, got -1"),
]


@pytest.mark.parametrize("cli_args, keywords, message", MEASURE_REFUSALS, ids=[c[1] for c in MEASURE_REFUSALS])
def test_measure_arguments_are_refused_alike_by_cli_and_python(cli_args, keywords, message):
    # Once: min_time=inf never returned, repeats=2**62 and threads=0 or 100000 were taken,
    # and level 0 or 4 was cast to a level that does not exist.
    bad = run("measure", "--topology", "mlp", *cli_args, check=False)
    assert bad.returncode == 2 and bad.stderr == f"qutibench: [qutibench.spec_error.503] {message}\n"
    assert refusal_by_python(f"qb.measure(qb.zoo.get('mlp'), {keywords})") == f"503 [qutibench.spec_error.503] {message}"


def test_host_roofline_thread_counts_are_refused_alike_by_cli_and_python():
    # Once: threads [0] died of SIGFPE in the triad, and [] gave a platform without modes
    # whose to_json() crashed; the CLI's own range check answered differently.
    message = "[qutibench.spec_error.503] threads: must be 1..1024, got 0"
    bad = run("host-roofline", "--threads", "0", check=False)
    assert bad.returncode == 2 and bad.stderr == f"qutibench: {message}\n"
    assert refusal_by_python("qb.host_roofline([0])") == f"503 {message}"
    assert refusal_by_python("qb.host_roofline([])") == \
        "503 [qutibench.spec_error.503] threads: needs at least one thread count"


def test_host_roofline_output_that_cannot_be_written_fails_naming_the_path():
    # Once: "wrote /nonexistent/x.json" and exit 0. A device is written in place, so a
    # full one (/dev/full) reports the failed write itself.
    bad = run("host-roofline", "--output", "/nonexistent/x.json", check=False)
    assert bad.returncode == 2
    assert bad.stderr == "qutibench: [qutibench.spec_error.508] /nonexistent/x.json: cannot write: No such file or directory\n"
    full = run("host-roofline", "--output", "/dev/full", check=False)
    assert full.returncode == 2
    assert full.stderr == "qutibench: [qutibench.spec_error.508] /dev/full: cannot write: No space left on device\n"
