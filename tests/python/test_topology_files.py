"""Topology files (data/schema/topology.schema.json): the schema, the Python loader and the
command line agree, and every zoo network survives the trip through its file."""
import json
import os
import pathlib
import subprocess

import jsonschema
import pytest

import qutibench as qb

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "data" / "schema" / "topology.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
FIXTURES = ROOT / "tests" / "data" / "topologies"
INVALID = ROOT / "tests" / "data" / "topologies_invalid"
CLI = os.environ.get("QUTIBENCH_CLI")
ZOO = qb.zoo.ids()
# Problems of the graph or of sizes (a name read but never defined, a cycle, mismatched
# shapes, a name used twice, a padding whose sum overflows): no JSON Schema keyword sees them.
BEYOND_THE_SCHEMA = {"dangling_input.json", "cycle.json", "shape_mismatch.json", "duplicate_name.json",
                     "padding_overflow.json", "not_json.json"}


def test_the_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("topology_id", ZOO)
def test_every_zoo_network_exports_to_the_schema_and_loads_back_with_equal_totals(topology_id):
    net = qb.zoo.get(topology_id)
    text = net.to_json()
    assert [e.message for e in VALIDATOR.iter_errors(json.loads(text))] == []
    back = qb.Topology.from_json(text, where=topology_id)
    assert back.to_json() == text
    assert qb.requirements(back, "int4")["total"] == qb.requirements(net, "int4")["total"]


def test_the_hand_written_fixture_follows_the_schema_and_has_its_hand_counts():
    spec = FIXTURES / "residual_cnn.json"
    assert [e.message for e in VALIDATOR.iter_errors(json.loads(spec.read_text()))] == []
    total = qb.requirements(qb.Topology.load(spec))["total"]
    # conv1 16x3x3x3 and conv2 16x16x3x3 over 32x32 outputs, fc 4096 -> 10
    assert total["ops"] == 2 * (32 * 32 * 16 * 27 + 32 * 32 * 16 * 144 + 4096 * 10)
    assert total["weights"] == 432 + 2304 + 40960


@pytest.mark.parametrize("spec", [p for p in sorted(INVALID.glob("*.json")) if p.name not in BEYOND_THE_SCHEMA],
                         ids=lambda p: p.name)
def test_invalid_fixtures_break_the_schema_too(spec):
    assert list(VALIDATOR.iter_errors(json.loads(spec.read_text())))


def test_the_loader_names_the_file_and_the_field():
    with pytest.raises(qb.SpecError) as e:
        qb.Topology.load(INVALID / "unknown_field.json")
    assert e.value.id == 504 and "unknown_field.json: /nodes/1/kernal" in str(e.value)
    with pytest.raises(qb.SpecError) as e:
        qb.Topology.from_json("[1, 2", where="pasted")
    assert e.value.id == 501 and "pasted" in str(e.value)


@pytest.mark.skipif(not CLI, reason="QUTIBENCH_CLI is not set (CTest sets it)")
def test_the_command_line_predicts_an_exported_file_as_the_zoo_network(tmp_path):
    def run(*args, check=True):
        return subprocess.run([CLI, *args], capture_output=True, text=True, check=check)
    spec = tmp_path / "my_cnv.json"
    spec.write_text(run("export", "cnv-p25").stdout)
    args = ["--platform", "zcu104-finn", "--datatype", "int2", "--format", "json"]
    from_file = json.loads(run("predict", "--topology", str(spec), *args).stdout)
    from_zoo = json.loads(run("predict", "--topology", "cnv-p25", *args).stdout)
    assert from_file["inputs_per_s"] == from_zoo["inputs_per_s"]
    shown = json.loads(run("show", str(spec), "--format", "json").stdout)
    assert shown["topology"] == "cnv-p25" and shown["task"] is None
    bad = run("show", str(INVALID / "cycle.json"), check=False)
    assert bad.returncode == 2
    assert "[qutibench.spec_error.202]" in bad.stderr and "cycle.json" in bad.stderr
