"""Decoder LLMs from Python and the CLI: one implementation (qutibench/predict/llm.hpp), so
the same request gives the same figures, and the same arguments the same errors.

Run with ``PYTHONPATH=build/python QUTIBENCH_CLI=build/bin/qutibench /usr/bin/python3 -m pytest tests/python/test_llm.py``.
"""
import csv
import io
import json
import math
import os
import re
import subprocess

import pytest

import qutibench as qb


def test_parameters_are_the_published_counts():
    # GPT-2 small: 124,439,808 with the tied table once (keras-hub gpt2_base_en); Mixtral
    # 8x7B: 46,702,792,704 stored, 2 of 8 experts per token (docs/llm.md).
    assert qb.llm_parameters("gpt2")["total"] == 124_439_808
    mixtral = qb.llm_parameters("mixtral-8x7b")
    assert (mixtral["total"], mixtral["active"]) == (46_702_792_704, 12_879_925_248)


def test_a_decode_step_reads_the_weights_once():
    r = qb.llm("llama-2-7b", "h100-sxm", batch=1, prompt=1, output=1, model="plain", per_layer=True)
    assert r["status"] == "ok" and r["capacity_bytes"] == 80e9
    # 13.2 GB of FP16 weights over 3.35 TB/s, within the KV and activations' 0.1 %.
    assert r["tpot_s"] == pytest.approx(2 * (6_738_415_616 - 32000 * 4096) / 3.35e12, rel=1e-3)
    ops = r["operations"]
    assert {o["phase"] for o in ops} == {"prefill", "decode"}
    assert "mlp_gate_up" in {o["operation"] for o in ops}


def test_does_not_fit_has_no_times():
    r = qb.llm("llama-2-70b", "h100-sxm")
    assert r["status"] == "does-not-fit" and r["ttft_s"] is None and r["shortfall_bytes"] > 58e9


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_cli_and_python_agree():
    args = {"batch": 4, "prompt": 256, "output": 64}
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "mistral-7b", "--platform", "a100-sxm", "--weights", "q4_0",
                          "--batch", "4", "--prompt", "256", "--output", "64", "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    r = qb.llm("mistral-7b", "a100-sxm", weights="q4_0", **args)
    for key in ("status", "ttft_s", "tpot_s", "prefill_tokens_per_s", "decode_tokens_per_s", "throughput_tokens_per_s",
                "latency_s", "prefill_dispatches", "decode_dispatches", "memory_bytes", "capacity_bytes", "energy_per_token_j", "batch",
                "prompt", "output", "weights", "kv", "mode", "model"):
        assert shown[key] == (pytest.approx(r[key], rel=1e-12) if isinstance(r[key], float) else r[key]), key
    # The throughput of the request is the batch's output tokens over its latency.
    assert r["throughput_tokens_per_s"] == pytest.approx(4 * 64 / r["latency_s"])
    # One validation: batch 0 is the same error from both.
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "gpt2", "--platform", "a100-sxm", "--batch", "0"],
                         capture_output=True, text=True, timeout=60)
    with pytest.raises(qb.SpecError) as e:
        qb.llm("gpt2", "a100-sxm", batch=0)
    assert run.returncode == 2 and str(e.value) in run.stderr
    with pytest.raises(qb.SpecError, match="format 'q3_k': not a storage format"):
        qb.llm("gpt2", "a100-sxm", weights="q3_k")


