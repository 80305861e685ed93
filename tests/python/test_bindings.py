"""The Python bindings: the same figures as the C++ tests, errors with IDs, numpy sweeps."""
import math
import pathlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import qutibench as qb

ROOT = pathlib.Path(__file__).resolve().parents[2]
THESIS = str(ROOT / "data" / "measurements" / "level3_thesis.csv")
RESNET50_WEIGHTS = 25_502_912  # torchvision's Conv2d + Linear weights (tests/python/test_torchvision_oracle.py)


def test_datatypes_parse_and_size():
    assert qb.Datatype("INT4").name == "int4"
    assert qb.Datatype("int4").size_bytes == 0.5
    assert qb.Datatype("int8").holds(qb.Datatype("int2"))
    with pytest.raises(qb.SpecError) as e:
        qb.Datatype("int33")
    assert e.value.id == 101 and "[qutibench.spec_error.101]" in str(e.value)


def test_builder_and_requirements_match_a_hand_count():
    # conv 3->8 3x3 on 32x32 (30x30 out), flatten, dense 7200->10.
    net = (qb.TopologyBuilder("tiny", (3, 32, 32)).conv2d("conv", out_channels=8, kernel=3).relu("relu")
           .flatten("flat").dense("fc", 10).build())
    r = qb.requirements(net, "int8")
    assert r["total"]["weights"] == 3 * 8 * 9 + 8 * 30 * 30 * 10
    assert r["total"]["ops"] == 2 * (30 * 30 * 3 * 8 * 9 + 7200 * 10)
    assert r["layers"].to_pandas()["name"].tolist() == ["input", "conv", "relu", "flat", "fc"]
    with pytest.raises(qb.SpecError) as e:
        qb.TopologyBuilder("bad", (3, 4, 4)).conv2d("c", out_channels=8, kernel=9).build()
    assert e.value.id == 205


def test_zoo_and_summary():
    assert qb.zoo.ids()[:3] == ["googlenet-v1", "mobilenet-v1", "resnet50"]
    s = qb.zoo.get("resnet50").summary()
    assert s["model_me"] == RESNET50_WEIGHTS / 1e6
    assert s["oi_int8"] == pytest.approx(302.71, rel=1e-3)  # thesis Table 6.1
    with pytest.raises(ValueError) as e:
        qb.zoo.get("resnet51")
    assert e.value.id == 301


def test_predict_zcu102_resnet50_int8_memory_bound():
    p = qb.predict(qb.zoo.get("resnet50"), "zcu102-dpu", "int8")
    assert p["status"] == "ok" and p["bound"] == "memory"
    assert p["inputs_per_s"] == pytest.approx(19.2e9 / RESNET50_WEIGHTS)
    unsupported = qb.predict(qb.zoo.get("mlp"), "tx2:maxq", "int8")
    assert unsupported["status"] == "unsupported" and unsupported["inputs_per_s"] is None
    layers = qb.predict(qb.zoo.get("cnv"), "zcu104-finn", "int4", per_layer=True)["layers"]
    assert sum(layers.to_pandas()["time_s"]) == pytest.approx(
        qb.predict(qb.zoo.get("cnv"), "zcu104-finn", "int4", per_layer=True)["latency_s"])


def test_platforms_load_check_and_errors():
    tx2 = qb.Platform.load(str(ROOT / "data" / "platforms" / "tx2.json"))
    assert tx2.modes == ["maxn", "maxp", "maxq"]
    assert tx2.peak("fp16", "maxp") == 1.15e12
    assert tx2.peak("int8") is None
    assert tx2.check() == []
    assert len(qb.select_platforms("thesis")) == 9
    with pytest.raises(qb.SpecError) as e:
        qb.Platform.load(str(ROOT / "tests" / "data" / "platforms_invalid" / "negative_bandwidth.json"))
    assert e.value.id == 503 and "/memory/bandwidth_gb_per_s" in str(e.value)
    with pytest.raises(qb.SpecError) as e:
        qb.Platform.from_json('{"id": "x"}')
    assert e.value.id == 502


def test_sweep_agrees_with_predict_and_marks_unsupported():
    net = qb.zoo.get("cnv")
    platforms = qb.select_platforms("zcu104-finn,tx2")
    types = ["int2", "int4", "fp16", "fp32"]
    r = qb.sweep(net, platforms, [1, 8], types, per_layer=False)
    assert r["inputs_per_s"].shape == (2, 2, 4)
    for i, pf in enumerate(platforms):
        for j, b in enumerate([1, 8]):
            for k, d in enumerate(types):
                p = qb.predict(net, pf, d, batch=b)
                if p["status"] == "ok":
                    assert r["inputs_per_s"][i, j, k] == pytest.approx(p["inputs_per_s"])
                else:
                    assert math.isnan(r["inputs_per_s"][i, j, k])


def test_heatmap_pareto_and_frontier():
    assert len(qb.heatmap("cifar10")) == 52
    front = [c for c in qb.theoretical_pareto("cifar10") if c["on_frontier"]]
    assert {c["platform"] for c in front} == {"zcu104-finn", "zcu104-bismo"}
    mask = qb.pareto_frontier(np.array([[1.0, 1.0], [2.0, 0.5], [0.5, 0.5]]), ["max", "max"])
    assert mask.tolist() == [True, True, False]


def test_measurements_and_validation():
    rows = qb.load_measurements(THESIS)
    assert len(rows) == 406 and rows[0]["platform"] == "tx2" and rows[0]["source_line"] == "2564"
    report = qb.validate(THESIS, "calibrated")
    groups = {(g["platform"], g["task"]): g for g in report["groups"]}
    for pf in ["tx2", "zcu104-finn", "ncs2", "ultra96-a53"]:
        assert groups[(pf, "all")]["median_abs_log10_error"] <= 0.15
    assert len(report["points"]) == 56
    o = qb.orthogonality(1, 2, 4, 8)
    assert o["interaction"] == 1 and o["complementary"]


def test_executor_measures_a_small_mlp_level1():
    rows = qb.measure(qb.zoo.get("mlp-p12.5"), level=1, datatype="int4", repeats=2, min_time=0)
    assert len(rows) == 4 and all(r["carrier"] == "uint8" for r in rows)
    assert rows[0]["ops"] == 2 * 784 * 256
    with pytest.raises(qb.MeasureError) as e:
        qb.measure(qb.zoo.get("bert-base"), level=3)
    assert e.value.id == 602


def test_ctrl_c_stops_a_long_measurement_within_a_second():
    # Once Ctrl-C was honoured only when the call ended (137 s): the library now calls an
    # interruption point between steps, and the binding runs Python's signal handlers there.
    code = textwrap.dedent("""
        import sys
        import qutibench as qb
        net = qb.zoo.get("mlp")
        print("measuring", flush=True)
        try:  # 4 layers x 100000 runs: a minute or more
            qb.measure(net, level=1, repeats=100000, min_time=3600)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(3)
        """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "measuring\n"
        time.sleep(1)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        child.kill()
    assert child.returncode == 3 and out == "interrupted\n", err
    assert took < 2
