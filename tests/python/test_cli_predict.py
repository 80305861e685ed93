"""The prediction commands: platforms, predict, heatmap, pareto, check-platform."""
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
ROOT = pathlib.Path(__file__).resolve().parents[2]
INVALID = ROOT / "tests" / "data" / "platforms_invalid"

THESIS_PLATFORMS = ["ultra96-dpu", "zcu104-dpu", "zcu102-dpu", "zcu104-finn", "zcu104-bismo", "tx2", "coral-tpu",
                    "ncs2", "ultra96-a53"]
MODES = {"tx2": {"maxn", "maxp", "maxq"}, "coral-tpu": {"fast", "slow"}}
THESIS_TYPES = {"int2", "int4", "int8", "int16", "fp16", "bf16", "fp32"}


def run(*args, check=True):
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=check)


def csv_rows(*args):
    return list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))


def test_predict_json_has_the_documented_keys_and_the_hand_figure():
    # ZCU102-DPU, ResNet50 INT8 (thesis Table 6.2: 6.71 TOP/s, 19.2 GB/s; 25,502,912 weights):
    # memory bound at 19.2e9 / 25,502,912 B = 752.86 inputs/s.
    out = json.loads(run("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8",
                         "--format", "json").stdout)
    for key in ["status", "inputs_per_s", "ops_per_s", "latency_s", "operational_intensity", "bound"]:
        assert key in out
    assert out["status"] == "ok" and out["bound"] == "memory"
    assert out["inputs_per_s"] == pytest.approx(19.2e9 / 25_502_912)
    assert out["latency_s"] == pytest.approx(25_502_912 / 19.2e9)


def test_predict_table_is_for_reading_and_csv_keeps_every_digit():
    args = ("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8")
    # One record wider than 120 characters: a field per line.
    lines = run(*args).stdout.splitlines()
    assert max(len(line) for line in lines) <= 120
    shown = dict(line.split(None, 1) for line in lines)
    # 19.2e9 B/s / 25,502,912 B = 752.86 inputs/s; its latency 1.3283 ms; 6.71 TOP/s.
    assert (shown["inputs_per_s"], shown["latency_s"], shown["peak_ops_per_s"]) == ("752.9", "0.001328", "6.71e+12")
    assert shown["traffic_bytes"] == "25,500,000" and shown["mode"] == "-"
    row = csv_rows(*args)[0]
    assert float(row["inputs_per_s"]) == pytest.approx(19.2e9 / 25_502_912, rel=1e-14)
    assert row["traffic_bytes"] == "25502912"
    # Many rows stay a table, its numbers rounded and grouped: GoogLeNet v1's 3.165343744 GOPs
    # and its INT2 operational intensity 1811.285 (CSV: 15 digits).
    lines = run("zoo").stdout.splitlines()
    header, googlenet = lines[0].split(), next(line.split() for line in lines if line.startswith("googlenet-v1 "))
    cells = dict(zip(header, googlenet))
    assert (cells["gops"], cells["model_me"], cells["oi_int2"]) == ("3.165", "6.99", "1,811")


def test_predict_unsupported_datatype_is_a_status_not_a_number():
    r = run("predict", "--topology", "mlp", "--platform", "tx2:maxq", "--datatype", "int8", "--format", "json")
    out = json.loads(r.stdout)
    assert out["status"] == "unsupported"
    assert out["inputs_per_s"] is None and out["latency_s"] is None and out["bound"] is None
    # What the mode runs instead (tx2.json, maxq: fp16 and fp32 peaks, no carrier).
    assert r.stderr == "qutibench: note: tx2:maxq does not run int8; it runs fp16, fp32\n"
    # With carrier emulation, a type runs in a wider one of its own kind: the EPYC 7742's
    # fp32 carries fp16, but no integer type carries int8 (epyc-7742.json notes).
    r = run("predict", "--topology", "mlp", "--platform", "epyc-7742", "--datatype", "int8", "--format", "json")
    assert json.loads(r.stdout)["status"] == "unsupported"
    assert r.stderr == ("qutibench: note: epyc-7742 does not run int8; it runs fp32, fp64, and narrower types in the smallest of "
                        "these of their kind (integer, floating point) that holds them\n")
    assert json.loads(run("predict", "--topology", "mlp", "--platform", "epyc-7742", "--datatype", "fp16", "--format", "json").stdout)[
        "carrier"] == "fp32"


def test_predict_onchip_if_fits_makes_the_int2_mlp_compute_bound_on_finn():
    args = ["predict", "--topology", "mlp", "--platform", "zcu104-finn", "--datatype", "int2", "--format", "json"]
    assert json.loads(run(*args).stdout)["bound"] == "memory"
    fits = json.loads(run(*args, "--memory-model", "onchip-if-fits").stdout)
    assert fits["bound"] == "compute"
    assert fits["inputs_per_s"] == pytest.approx(30.7e12 / (2 * 10_014_720))  # peak / MLP ops


