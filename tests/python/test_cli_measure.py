"""The measurement commands: measure, validate, host-roofline (small repeat counts)."""
import csv
import io
import json
import os
import subprocess

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
    assert data["id"] == "host" and list(data["modes"]) == ["1t"]
    assert set(data["modes"]["1t"]["peak_tera_ops_per_s"]) == {"int8", "fp32"}
    assert run("check-platform", str(spec)).returncode == 0
    pred = json.loads(run("predict", "--topology", "mlp", "--platform", f"{spec}:1t", "--datatype", "int4",
                          "--format", "json").stdout)
    assert pred["status"] == "ok" and pred["carrier"] == "int8"


def test_measure_refuses_what_the_executor_cannot_run():
    bad = run("measure", "--topology", "bert-base", "--level", "3", *QUICK, check=False)
    assert bad.returncode == 2 and "[qutibench.measure_error.602]" in bad.stderr
