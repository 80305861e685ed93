"""The dataset commands: validate --measurements, pareto --measurements, orthogonality, overheads."""
import csv
import io
import json
import math
import os
import pathlib
import subprocess

import pytest

CLI = os.environ.get("QUTIBENCH_CLI")
pytestmark = pytest.mark.skipif(not CLI, reason="QUTIBENCH_CLI is not set (CTest sets it)")
THESIS = str(pathlib.Path(__file__).resolve().parents[2] / "data" / "measurements" / "level3_thesis.csv")
FIGURES = ["n", "pearson", "spearman", "median_abs_log10_error", "max_abs_log10_error", "efficiency_median"]


def run(*args, check=True):
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=check)


@pytest.mark.parametrize("model", ["plain", "refined", "calibrated", "realistic"])
def test_validate_measurements_json_is_the_documented_form(model):
    out = json.loads(run("validate", "--measurements", THESIS, "--model", model, "--format", "json").stdout)
    assert out["model"] == model
    groups = {(g["platform"], g["task"]): g for g in out["groups"]}
    for g in out["groups"]:
        for key in ["platform", "task", *FIGURES, "plain"]:
            assert key in g
        assert set(FIGURES) <= set(g["plain"])
    # Table 7.1 sits beside the groups it has (FINN CIFAR-10 0.96, FINN MNIST 0.90, TX2 CIFAR-10
    # 0.96, NCS2 CIFAR-10 0.64); the stable ids name platform and task.
    assert groups[("zcu104-finn", "cifar10")]["thesis_pearson"] == 0.96
    assert groups[("zcu104-finn", "mnist")]["thesis_pearson"] == 0.90
    assert groups[("ncs2", "cifar10")]["thesis_pearson"] == 0.64
    assert groups[("ultra96-a53", "mnist")]["thesis_pearson"] is None
    assert groups[("all", "all")]["n"] == 56


def test_validate_measurements_table_prints_the_thesis_value_beside_ours():
    lines = run("validate", "--measurements", THESIS).stdout.splitlines()
    assert lines[0].split()[:5] == ["platform", "task", "n", "pearson", "thesis_pearson"]
    tx2 = next(line.split() for line in lines if line.startswith("tx2") and " cifar10 " in line)
    assert tx2[4] == "0.96"


def test_few_shot_is_the_same_from_the_cli_and_python():
    import qutibench as qb

    cli = json.loads(run("validate", "--measurements", THESIS, "--few-shot", "1,2", "--format", "json").stdout)
    py = qb.few_shot(THESIS, [1, 2])
    assert [(r["platform"], r["k"]) for r in cli["few_shot"]] == [(r["platform"], r["k"]) for r in py]
    assert {r["platform"] for r in py} == {"tx2", "ncs2", "ultra96-a53", "zcu104-finn"}
    for c, p in zip(cli["few_shot"], py):
        assert c["median_abs_log10_error"] == pytest.approx(p["median_abs_log10_error"], rel=1e-9)
        # every k networks of the platform in turn: n choose k trials
        assert p["trials"] == math.comb(p["networks"], p["k"])
    # The arguments fail the same way in both.
    bad = run("validate", "--measurements", THESIS, "--few-shot", "0", check=False)
    assert bad.returncode != 0 and "network counts must be 1..5, got 0" in bad.stderr
    with pytest.raises(qb.SpecError, match="network counts must be 1..5, got 0"):
        qb.few_shot(THESIS, 0)
    assert run("validate", "--measurements", THESIS, "--few-shot", "1", "--model", "refined", check=False).returncode != 0