def test_predict_per_layer_json_lists_layers_whose_times_sum_to_the_latency():
    out = json.loads(run("predict", "--topology", "cnv", "--platform", "zcu104-finn", "--datatype", "int4",
                         "--per-layer", "--format", "json").stdout)
    assert out["model"] == "per-layer"
    assert sum(layer["time_s"] for layer in out["layers"]) == pytest.approx(out["latency_s"])
    assert {layer["bound"] for layer in out["layers"]} <= {"compute", "memory", None}
    # A layer without work or traffic (the input, a folded norm) has no intensity and no bound.
    first = out["layers"][0]
    assert (first["kind"], first["ops"], first["operational_intensity"], first["bound"]) == ("input", 0, None, None)


def test_predict_per_layer_csv_ends_with_the_whole_network():
    rows = csv_rows("predict", "--topology", "cnv", "--platform", "zcu104-finn", "--datatype", "int4", "--per-layer")
    summary = json.loads(run("predict", "--topology", "cnv", "--platform", "zcu104-finn", "--datatype", "int4",
                             "--per-layer", "--format", "json").stdout)
    *layers, total = rows
    assert (total["layer"], total["kind"], total["bound"]) == ("cnv", "network", summary["bound"])
    # CNV's 234,724,864 MACs (thesis Section 5.2, counted by hand in test_requirements.cpp).
    assert float(total["ops"]) == sum(float(r["ops"]) for r in layers) == 2 * 234_724_864
    assert float(total["time_s"]) == pytest.approx(summary["latency_s"], rel=1e-14)
    assert float(total["time_s"]) == pytest.approx(sum(float(r["time_s"]) for r in layers))
    assert rows[0]["operational_intensity"] == "" and rows[0]["bound"] == ""


def test_predict_accepts_a_spec_file_and_a_mode():
    spec = ROOT / "examples" / "my_accelerator.json"
    out = json.loads(run("predict", "--topology", "resnet50", "--platform", f"{spec}:eco", "--datatype", "int8",
                         "--batch", "64", "--format", "json").stdout)
    assert out["mode"] == "eco" and out["bound"] == "compute"
    assert out["ops_per_s"] == pytest.approx(16e12)


def test_predict_unknown_platform_and_mode_are_errors():
    bad = run("predict", "--topology", "mlp", "--platform", "tx3", "--datatype", "fp16", check=False)
    assert bad.returncode == 2 and "[qutibench.spec_error.301]" in bad.stderr and "tx2" in bad.stderr
    bad = run("predict", "--topology", "mlp", "--platform", "tx2:turbo", "--datatype", "fp16", check=False)
    assert bad.returncode == 2 and "maxn, maxp, maxq" in bad.stderr


def test_platforms_lists_the_thesis_rows_with_stable_ids_and_modes():
    rows = csv_rows("platforms")
    pairs = {(r["platform"], r["mode"]) for r in rows}
    for pid in THESIS_PLATFORMS:
        for mode in MODES.get(pid, {""}):
            assert (pid, mode) in pairs
    assert len({r["platform"] for r in rows}) >= 9 + 8
    a53 = next(r for r in rows if r["platform"] == "ultra96-a53")
    assert a53["peak_int2_tops"] == a53["peak_int4_tops"] == a53["peak_int8_tops"] == "0.192"
    assert a53["peak_fp16_tops"] == ""


@pytest.mark.parametrize("task", ["imagenet", "cifar10", "mnist"])
def test_heatmap_runs_for_every_task_with_stable_ids(task):
    out = run("heatmap", "--task", task, "--format", "csv").stdout
    assert out.splitlines()[0] == "task,platform,mode,datatype,topology,inputs_per_s,bound"
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    for r in rows:
        assert r["task"] == task
        assert r["platform"] in THESIS_PLATFORMS
        assert r["mode"] in MODES.get(r["platform"], {""})
        assert r["datatype"] in THESIS_TYPES
        assert float(r["inputs_per_s"]) > 0
        assert r["bound"] in {"compute", "memory"}
    assert run("heatmap", "--task", task).stdout.splitlines()[0].split()[:3] == ["platform", "mode", "datatype"]


def pareto(task, *extra):
    return csv_rows("pareto", "--task", task, *extra)


