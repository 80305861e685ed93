"""One reading of references for Python and the CLI: zoo ids, topology and ONNX files and
platform ids, modes and spec files wherever a network or platform is named; sweeps labelled
and equal to predict; the same figure from Python and the CLI for predict, sweep, heatmap
and pareto."""
import json
import math
import os
import pathlib
import re
import subprocess

import pytest

import qutibench as qb
from qutibench import report

ROOT = pathlib.Path(__file__).resolve().parents[2]
MY_SPEC = ROOT / "examples" / "my_accelerator.json"  # id my-accelerator, modes turbo and eco
CLI = os.environ.get("QUTIBENCH_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="QUTIBENCH_CLI is not set (CTest sets it)")


def cli_json(*args):
    return json.loads(subprocess.run([CLI, *args, "--format", "json"], capture_output=True, text=True,
                                     check=True).stdout)


def test_a_topology_is_a_topology_a_zoo_id_or_a_file(tmp_path):
    # The 50 % MLP: 784*1024 + 2*1024*1024 + 1024*10 = 2,910,208 weights.
    assert qb.requirements("mlp-p50")["total"]["weights"] == 2910208
    saved = tmp_path / "mlp.json"
    saved.write_text(qb.zoo.get("mlp-p50").to_json())
    assert qb.requirements(str(saved))["total"]["weights"] == 2910208
    assert qb.requirements(saved)["total"]["weights"] == 2910208  # a path object too
    by_id = qb.predict("mlp-p50", "zcu104-dpu", "int8")
    assert by_id["inputs_per_s"] == pytest.approx(19.2e9 / 2910208, rel=1e-12)  # memory bound at 19.2 GB/s
    assert by_id == qb.predict(qb.zoo.get("mlp-p50"), "zcu104-dpu", "int8")
    assert qb.topology("mlp-p50").name == "mlp-p50"
    with pytest.raises(qb.SpecError, match="argument 'topology': must be a Topology, a zoo id") as e:
        qb.predict(3, "zcu104-dpu", "int8")
    assert e.value.id == 503
    with pytest.raises(qb.SpecError) as e:
        qb.requirements("mlp-p51")
    assert e.value.id == 301


def test_selections_take_spec_files_modes_and_platforms():
    cells = qb.heatmap("imagenet", f"{MY_SPEC}:eco,tx2:maxq")
    assert {(c["platform"], c["mode"]) for c in cells} == {("my-accelerator", "eco"), ("tx2", "maxq")}
    # A mixed sequence reads each string as the CLI's --platforms does.
    mixed = qb.heatmap("imagenet", [qb.platform("ncs2")[0], "tx2:maxq"])
    assert {c["platform"] for c in mixed} == {"ncs2", "tx2"}
    with pytest.raises(qb.SpecError, match="selects tx2:maxq a second time") as e:
        qb.heatmap("imagenet", "tx2,tx2:maxq")
    assert e.value.id == 505
    with pytest.raises(qb.SpecError, match="argument 'platforms'"):
        qb.heatmap("imagenet", [3])
    with pytest.raises(qb.SpecError, match="argument 'platforms'"):
        qb.heatmap("imagenet", b"tx2")
    # Across a list's items as within one string: the same platform and mode twice is a 505.
    for twice in (["tx2", "tx2:maxq"], ["tx2", qb.platform("tx2")[0]]):
        with pytest.raises(qb.SpecError, match="selects tx2:maxq a second time|selects tx2:maxn a second time") as e:
            qb.sweep("mlp", twice, [1], ["fp16"])
        assert e.value.id == 505
    # Paths name spec files wherever a string may.
    assert qb.platform(MY_SPEC)[0].id == "my-accelerator"
    assert qb.sweep("mlp", [MY_SPEC], [1], ["int8"])["platforms"] == ["my-accelerator"]


def test_sweep_is_labelled_and_each_point_is_predicts():
    sweep = qb.sweep("resnet50", f"zcu102-dpu,tx2:maxq,{MY_SPEC}:eco", [1, 8], ["int8", "fp16"])
    assert sweep["platforms"] == ["zcu102-dpu", "tx2", "my-accelerator"]
    assert sweep["modes"] == ["", "maxq", "eco"]
    assert sweep["batches"] == [1, 8] and sweep["datatypes"] == ["int8", "fp16"]
    assert sweep["inputs_per_s"].shape == (3, 2, 2)
    rows = sweep.rows()
    assert len(rows) == 12
    for row in rows:
        ref = (MY_SPEC if row["platform"] == "my-accelerator" else row["platform"])
        p = qb.predict("resnet50", f"{ref}:{row['mode']}" if row["mode"] else ref, row["datatype"], row["batch"])
        if p["status"] == "ok":
            assert row["inputs_per_s"] == pytest.approx(p["inputs_per_s"], rel=1e-12)
            assert row["latency_s"] == pytest.approx(p["latency_s"], rel=1e-12)
        else:
            assert row["inputs_per_s"] is None and row["latency_s"] is None
    frame = sweep.to_pandas()
    assert list(frame.columns) == ["platform", "mode", "batch", "datatype", "latency_s", "inputs_per_s"]
    assert math.isnan(frame[(frame.platform == "my-accelerator") & (frame.datatype == "fp16")].inputs_per_s.iloc[0])


def test_tables_show_in_notebooks_and_nodes_are_a_table():
    nodes = qb.zoo.get("mlp-p50").nodes()
    assert isinstance(nodes, qb.Table)
    assert nodes.to_pandas()["weights"].sum() == 2910208
    page = qb.heatmap("mnist", "zcu104-finn")._repr_html_()
    assert page.startswith("<table><thead><tr><th>task</th>") and "zcu104-finn" in page


@needs_cli
def test_the_cli_and_python_give_the_same_figures():
    for topology, ref, dtype, batch in (("resnet50", "zcu102-dpu", "int8", 1), ("mobilenet-v1", "tx2:maxq", "fp16", 4),
                                        ("cnv-p25", f"{MY_SPEC}:eco", "int4", 2)):
        ours = qb.predict(topology, ref, dtype, batch)
        theirs = cli_json("predict", "--topology", topology, "--platform", str(ref), "--datatype", dtype,
                          "--batch", str(batch))
        assert theirs["inputs_per_s"] == ours["inputs_per_s"] and theirs["bound"] == ours["bound"]
        point = qb.sweep(topology, str(ref), [batch], [dtype])["inputs_per_s"][0, 0, 0]
        assert point == pytest.approx(theirs["inputs_per_s"], rel=1e-12)
    for task in ("imagenet", "cifar10"):
        selection = f"thesis,{MY_SPEC}"
        theirs = {(c["platform"], c["mode"] or "", c["datatype"], c["topology"]): c["inputs_per_s"]
                  for c in cli_json("heatmap", "--task", task, "--platforms", selection)}
        ours = {(c["platform"], c["mode"], c["datatype"], c["topology"]): c["inputs_per_s"]
                for c in qb.heatmap(task, selection)}
        assert theirs == ours
        assert any(key[0] == "my-accelerator" and key[1] == "eco" for key in ours)
        front = {(c["platform"], c["mode"] or "", c["datatype"], c["topology"])
                 for c in cli_json("pareto", "--task", task, "--platforms", selection) if c["on_frontier"] in ("yes", True)}
        assert front == {(c["platform"], c["mode"], c["datatype"], c["topology"])
                         for c in qb.theoretical_pareto(task, "throughput", selection) if c["on_frontier"]}


def test_the_report_takes_a_users_spec_file(tmp_path, capsys):
    assert report.main(["--output", str(tmp_path / "r"), "--no-measurements", "--platforms", f"{MY_SPEC}"]) == 0
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert '<figure class="interactive" id="roofline-my-accelerator"' in page
    out = capsys.readouterr().out
    assert "my-accelerator" in out and "zcu104-finn" not in out  # its heatmaps and frontiers only


def test_the_report_draws_each_selected_mode_and_a_users_copy_in_place_of_the_shipped(tmp_path):
    faster = json.loads((ROOT / "data" / "platforms" / "tx2.json").read_text())
    faster["modes"]["maxq"]["peak_tera_ops_per_s"]["fp16"] = 8.7  # the user's edit: ten times the shipped maxq
    spec = tmp_path / "my-tx2.json"
    spec.write_text(json.dumps(faster))
    assert report.main(["--output", str(tmp_path / "r"), "--no-measurements", "--platforms",
                        f"{spec}:maxq,{MY_SPEC}:eco,{MY_SPEC}:turbo"]) == 0
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    for name in ("roofline-tx2", "roofline-my-accelerator-eco", "roofline-my-accelerator-turbo"):
        assert f'<figure class="interactive" id="{name}"' in page
    assert 'id="roofline-my-accelerator"' not in page
    assert re.search(r"Roofline of [^<]*TX2[^<]*, mode maxq", page)  # the user's file, in the mode selected


def test_the_report_refuses_a_bad_selection_before_the_first_step(tmp_path, capsys):
    assert report.main(["--output", str(tmp_path / "r"), "--no-measurements", "--platforms", "tx3"]) == 1
    err = capsys.readouterr().err
    assert "[qutibench.spec_error.301]" in err and "[1/" not in err