def test_predict_calibrated_on_the_users_rows_is_the_same_from_the_cli_and_python(tmp_path):
    import qutibench as qb

    # One network measured on the KV260 at half its realistic rate: the fit is the efficiency
    # alone, 2 (measured time / realistic time), and every other network is predicted at half
    # its realistic rate too.
    realistic = qb.predict("resnet50", "kv260-dpu", "int8", model="realistic")["inputs_per_s"]
    mine = tmp_path / "mine.csv"
    mine.write_text("topology_id,platform_id,mode,datatype,batch,measured_inputs_per_s,measured_latency_ms,metric_kind,"
                    "source_repo_or_url,source_path_or_section,notes\n"
                    f"resnet50,kv260-dpu,,int8,1,{realistic / 2!r},,compute,my bench,run 1,\n"
                    "resnet50,zcu102-dpu,,int8,1,1,,compute,another board,run 1,\n")
    expected = qb.predict("resnet18", "kv260-dpu", "int8", batch=4, model="realistic")["inputs_per_s"] / 2
    cli = json.loads(run("predict", "--topology", "resnet18", "--platform", "kv260-dpu", "--datatype", "int8", "--batch", "4",
                         "--calibrate", str(mine), "--format", "json").stdout)
    py = qb.predict("resnet18", "kv260-dpu", "int8", batch=4, calibrate=mine)
    for r in (cli, py):
        assert r["model"] == "calibrated"
        assert r["calibration"] == str(mine)
        assert r["calibration_efficiency"] == pytest.approx(2)
        assert r["calibration_dispatch_s"] == 0
        assert (r["calibration_settings"], r["calibration_networks"]) == (1, 1)
        assert (r["calibration_skipped_rows"], r["calibration_skipped"]) == (0, "")
        assert r["inputs_per_s"] == pytest.approx(expected, rel=1e-9)
        assert r["latency_s"] == pytest.approx(4 / expected, rel=1e-9)
    # The arguments fail the same way in both.
    for args, kwargs, message in [(["--model", "plain"], {"model": "plain"}, "calibrate: fits on the realistic model"),
                                  (["--per-layer"], {"per_layer": True}, "calibrate: scales the whole prediction"),
                                  (["--metric", "system"], {"metric": "system"}, "has no usable system throughput measured on kv260-dpu; it has compute figures")]:
        bad = run("predict", "--topology", "resnet18", "--platform", "kv260-dpu", "--datatype", "int8", "--calibrate", str(mine),
                  *args, check=False)
        assert bad.returncode != 0 and message in bad.stderr
        with pytest.raises(qb.SpecError, match=message):
            qb.predict("resnet18", "kv260-dpu", "int8", calibrate=mine, **kwargs)
    bad = run("predict", "--topology", "resnet18", "--platform", "kv260-dpu", "--datatype", "int8", "--metric", "system",
              check=False)
    assert bad.returncode != 0 and "--metric requires --calibrate" in bad.stderr
    with pytest.raises(qb.SpecError, match="argument .metric.: applies to calibrate only"):
        qb.predict("resnet18", "kv260-dpu", "int8", metric="system")
    # An empty file name, and a metric that is neither, the same in both.
    for args, kwargs, message in [(["--calibrate", ""], {"calibrate": ""}, "calibrate: give a measurement CSV"),
                                  (["--calibrate", str(mine), "--metric", "bogus"], {"calibrate": mine, "metric": "bogus"},
                                   "metric 'bogus': valid: compute, system")]:
        bad = run("predict", "--topology", "resnet18", "--platform", "kv260-dpu", "--datatype", "int8", *args, check=False)
        assert bad.returncode != 0 and message in bad.stderr
        with pytest.raises(qb.SpecError, match=message):
            qb.predict("resnet18", "kv260-dpu", "int8", **kwargs)
    # Without calibrate the model stays plain, as before.
    assert qb.predict("resnet18", "kv260-dpu", "int8")["inputs_per_s"] == pytest.approx(
        json.loads(run("predict", "--topology", "resnet18", "--platform", "kv260-dpu", "--datatype", "int8", "--format",
                       "json").stdout)["inputs_per_s"])