@pytest.mark.parametrize("task", ["cifar10", "mnist"])
def test_pareto_frontier_is_the_quantized_variants_on_finn_and_bismo(task):
    rows = pareto(task)
    assert list(rows[0])[:8] == ["topology", "platform", "mode", "datatype", "accuracy_top1", "inputs_per_s",
                                 "latency_s", "on_frontier"]
    front = [r for r in rows if r["on_frontier"] == "yes"]
    ours = [r for r in front if r["platform"] in ("zcu104-finn", "zcu104-bismo")]
    assert {r["datatype"] for r in ours} == {"int2", "int4"}
    assert {r["topology"] for r in ours} == {r["topology"] for r in rows}  # every pruning level
    others = [r for r in front if r not in ours]
    # The one exception (MNIST): Table 5.2 gives the 12.5 % MLP a higher FP16 than INT4 accuracy.
    assert [(r["platform"], r["topology"], r["datatype"]) for r in others] in (
        [], [("tx2", "mlp-p12.5", "fp16")] * len(others))


def test_pareto_imagenet_points_include_the_tpu_and_the_dpus():
    rows = pareto("imagenet")
    points = {(r["platform"], r["mode"], r["topology"]) for r in rows}
    assert ("coral-tpu", "fast", "mobilenet-v1") in points
    for dpu in ("zcu102-dpu", "zcu104-dpu"):
        assert {t for p, _, t in points if p == dpu} >= {"resnet50", "resnet50-p80", "resnet50-p50", "resnet50-p30"}


def test_pareto_latency_and_efficiency_axes():
    lat = pareto("cifar10", "--x", "latency", "--frontier-only")
    assert all(r["on_frontier"] == "yes" for r in lat)
    assert [float(r["latency_s"]) for r in lat] == sorted(float(r["latency_s"]) for r in lat)
    eff = pareto("imagenet", "--x", "efficiency")
    assert all(r["inputs_per_s_per_w"] != "" for r in eff if r["on_frontier"] == "yes")


def test_check_platform_passes_shipped_specs_and_lists_problems():
    ok = run("check-platform", *sorted(str(p) for p in (ROOT / "data" / "platforms").glob("*.json")))
    assert ok.stdout.count(": ok") >= 17
    bad = run("check-platform", *sorted(str(p) for p in INVALID.glob("*.json")), check=False)
    assert bad.returncode == 1
    for spec_id in ("[qutibench.spec_error.502]", "[qutibench.spec_error.503]", "[qutibench.spec_error.101]",
                    "[qutibench.spec_error.504]", "[qutibench.spec_error.501]"):
        assert spec_id in bad.stdout
    assert "negative_bandwidth.json: /memory/bandwidth_gb_per_s: must be > 0" in bad.stdout


def test_cli_and_python_name_every_figure_alike():
    """One field list per record: a figure the CLI prints has the same name and value in Python."""
    import qutibench as qb

    net = qb.zoo.get("resnet50")
    for platform, datatype in (("zcu102-dpu", "int8"), ("ncs2", "int2")):  # ok, and unsupported (nulls)
        cli = json.loads(run("predict", "--topology", "resnet50", "--platform", platform, "--datatype", datatype,
                             "--per-layer", "--format", "json").stdout)
        py = qb.predict(net, platform, datatype, per_layer=True)
        # Every key but the topology, which Python takes as an object (python.md): a platform
        # without modes has mode null / None, and the model is named alike.
        assert set(cli) - set(py) == {"topology"} and set(py) <= set(cli)
        shared = set(cli) & set(py) - {"layers"}
        assert {k: cli[k] for k in shared} == {k: py[k] for k in shared}
        assert (py["mode"], py["model"], py["memory_model"]) == (None, "per-layer", "thesis")
        # JSON has no infinity: an intensity without traffic is null there, inf in Python.
        def as_json(layer):
            return {k: None if v == float("inf") else v for k, v in layer.items()}
        assert [as_json(layer) for layer in py["layers"]] == cli["layers"]
    cli_cells = json.loads(run("heatmap", "--task", "cifar10", "--format", "json").stdout)
    py_cells = qb.heatmap("cifar10")
    assert len(cli_cells) == len(py_cells) == 52
    for c, p in zip(cli_cells, py_cells):
        assert c == {k: p[k] for k in c}