def test_unknown_llm_ids_list_the_zoo():
    with pytest.raises(qb.SpecError, match="LLM 'llama-9': not found; valid ids: gpt-j-6b, gpt2"):
        qb.llm_parameters("llama-9")
    assert not math.isnan(qb.llm("gpt2", "a100-sxm")["ttft_s"])


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_tensor_parallel_decode_shows_its_all_reduces():
    # Llama-2-70B in FP16 fits two 80 GB H100s; each decode step's 160 all-reduces of
    # 8192 x 2 bytes cross NVLink (450 GB/s per direction): the per-layer table shows them.
    for tp in (2, 4):
        run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "llama-2-70b", "--platform", "h100-sxm", "--tp", str(tp),
                              "--model", "plain", "--per-layer", "--format", "json"], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        shown = json.loads(run.stdout)
        assert shown["status"] == "ok" and shown["tp"] == tp
        link = [o for o in shown["operations"] if o["operation"] == "all_reduce" and o["phase"] == "decode"]
        assert link[0]["link_time_s"] == pytest.approx(160 * 2 * (tp - 1) / tp * 8192 * 2 / 450e9)
        assert link[0]["bound"] == "link"
        r = qb.llm("llama-2-70b", "h100-sxm", tp=tp, model="plain")
        assert r["tpot_s"] == pytest.approx(shown["tpot_s"], rel=1e-12)
        # As CSV, one table: the operations, the JSON's rows in its order.
        run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "llama-2-70b", "--platform", "h100-sxm", "--tp", str(tp),
                              "--model", "plain", "--per-layer", "--format", "csv"], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        rows = list(csv.DictReader(io.StringIO(run.stdout)))
        assert [(row["phase"], row["operation"]) for row in rows] == [(o["phase"], o["operation"]) for o in shown["operations"]]
        assert all(None not in row for row in rows)  # no row longer than the header
    # A request with no operations (GPT-2 has 1024 learned positions) says why on stderr.
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "gpt2", "--platform", "h100-sxm", "--prompt", "2048",
                          "--per-layer", "--format", "csv"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.count("\n") == 1
    assert "the request is unsupported (prompt + output - 1 tokens exceed the model's 1024 learned positions)" in run.stderr


def test_a_sweep_is_each_request_in_one_call():
    s = qb.llm_sweep("llama-3-8b", "h100-sxm", batches=[1, 64], contexts=[512, 8192], devices=[1, 2, 3], output=64)
    assert s["ttft_s"].shape == (2, 2, 3) and s["status"].shape == (2, 2, 3)
    # Three devices do not split 32 heads; 64 x 8192 tokens of FP16 KV cache (64 GB) and
    # 16 GB of weights do not fit one 80 GB H100.
    assert list(s["status"][:, :, 2].ravel()) == ["unsupported"] * 4
    assert all(why == "tp 3 does not divide the model's 32 attention heads" for why in s["reason"][:, :, 2].ravel())
    assert s["status"][1, 1, 0] == "does-not-fit" and math.isnan(s["tpot_s"][1, 1, 0])
    assert s["reason"].shape == (2, 2, 3) and s["reason"][1, 1, 0].startswith("needs ")
    for b, batch in enumerate(s["batches"]):
        for c, context in enumerate(s["contexts"]):
            for n, tp in enumerate((1, 2)):
                r = qb.llm("llama-3-8b", "h100-sxm", batch=int(batch), prompt=int(context), output=64, tp=tp)
                assert s["status"][b, c, n] == r["status"] and s["reason"][b, c, n] == r["reason"]
                for key in ("ttft_s", "tpot_s", "throughput_tokens_per_s", "latency_s", "memory_bytes"):
                    assert (math.isnan(s[key][b, c, n]) if r[key] is None else s[key][b, c, n] == r[key]), key
    # Two devices on a spec without an interconnect: unsupported, and the row says why.
    orin = qb.llm_sweep("llama-3-8b", "jetson-agx-orin", devices=[1, 2])
    assert list(orin["status"].ravel()) == ["ok", "unsupported"]
    assert list(orin["reason"].ravel()) == ["", "jetson-agx-orin has no interconnect in its spec (more than one device needs one)"]
    with pytest.raises(qb.SpecError, match=r"devices \(tp\) must be whole numbers from 1 to 1024, got 0"):
        qb.llm_sweep("gpt2", "a100-sxm", devices=[0])
    with pytest.raises(qb.SpecError, match="contexts"):
        qb.llm_sweep("gpt2", "a100-sxm", contexts="512")


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_cli_lists_sweep_as_python_does():
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "mistral-7b", "--platform", "a100-sxm", "--batch", "1,16",
                          "--prompt", "128,2048", "--tp", "1,2", "--output", "32", "--format", "json"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    s = qb.llm_sweep("mistral-7b", "a100-sxm", batches=[1, 16], contexts=[128, 2048], devices=[1, 2], output=32)
    assert [(r["batch"], r["prompt"], r["tp"]) for r in rows] == [(b, p, t) for b in (1, 16) for p in (128, 2048) for t in (1, 2)]
    for r, status, tpot, why in zip(rows, s["status"].ravel(), s["tpot_s"].ravel(), s["reason"].ravel()):
        assert r["status"] == status and r["tpot_s"] == pytest.approx(tpot, rel=1e-12) and r["reason"] == why
        assert r["model"] == s["model"] == "realistic"
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "gpt2", "--platform", "a100-sxm", "--batch", "1,2", "--per-layer"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--per-layer: shows one request's operations" in run.stderr


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_pipeline_and_expert_parallelism_from_both():
    # Mixtral 8x7B in FP16 (93.4 GB) on 2 x 2 x 2 H100s: the CLI's figures are Python's, and
    # the per-layer table has each collective; ep 3 does not divide 8 experts in either.
    args = ["--topology", "mixtral-8x7b", "--platform", "h100-sxm", "--batch", "8", "--tp", "2", "--pp", "2", "--ep", "2",
            "--micro-batches", "4", "--per-layer", "--format", "json"]
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", *args], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    r = qb.llm("mixtral-8x7b", "h100-sxm", batch=8, tp=2, pp=2, ep=2, micro_batches=4, per_layer=True)
    assert (shown["pp"], shown["ep"], shown["micro_batches"]) == (r["pp"], r["ep"], r["micro_batches"]) == (2, 2, 4)
    for key in ("status", "ttft_s", "tpot_s", "memory_bytes", "energy_per_token_j"):
        assert shown[key] == (pytest.approx(r[key], rel=1e-12) if isinstance(r[key], float) else r[key]), key
    links = {o["operation"] for o in shown["operations"] if o["bound"] == "link"}
    assert links == {"all_reduce", "all_gather", "all_to_all", "pipeline"}
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "mixtral-8x7b", "--platform", "h100-sxm", "--ep", "3"],
                         capture_output=True, text=True, timeout=60)
    with pytest.raises(qb.SpecError) as e:
        qb.llm("mixtral-8x7b", "h100-sxm", ep=3)
    assert run.returncode == 2 and str(e.value) in run.stderr and "ep 3 does not divide the model's experts (8)" in str(e.value)