def test_predict_calibrates_a_spec_file_of_your_own_on_rows_naming_it(tmp_path):
    import qutibench as qb

    # Your board as a spec file with an id no shipped spec has, and your rows naming it: the
    # rows load and fit (one network at a third of the realistic rate: efficiency 3), and a
    # row with no batch is skipped and said so.
    spec = json.loads((pathlib.Path(THESIS).parents[1] / "platforms" / "kv260-dpu.json").read_text())
    spec["id"], spec["aliases"] = "my-board", []
    board = tmp_path / "my-board.json"
    board.write_text(json.dumps(spec))
    realistic = qb.predict("resnet50", str(board), "int8", model="realistic")["inputs_per_s"]
    mine = tmp_path / "mine.csv"
    mine.write_text("topology_id,platform_id,mode,datatype,batch,measured_inputs_per_s,measured_latency_ms,metric_kind,"
                    "source_repo_or_url,source_path_or_section,notes\n"
                    f"resnet50,my-board,,int8,1,{realistic / 3!r},,compute,my bench,run 1,\n"
                    "resnet18,my-board,,int8,,5,,compute,my bench,run 2,\n")
    cli = json.loads(run("predict", "--topology", "resnet50", "--platform", str(board), "--datatype", "int8", "--calibrate", str(mine),
                         "--format", "json").stdout)
    py = qb.predict("resnet50", str(board), "int8", calibrate=mine)
    for r in (cli, py):
        assert r["platform"] == "my-board" and r["calibration_efficiency"] == pytest.approx(3)
        assert r["inputs_per_s"] == pytest.approx(realistic / 3, rel=1e-9)
        assert (r["calibration_skipped_rows"], r["calibration_skipped"]) == (1, "1 with no batch")


def test_validate_needs_a_mode():
    bad = run("validate", check=False)
    assert bad.returncode != 0 and "--topology" in bad.stderr


def test_pareto_with_measurements_marks_the_measured_frontier():
    rows = list(csv.DictReader(io.StringIO(run("pareto", "--task", "cifar10", "--measurements", THESIS,
                                               "--format", "csv").stdout)))
    measured = [r for r in rows if r["source"] == "measured"]
    predicted = [r for r in rows if r["source"] == "predicted"]
    assert measured and predicted
    front = {(r["platform"], r["topology"], r["datatype"]) for r in measured if r["on_frontier"] == "yes"}
    assert {("zcu104-finn", "cnv-p12.5", "int2"), ("zcu104-finn", "cnv-p25", "int2"),
            ("zcu104-finn", "cnv-p50", "int2"), ("zcu104-finn", "cnv-p50", "int4")} <= front


def test_orthogonality_of_cnv_pruning_and_quantization_on_finn():
    out = json.loads(run("orthogonality", "--topology", "cnv", "--pruned", "cnv-p50", "--platform", "zcu104-finn",
                         "--original", "int4", "--quantized", "int2", "--measurements", THESIS,
                         "--format", "json").stdout)
    gains = {g["source"]: g for g in out["gains"]}
    # The memory-bound roofline: halving the bits doubles throughput (p1 = p2 = 2), the 50 % CNV
    # has 3.99x fewer weights (6,157,696 / 1,542,848): perfectly orthogonal.
    assert gains["predicted"]["p1"] == pytest.approx(2)
    assert gains["predicted"]["q1"] == pytest.approx(6_157_696 / 1_542_848)
    assert gains["predicted"]["interaction"] == pytest.approx(1)
    assert gains["measured"]["complementary"] == "yes"


def test_orthogonality_predicts_with_the_model_asked_for():
    import qutibench as qb

    args = ["orthogonality", "--topology", "resnet50", "--pruned", "resnet50-p50", "--platform", "zcu102-dpu",
            "--original", "int8", "--quantized", "int4", "--format", "json"]
    plain = {v["variant"]: v for v in json.loads(run(*args).stdout)["variants"]}
    realistic = {v["variant"]: v for v in json.loads(run(*args, "--model", "realistic").stdout)["variants"]}
    want = qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8", model="realistic")["inputs_per_s"]
    assert realistic["A original"]["predicted_inputs_per_s"] == pytest.approx(want, rel=1e-9)
    assert plain["A original"]["predicted_inputs_per_s"] == pytest.approx(19.2e9 / 25_502_912)  # eq. 4.2, memory bound


def test_overheads_lists_batches_and_system_overhead():
    rows = list(csv.DictReader(io.StringIO(run("overheads", "--measurements", THESIS, "--format", "csv").stdout)))
    cnv = next(r for r in rows if r["platform"] == "tx2" and r["mode"] == "maxp" and r["topology"] == "cnv"
               and r["datatype"] == "fp32")
    assert cnv["batches"] == "1 2 4 8 16 32 64 128"
    assert float(cnv["overhead_median"]) > 1
