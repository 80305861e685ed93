"""The `qutibench` command line: columns, formats, precision of numbers, errors."""
import csv
import io
import json
import os
import subprocess

import pytest

CLI = os.environ.get("QUTIBENCH_CLI")
pytestmark = pytest.mark.skipif(not CLI, reason="QUTIBENCH_CLI is not set (CTest sets it)")

ZOO_COLUMNS = ["topology", "task", "gops", "model_me", "t_total_me", "peak_live_me",
               "oi_int2", "oi_int4", "oi_int8", "oi_fp16", "oi_fp32"]
STABLE_IDS = ["googlenet-v1", "mobilenet-v1", "resnet50", "resnet50-p80", "resnet50-p50", "resnet50-p30",
              "efficientnet-edgetpu-s", "efficientnet-edgetpu-m", "efficientnet-edgetpu-l", "cnv", "cnv-p50",
              "cnv-p25", "cnv-p12.5", "mlp", "mlp-p50", "mlp-p25", "mlp-p12.5"]


def run(*args, check=True):
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=check)


def zoo_rows():
    return list(csv.DictReader(io.StringIO(run("zoo", "--format", "csv").stdout)))


def test_zoo_csv_has_the_documented_columns_and_every_stable_id():
    out = run("zoo", "--format", "csv").stdout
    assert out.splitlines()[0].split(",") == ZOO_COLUMNS
    ids = [r["topology"] for r in zoo_rows()]
    assert ids[:17] == STABLE_IDS


def test_zoo_json_uses_the_csv_keys_and_values():
    rows = json.loads(run("zoo", "--format", "json").stdout)
    assert [list(r) for r in rows] == [ZOO_COLUMNS] * len(rows)
    by_csv = {r["topology"]: r for r in zoo_rows()}
    for r in rows:
        assert r["gops"] == float(by_csv[r["topology"]]["gops"])
    assert {r["topology"]: r["task"] for r in rows}["bert-base"] is None


def test_zoo_numbers_keep_exact_counts():
    # CNV 100 %: 234,724,864 MACs and 6,157,696 weights (hand count, docs/zoo.md).
    cnv = {r["topology"]: r for r in zoo_rows()}["cnv"]
    assert cnv["task"] == "cifar10"
    assert round(float(cnv["gops"]) * 1e9) == 469_449_728
    assert round(float(cnv["model_me"]) * 1e6) == 6_157_696
    assert float(cnv["oi_int8"]) == pytest.approx(469_449_728 / 6_157_696, rel=1e-12)
    mlp = {r["topology"]: r for r in zoo_rows()}["mlp"]
    assert [float(mlp[c]) for c in ZOO_COLUMNS[6:]] == [8.0, 4.0, 2.0, 1.0, 0.5]  # thesis Table 6.1


def test_zoo_table_is_aligned_text():
    lines = run("zoo").stdout.splitlines()
    assert lines[0].split() == ZOO_COLUMNS
    assert len(lines) == 1 + len(zoo_rows())


def test_show_json_totals_are_the_sums_of_the_layers():
    doc = json.loads(run("show", "resnet50", "--format", "json", "--datatype", "int8", "--batch", "2").stdout)
    assert doc["topology"] == "resnet50" and doc["datatype"] == "int8" and doc["batch"] == 2
    for key in ("ops", "weights", "biases", "state"):
        assert doc["totals"][key] == sum(layer[key] for layer in doc["layers"])
    # A layer's weight_bytes hold its weights and biases; the totals keep them apart. int8:
    # one byte per weight and per bias (biases are stored in the weights' datatype).
    assert doc["totals"]["weight_bytes"] == doc["totals"]["weights"]
    assert doc["totals"]["bias_bytes"] == doc["totals"]["biases"]
    assert doc["totals"]["weight_bytes"] + doc["totals"]["bias_bytes"] == sum(layer["weight_bytes"] for layer in doc["layers"])
    assert doc["layers"][0]["kind"] == "input" and doc["layers"][0]["out_shape"] == [3, 224, 224]
    assert doc["layers"][-1]["out_shape"] == [1000]
    # batch 2 doubles the ops of batch 1; weights stay
    one = json.loads(run("show", "resnet50", "--format", "json").stdout)
    assert doc["totals"]["ops"] == 2 * one["totals"]["ops"]
    assert doc["totals"]["weights"] == one["totals"]["weights"]


def test_show_has_no_intensity_without_weights(tmp_path):
    # Adding two inputs: no ops on weights and no weight bytes, so no operational intensity
    # (0 / 0): "-", as an unknown cell prints, not "-nan"; JSON gives null.
    path = tmp_path / "add.json"
    path.write_text(json.dumps({"name": "add", "nodes": [{"name": "x", "op": "input", "shape": [3, 8, 8]},
                                                        {"name": "y", "op": "input", "shape": [3, 8, 8]},
                                                        {"name": "sum", "op": "add", "inputs": ["x", "y"]}]}))
    assert run("show", str(path)).stdout.endswith("operational intensity (weights off-chip): - ops/byte\n")
    assert json.loads(run("show", str(path), "--format", "json").stdout)["totals"]["operational_intensity"] is None


def test_show_marks_summary_level_models():
    assert json.loads(run("show", "resnet50-p50", "--format", "json").stdout)["layer_defined"] is False
    assert "summary-level" in run("show", "resnet50-p50").stdout


def test_unknown_topology_lists_the_valid_ids():
    r = run("show", "resnet51", check=False)
    assert r.returncode == 2
    assert "[qutibench.spec_error.301]" in r.stderr
    for i in STABLE_IDS:
        assert i in r.stderr


def test_unknown_datatype_is_an_error():
    r = run("show", "cnv", "--datatype", "int99", check=False)
    assert r.returncode == 2
    assert "[qutibench.spec_error.101]" in r.stderr and "int99" in r.stderr


def test_bad_arguments_are_rejected_with_help():
    bad = run("zoo", "--format", "xml", check=False)
    assert bad.returncode == 2 and "[qutibench.spec_error.503] command line: --format: xml not in {table,csv,json}" in bad.stderr
    assert run("show", "cnv", "--batch", "0", check=False).returncode == 2
    assert "zoo" in run("--help").stdout


def test_version_is_the_one_cmake_python_and_the_cli_report():
    import re
    import qutibench
    version = run("--version").stdout.strip()
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version) and version == qutibench.__version__
    # The package config's version (what find_package checks) is read from the same header.
    config = os.path.join(os.path.dirname(os.path.dirname(CLI)), "qutibenchConfigVersion.cmake")
    assert f'set(PACKAGE_VERSION "{version}")' in open(config).read()