def test_few_shot_on_llm_rows_recovers_a_devices_factors():
    # A device that decodes 2x slower than the realistic model with 15 us per dispatch:
    # time per token = 2 / realistic + 15e-6 x dispatches per token. Three networks (a
    # model in a weight format); llama-2-7b's step dispatches 8 operations x 32 blocks + 3.
    def point(topology, weights, batch):
        r = qb.llm(topology, "apple-m2-gpu", weights=weights, batch=batch, prompt=1, output=128)
        dispatches = r["decode_dispatches"] / batch
        rate = r["decode_tokens_per_s"] * batch
        return {"platform": "m2", "network": f"{topology} {weights}", "measured": 1 / (2 / rate + 15e-6 * dispatches),
                "realistic": rate, "plain": rate, "dispatches": dispatches}

    points = [point("llama-2-7b", "q4_0", 1), point("llama-2-7b", "f16", 1), point("llama-3-8b", "q8_0", 4)]
    assert points[0]["dispatches"] == 8 * 32 + 3
    f = qb.fit_few_shot(points[:2])
    assert f["efficiency"] == pytest.approx(2) and f["dispatch_s"] == pytest.approx(15e-6)
    assert qb.fit_few_shot(points[:1])["dispatch_s"] == 0  # one network: the efficiency alone
    k1, k2 = qb.few_shot_points(points, [1, 2])
    assert (k1["k"], k1["trials"], k1["predictions"], len(k1["errors"])) == (1, 3, 6, 6)
    assert (k2["k"], k2["trials"], k2["predictions"]) == (2, 3, 3)
    assert max(k2["errors"]) == pytest.approx(0, abs=1e-9) and max(k1["errors"]) > 0.01
    assert k2["median_abs_log10_error"] == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("points, message", [
    ("rows", "argument 'points'"),
    ([[1, 2]], "argument 'points[0]': must be a dict"),
    ([{"platform": "d", "network": "n", "measured": 1, "realistic": 1, "plain": 1}], "points[0]: lacks 'dispatches'"),
    ([{"platform": "d", "network": "n", "measured": True, "realistic": 1, "plain": 1, "dispatches": 0}], "points[0].measured"),
    ([{"platform": "d", "network": "n", "measured": -1.0, "realistic": 1, "plain": 1, "dispatches": 0}], "from 1e-9 to 1e12, got -1"),
    ([{"platform": "d", "network": "n", "measured": 10**400, "realistic": 1, "plain": 1, "dispatches": 0}], "points[0].measured"),
    ([{"platform": "d", "network": "n", "measured": "5", "realistic": 1, "plain": 1, "dispatches": 0}], "points[0].measured"),
    ({"platform": "d"}, "argument 'points': must be a list of dicts, got dict"),
    ([{"platform": 3, "network": "n", "measured": 1, "realistic": 1, "plain": 1, "dispatches": 0}], "points[0].platform"),
])
def test_few_shot_points_are_checked(points, message):
    with pytest.raises(qb.SpecError, match=re.escape(message)):
        qb.few_shot_points(points, 1)
    with pytest.raises(qb.SpecError, match=re.escape(message)):
        qb.fit_few_shot(points)