def test_realistic_model_is_the_same_from_the_cli_and_python():
    import qutibench as qb

    cli = json.loads(run("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8",
                         "--model", "realistic", "--per-layer", "--format", "json").stdout)
    py = qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8", model="realistic", per_layer=True)
    assert cli["model"] == py["model"] == "realistic" and cli["memory_model"] == py["memory_model"] == "design"
    assert qb.predict(qb.zoo.get("resnet50"), "tx2", "fp16", mode="maxq")["mode"] == "maxq"
    assert cli["inputs_per_s"] == pytest.approx(py["inputs_per_s"], rel=1e-12)
    # The deployed design's peak, UG1354: 3 x B4096 at 281 MHz = 3 x 4096 x 281e6 ops/s.
    assert cli["peak_ops_per_s"] == pytest.approx(3 * 4096 * 281e6)
    # Layer times add up to the latency (no host link or per-inference cost on this design).
    assert sum(layer["time_s"] for layer in cli["layers"]) == pytest.approx(cli["latency_s"], rel=1e-9)
    # Below the plain model's ceiling, which keeps the device's 6.71 TOP/s.
    plain = json.loads(run("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8",
                           "--format", "json").stdout)
    assert plain["peak_ops_per_s"] == pytest.approx(6.71e12) and cli["inputs_per_s"] < plain["inputs_per_s"]
    # One validation of the name for both.
    bad = run("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8", "--model",
              "optimistic", check=False)
    assert bad.returncode != 0 and "optimistic" in bad.stderr
    with pytest.raises(qb.SpecError, match="model 'optimistic'"):
        qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8", model="optimistic")


def test_realistic_model_reaches_heatmaps_pareto_and_sweeps():
    import qutibench as qb

    cli = csv_rows("heatmap", "--task", "imagenet", "--platforms", "zcu102-dpu", "--model", "realistic")
    py = qb.heatmap("imagenet", "zcu102-dpu", model="realistic")
    one = qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8", model="realistic")
    cell = next(r for r in cli if r["topology"] == "resnet50" and r["datatype"] == "int8")
    assert float(cell["inputs_per_s"]) == pytest.approx(one["inputs_per_s"], rel=1e-9)
    assert float(cell["inputs_per_s"]) == pytest.approx(
        next(c["inputs_per_s"] for c in py if c["topology"] == "resnet50" and c["datatype"] == "int8"), rel=1e-9)
    plain = next(r for r in csv_rows("heatmap", "--task", "imagenet", "--platforms", "zcu102-dpu")
                 if r["topology"] == "resnet50" and r["datatype"] == "int8")
    assert float(cell["inputs_per_s"]) < float(plain["inputs_per_s"])  # an estimate below the ceiling
    front = csv_rows("pareto", "--task", "imagenet", "--platforms", "zcu102-dpu,kv260-dpu", "--model", "realistic")
    assert front and all(r["platform"] in ("zcu102-dpu", "kv260-dpu") for r in front)
    s = qb.sweep(qb.zoo.get("resnet50"), [qb.platform("zcu102-dpu")[0]], [1, 8], ["int8", "fp32"], model="realistic")
    assert s["inputs_per_s"][0, 0, 0] == pytest.approx(one["inputs_per_s"], rel=1e-9)
    assert math.isnan(s["inputs_per_s"][0, 1, 1])  # the DPU runs no fp32


def test_threads_are_one_input_of_the_realistic_model_everywhere():
    import qutibench as qb

    args = ["--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8", "--model", "realistic"]
    one = json.loads(run("predict", *args, "--threads", "1", "--format", "json").stdout)
    # One runner thread keeps one of the three B4096 cores busy (UG1354: 4096 ops/cycle x 281 MHz).
    assert one["peak_ops_per_s"] == pytest.approx(4096 * 281e6)
    py = qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8", model="realistic", threads=1)
    assert py["inputs_per_s"] == pytest.approx(one["inputs_per_s"], rel=1e-12)
    every = qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8", model="realistic")
    assert one["inputs_per_s"] < every["inputs_per_s"]
    cell = next(r for r in csv_rows("heatmap", "--task", "imagenet", "--platforms", "zcu102-dpu", "--model",
                                    "realistic", "--threads", "1")
                if r["topology"] == "resnet50" and r["datatype"] == "int8")
    assert float(cell["inputs_per_s"]) == pytest.approx(one["inputs_per_s"], rel=1e-9)
    s = qb.sweep(qb.zoo.get("resnet50"), [qb.platform("zcu102-dpu")[0]], [1], ["int8"], model="realistic", threads=1)
    assert s["inputs_per_s"][0, 0, 0] == pytest.approx(one["inputs_per_s"], rel=1e-9)
    # One check of the value and of the model it needs, same ID from both.
    for value, message in (("0", "must be 1..4096"), ("5000", "must be 1..4096")):
        bad = run("predict", *args, "--threads", value, check=False)
        assert bad.returncode != 0 and "spec_error.503" in bad.stderr and message in bad.stderr
        with pytest.raises(qb.SpecError, match=message):
            qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8", model="realistic", threads=int(value))
    plain = run("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8", "--threads", "2",
                check=False)
    assert plain.returncode != 0 and "realistic model only" in plain.stderr
    with pytest.raises(qb.SpecError, match="realistic model only"):
        qb.heatmap("imagenet", "zcu102-dpu", threads=2)