def test_fit_few_shot_takes_one_device():
    p = {"network": "n", "measured": 1, "realistic": 1, "plain": 1, "dispatches": 0}
    with pytest.raises(qb.SpecError, match="factors belong to one device: got 'a' and 'b'"):
        qb.fit_few_shot([dict(p, platform="a"), dict(p, platform="b")])
    with pytest.raises(qb.SpecError, match="give at least one point"):
        qb.fit_few_shot([])


def test_few_shot_points_take_numpy_numbers():
    np = pytest.importorskip("numpy")
    p = {"platform": "d", "measured": np.float32(50), "realistic": np.float64(100), "plain": 200, "dispatches": np.int64(0)}
    f = qb.fit_few_shot([dict(p, network="a"), dict(p, network="b", measured=np.float32(25), realistic=50)])
    assert f["efficiency"] == pytest.approx(2) and f["dispatch_s"] == pytest.approx(0, abs=1e-12)
    assert [r["k"] for r in qb.few_shot_points([dict(p, network="a"), dict(p, network="b")], np.int64(1))] == [1]
    for k in (1.0, "1", [1.5]):  # an ID'd error, not Python's TypeError
        with pytest.raises(qb.SpecError, match="argument 'k'"):
            qb.few_shot_points([dict(p, network="a")], k)


def _calibration_rows(tmp_path, rows):
    path = tmp_path / "mine.csv"
    path.write_text("topology,weights,metric,value,batch,prompt,output\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_calibrated_request_from_the_cli_and_python(tmp_path):
    # A device 2x slower than realistic in decode with 15 us per dispatch (259 dispatches a
    # step for Llama-2-7B), measured in two weight formats: both factors come back, and a
    # third format is predicted with them, the same from both.
    def tpot(weights):
        return qb.llm("llama-2-7b", "h100-sxm", weights=weights, prompt=1, output=128)["tpot_s"]
    rows = [("llama-2-7b", w, "decode_tokens_per_s", repr(1 / (2 * tpot(w) + 15e-6 * 259)), 1, 1, 128) for w in ("q4_0", "f16")]
    path = _calibration_rows(tmp_path, rows)
    r = qb.llm("llama-2-7b", "h100-sxm", weights="q8_0", prompt=64, output=32, calibrate=path)
    assert r["model"] == "calibrated" and r["calibration"] == str(path)
    assert r["decode_efficiency"] == pytest.approx(2) and r["decode_dispatch_s"] == pytest.approx(15e-6)
    assert (r["decode_calibration_rows"], r["prefill_calibration_rows"], r["prefill_efficiency"]) == (2, 0, 1)
    plain = qb.llm("llama-2-7b", "h100-sxm", weights="q8_0", prompt=64, output=32)
    assert r["tpot_s"] == pytest.approx(2 * plain["tpot_s"] + 15e-6 * 259)
    assert r["ttft_s"] == pytest.approx(plain["ttft_s"])  # no prefill rows: the realistic prefill
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "llama-2-7b", "--platform", "h100-sxm", "--weights", "q8_0",
                          "--prompt", "64", "--output", "32", "--calibrate", str(path), "--format", "json"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    for key in ("model", "calibration", "decode_efficiency", "decode_dispatch_s", "decode_calibration_rows", "prefill_efficiency",
                "ttft_s", "tpot_s", "latency_s", "throughput_tokens_per_s", "energy_per_token_j"):
        assert shown[key] == (pytest.approx(r[key], rel=1e-12) if isinstance(r[key], float) else r[key]), key


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_calibrated_sweep_is_each_calibrated_request(tmp_path):
    # Decode 2x slower than realistic with 15 us per dispatch (two weight formats): every point
    # of a sweep is the calibrated request, from Python and from the CLI's lists.
    def tpot(weights):
        return qb.llm("llama-2-7b", "h100-sxm", weights=weights, prompt=1, output=128)["tpot_s"]
    path = _calibration_rows(tmp_path, [("llama-2-7b", w, "decode_tokens_per_s", repr(1 / (2 * tpot(w) + 15e-6 * 259)), 1, 1, 128)
                                        for w in ("q4_0", "f16")])
    s = qb.llm_sweep("llama-2-7b", "h100-sxm", batches=[1, 8], contexts=[64, 1024], devices=[1, 2], weights="q8_0", output=32,
                     calibrate=path)
    assert s["model"] == "calibrated" and s["calibration"] == str(path)
    assert s["decode_efficiency"] == pytest.approx(2) and s["decode_calibration_rows"] == 2
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "llama-2-7b", "--platform", "h100-sxm", "--weights", "q8_0",
                          "--batch", "1,8", "--prompt", "64,1024", "--tp", "1,2", "--output", "32", "--calibrate", str(path),
                          "--format", "json"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    for i, (b, c, n) in enumerate((b, c, n) for b in range(2) for c in range(2) for n in range(2)):
        batch, prompt, tp = int(s["batches"][b]), int(s["contexts"][c]), int(s["devices"][n])
        r = qb.llm("llama-2-7b", "h100-sxm", weights="q8_0", batch=batch, prompt=prompt, output=32, tp=tp, calibrate=path)
        for key in ("ttft_s", "tpot_s", "latency_s", "throughput_tokens_per_s"):
            assert s[key][b, c, n] == pytest.approx(r[key], rel=1e-12), key
            assert rows[i][key] == pytest.approx(r[key], rel=1e-12), key
        assert (rows[i]["batch"], rows[i]["prompt"], rows[i]["tp"]) == (batch, prompt, tp)
        assert rows[i]["calibration"] == str(path) and rows[i]["decode_dispatch_s"] == pytest.approx(r["decode_dispatch_s"])
    with pytest.raises(qb.SpecError, match="calibrate: fits on the realistic model"):
        qb.llm_sweep("llama-2-7b", "h100-sxm", model="plain", calibrate=path)
    assert qb.llm_sweep("llama-2-7b", "h100-sxm")["model"] == "realistic"


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
@pytest.mark.parametrize("rows, args, kwargs, message", [
    ([("llama-2-7b", "f16", "decode_tokens_per_s", 0, 1, 1, 128)], [], {},
     "mine.csv:2 column 'value': must be from 1e-9 to 1e12 tokens/s"),
    ([("llama-2-70b", "f16", "decode_tokens_per_s", 5, 1, 1, 128)], [], {}, "mine.csv:2: cannot calibrate on a request whose status is does-not-fit"),
    ([("llama-2-7b", "f16", "decode_tokens_per_s", 5, 1, 1, 128)], ["--model", "plain"], {"model": "plain"},
     "calibrate: fits on the realistic model"),
    ([("llama-2-7b", "f16", "decode_tokens_per_s", 5, 1, 1, 128)], ["--per-layer"], {"per_layer": True}, "calibrate: scales the whole prediction"),
])
def test_calibration_errors_are_the_same_from_both(tmp_path, rows, args, kwargs, message):
    path = _calibration_rows(tmp_path, rows)
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--topology", "llama-2-7b", "--platform", "h100-sxm", "--calibrate", str(path),
                          *args], capture_output=True, text=True, timeout=60)
    with pytest.raises(qb.SpecError) as e:
        qb.llm("llama-2-7b", "h100-sxm", calibrate=path, **kwargs)
    assert run.returncode == 2 and str(e.value) in run.stderr and message in str(e.value)


def test_llm_few_shot_on_a_measured_csv(tmp_path):
    # Three weight formats on a device 2x slower than realistic in decode with 15 us per
    # dispatch: any two recover the factors and predict the third without error; one alone
    # fits the efficiency only. Per-phase rows; no prefill rows, so no prefill figures.
    def tpot(weights):
        return qb.llm("llama-2-7b", "h100-sxm", weights=weights, prompt=1, output=128)["tpot_s"]
    path = _calibration_rows(tmp_path, [("llama-2-7b", w, "decode_tokens_per_s", repr(1 / (2 * tpot(w) + 15e-6 * 259)), 1, 1, 128)
                                        for w in ("q4_0", "q8_0", "f16")])
    k1, k2 = qb.llm_few_shot("h100-sxm", path, [1, 2])
    assert (k1["phase"], k1["k"], k1["networks"], k1["trials"], len(k1["errors"])) == ("decode", 1, 3, 3, 6)
    assert (k2["k"], k2["trials"], k2["predictions"]) == (2, 3, 3)
    assert max(k2["errors"]) == pytest.approx(0, abs=1e-9) and max(k1["errors"]) > 0.01
    with pytest.raises(qb.SpecError, match="network counts must be 1..5, got 0"):
        qb.llm_few_shot("h100-sxm", path, 0)
    if not os.environ.get("QUTIBENCH_CLI"):
        return
    # The CLI's form: the same figures per phase and k, and the same error for k = 0.
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--platform", "h100-sxm", "--calibrate", str(path), "--few-shot", "1,2",
                          "--format", "json"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    shown = json.loads(run.stdout)
    assert (shown["platform"], shown["mode"], shown["calibration"]) == ("h100-sxm", None, str(path))
    for c, p in zip(shown["few_shot"], (k1, k2), strict=True):
        for key in ("phase", "k", "networks", "trials", "predictions"):
            assert c[key] == p[key], key
        assert c["median_abs_log10_error"] == pytest.approx(p["median_abs_log10_error"], rel=1e-12)
    for args, message in [(["--few-shot", "0"], "network counts must be 1..5, got 0"), (["--few-shot", "1", "--batch", "2"], "--batch excludes --few-shot")]:
        run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--platform", "h100-sxm", "--calibrate", str(path), *args],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 2 and message in run.stderr
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--platform", "h100-sxm"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--topology is required" in run.stderr
    # Three networks leave none to predict at k = 4: said on stderr, not an empty success.
    run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--platform", "h100-sxm", "--calibrate", str(path), "--few-shot", "4"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "none is left to predict" in run.stderr


@pytest.mark.skipif(not os.environ.get("QUTIBENCH_CLI"), reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_an_empty_calibration_file_name_is_refused_by_name():
    message = "calibrate: give a measurement CSV, got an empty file name"
    for args in (["--topology", "llama-2-7b"], ["--topology", "llama-2-7b", "--batch", "1,2"], ["--few-shot", "1"]):
        run = subprocess.run([os.environ["QUTIBENCH_CLI"], "llm", "--platform", "h100-sxm", "--calibrate", "", *args],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 2 and message in run.stderr, args
    for call in (lambda: qb.llm("llama-2-7b", "h100-sxm", calibrate=""), lambda: qb.llm_sweep("llama-2-7b", "h100-sxm", calibrate=""),
                 lambda: qb.llm_few_shot("h100-sxm", "", 1)):
        with pytest.raises(qb.SpecError, match=message):
            call()
