"""Inputs that once crashed, hung or printed a wrong number (issue 13's reproductions),
through the CLI and Python. Reproductions that used to kill the process run in a
subprocess, so that a regression fails its test instead of ending pytest."""
import json
import os
import re
import subprocess
import sys

import pytest

CLI = os.environ.get("QUTIBENCH_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="QUTIBENCH_CLI is not set (CTest sets it)")


def cli(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


def python(code):
    """Runs `code` in a fresh interpreter with the package; its result, whatever signal ended it."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.fixture
def deep_topology(tmp_path):
    # 100k levels in 200 KB: the error message's dump() overflowed the stack.
    path = tmp_path / "deep.json"
    path.write_text('{"name": "t", "nodes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    return path


@needs_cli
def test_cli_show_of_a_deeply_nested_file_is_error_506(deep_topology):
    r = cli("show", str(deep_topology))
    assert r.returncode == 2
    assert f"[qutibench.spec_error.506] {deep_topology}: /nodes/0/0/" in r.stderr
    assert len(r.stderr) < 400


def test_python_topology_load_of_a_deeply_nested_file_raises_506(deep_topology):
    r = python("import qutibench\n"
               "try:\n"
               f"    qutibench.Topology.load({str(deep_topology)!r})\n"
               "except qutibench.SpecError as e:\n"
               "    print(e.id)\n")
    assert (r.returncode, r.stdout.strip()) == (0, "506"), r.stderr


@needs_cli
def test_cli_check_platform_refuses_a_peak_given_twice(tmp_path):
    # The A100's fp16 peak is 312 TOP/s; a second "fp16" used to win and predict 7x faster.
    spec = tmp_path / "twice.json"
    spec.write_text('{"id": "twice", "name": "t", "kind": "gpu", "source": "test", '
                    '"memory": {"bandwidth_gb_per_s": 2039}, '
                    '"peak_tera_ops_per_s": {"fp16": 312, "int8": 624, "fp16": 3120}}')
    r = cli("check-platform", str(spec))
    assert r.returncode != 0
    assert f"[qutibench.spec_error.507] {spec}: /peak_tera_ops_per_s/fp16: key given twice" in r.stdout


# --- Selection words are not platform ids ---------------------------------------------

@needs_cli
@pytest.mark.parametrize("ref", ["thesis", "all", "tx2,ncs2"])
def test_cli_predict_refuses_a_selection_of_several_platforms(ref):
    # They used to predict for ultra96-dpu, a100-sxm and tx2 without a word.
    r = cli("predict", "--topology", "resnet50", "--platform", ref, "--datatype", "int8")
    assert r.returncode == 2
    assert f"[qutibench.spec_error.301] platform '{ref}': names several platforms; give one id" in r.stderr


@pytest.mark.parametrize("ref", ["thesis", "all", "tx2,ncs2"])
def test_python_predict_refuses_a_selection_of_several_platforms(ref):
    import qutibench
    with pytest.raises(qutibench.SpecError, match=f"platform '{ref}': names several platforms") as e:
        qutibench.predict(qutibench.zoo.get("resnet50"), ref, "int8")
    assert e.value.id == 301


def test_platform_ids_and_modes_still_resolve():
    import qutibench
    pf, mode = qutibench.platform("tx2:maxq")
    assert (pf.id, mode) == ("tx2", "maxq")


@needs_cli
def test_an_alias_is_the_platform_from_cli_and_python():
    import qutibench
    # shared/reference/public's measurement CSV names the A100 SXM4 80GB so.
    pf, _ = qutibench.platform("nvidia-a100-sxm4-80gb")
    assert pf.id == "a100-sxm" and "nvidia-a100-sxm4-80gb" in pf.aliases
    expected = qutibench.predict(qutibench.zoo.get("resnet50"), "a100-sxm", "int8")["inputs_per_s"]
    r = cli("predict", "--topology", "resnet50", "--platform", "nvidia-a100-sxm4-80gb", "--datatype", "int8",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["platform"] == "a100-sxm"
    assert shown["inputs_per_s"] == pytest.approx(expected, rel=1e-12)


# --- One validation of arguments: the CLI and Python accept and refuse the same ------

@needs_cli
def test_batch_zero_is_the_same_error_from_cli_and_python():
    import qutibench
    r = cli("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8", "--batch", "0")
    assert r.returncode == 2
    message = "[qutibench.spec_error.503] batch: must be an integer from 1 to 2^40, got 0"
    assert message in r.stderr
    with pytest.raises(qutibench.SpecError) as e:
        qutibench.predict(qutibench.zoo.get("resnet50"), "zcu102-dpu", "int8", batch=0)
    assert str(e.value) == message and e.value.id == 503
    # show: the range used to be printed as a 310-digit number.
    r = cli("show", "mlp", "--batch", "0")
    assert r.returncode == 2 and message in r.stderr and len(r.stderr) < 200


@needs_cli
@pytest.mark.parametrize("command", [
    ("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8"),
    ("show", "mlp"),
])
def test_a_negative_batch_is_shown_as_given_by_cli_and_python(command):
    import qutibench
    # The CLI's unsigned options once printed -1 as its wrap, 18446744073709551615.
    r = cli(*command, "--batch", "-1")
    message = "[qutibench.spec_error.503] batch: must be an integer from 1 to 2^40, got -1"
    assert r.returncode == 2 and message in r.stderr, r.stderr
    for call in (lambda: qutibench.predict(qutibench.zoo.get("resnet50"), "zcu102-dpu", "int8", batch=-1),
                 lambda: qutibench.requirements(qutibench.zoo.get("mlp"), "int8", batch=-1)):
        with pytest.raises(qutibench.SpecError) as e:
            call()
        assert str(e.value) == message


@needs_cli
def test_a_negative_llm_count_is_shown_as_given_by_cli_and_python():
    import qutibench
    r = cli("llm", "--topology", "llama-3-8b", "--platform", "h100-sxm", "--batch", "-1")
    message = "[qutibench.spec_error.503] LLM request: batch must be from 1 to 1e9, got -1"
    assert r.returncode == 2 and message in r.stderr, r.stderr
    with pytest.raises(qutibench.SpecError) as e:
        qutibench.llm("llama-3-8b", "h100-sxm", batch=-1)
    assert str(e.value) == message


@needs_cli
@pytest.mark.parametrize("args, expected", [
    (("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8", "--batch", "1.5"),
     "[qutibench.spec_error.503] command line: Could not convert: --batch = 1.5"),
    (("predict", "--topology", "resnet50", "--platform", "zcu102-dpu", "--datatype", "int8", "--bogus"),
     "[qutibench.spec_error.504] command line: The following argument was not expected: --bogus"),
    (("llm", "--platform", "h100-sxm"), "[qutibench.spec_error.502] command line: --topology is required"),
    (("foo",), "[qutibench.spec_error.301] command 'foo': not a qutibench command; commands: zoo, show, export,"),
])
def test_usage_errors_are_idd_with_exit_status_2(args, expected):
    # CLI11's own codes (104 to 109) and "A subcommand is required" for an unknown command
    # contradicted the README's exit status 2.
    r = cli(*args)
    assert r.returncode == 2 and expected in r.stderr, r.stderr
    assert cli("predict", "--help").returncode == 0


@pytest.mark.parametrize("call, argument", [
    (lambda q, t: q.predict(t, "zcu102-dpu", "int8", batch=2.5), "batch"),
    (lambda q, t: q.predict(t, "zcu102-dpu", "int8", batch=True), "batch"),
    (lambda q, t: q.sweep(t, q.select_platforms("zcu102-dpu"), "12", ["int8"]), "batches"),
    (lambda q, t: q.sweep(t, q.select_platforms("zcu102-dpu"), [1.5], ["int8"]), "batches"),
    (lambda q, t: q.sweep(t, q.select_platforms("zcu102-dpu"), [1], "int8"), "datatypes"),
    (lambda q, t: q.predict(t, "zcu102-dpu", "int8", efficiency=(0.5,)), "efficiency"),
    (lambda q, t: q.predict(t, None, "int8"), "platform"),
    (lambda q, t: q.requirements(t, ("int8", "int4")), "precision"),
    (lambda q, t: q.TopologyBuilder("x", (3, 2**63, 4)), "shape"),
    (lambda q, t: q.orthogonality(100, 200, "300", 400), "pruned"),
])
def test_python_arguments_of_the_wrong_type_are_spec_errors_naming_them(call, argument):
    # Each used to be truncated, split, or a pybind "Unable to cast" without an ID.
    import qutibench
    with pytest.raises(qutibench.SpecError, match=f"argument '{argument}'") as e:
        call(qutibench, qutibench.zoo.get("mlp"))
    assert e.value.id == 503


@pytest.mark.parametrize("efficiency, where", [(2.0, "efficiency (compute)"), (0.0, "efficiency (compute)"),
                                               (1e-320, "efficiency (compute)"), ((0.5, 1.5), "efficiency (memory)")])
def test_python_efficiency_outside_its_range_is_refused(efficiency, where):
    # Documented as a fraction of peak; 2.0 doubled the prediction, 1e-320 printed an
    # infinite latency with status ok.
    import qutibench
    with pytest.raises(qutibench.SpecError, match=re.escape(f"{where}: must be in [1e-06, 1]")) as e:
        qutibench.predict(qutibench.zoo.get("mlp"), "zcu102-dpu", "int8", efficiency=efficiency)
    assert e.value.id == 503


def test_unknown_datatypes_are_error_101_not_a_cast_error():
    import qutibench
    net = qutibench.zoo.get("mlp")
    h100 = qutibench.platform("h100-sxm")[0]
    for call in (lambda: qutibench.requirements(net, "float8"), lambda: qutibench.predict(net, "zcu102-dpu", "float8"),
                 lambda: h100.peak("float8"), lambda: h100.carrier("float8"),
                 lambda: qutibench.sweep(net, qutibench.select_platforms("zcu102-dpu"), [1], ["float8"])):
        with pytest.raises(qutibench.SpecError, match="float8") as e:
            call()
        assert e.value.id == 101


def test_precision_overrides_must_name_nodes_and_known_keys():
    import qutibench
    net = qutibench.zoo.get("mlp")
    with pytest.raises(qutibench.SpecError, match="topology 'mlp': no node named 'fc9'") as e:
        qutibench.requirements(net, {"fallback": ("int8", "int8"), "overrides": {"fc9": ("int4", "int8")}})
    assert e.value.id == 301
    with pytest.raises(qutibench.SpecError, match="'fallbak': unknown key; valid here: fallback, overrides") as e:
        qutibench.requirements(net, {"fallbak": ("int8", "int8")})
    assert e.value.id == 504


def test_python_orthogonality_refuses_non_positive_throughputs():
    import qutibench
    with pytest.raises(qutibench.SpecError, match="orthogonality: quantized: must be a positive finite throughput, got -2"):
        qutibench.orthogonality(1, -2, 3, 4)


def test_a_prediction_that_overflows_is_invalid_not_an_infinite_ok():
    # A peak 1e-318 times the ZCU102's (about 1e-306 ops/s): ResNet50's 8e9 ops take
    # longer than a double holds.
    import qutibench
    pf = qutibench.select_platforms("zcu102-dpu")[0].scaled(peak=1e-318)
    net = qutibench.zoo.get("resnet50")
    for per_layer in (False, True):
        r = qutibench.predict(net, pf, "int8", per_layer=per_layer)
        assert r["status"] == "invalid" and r["latency_s"] is None
    s = qutibench.sweep(net, [pf], [1], ["int8"], per_layer=True)
    assert s["latency_s"].shape == (1, 1, 1) and s["latency_s"][0, 0, 0] != s["latency_s"][0, 0, 0]  # NaN


# --- Numbers past 2^63 ----------------------------------------------------------------

@needs_cli
def test_cli_show_prints_counts_past_2_63_unsigned(tmp_path):
    # A dense layer of 2^20 x 2^20 MACs: 2^41 ops per input; batch 2^22 makes 2^63 ops,
    # which a signed cast printed as -9223372036854775808 (and its intensity as -nan).
    spec = tmp_path / "wide.json"
    spec.write_text('{"name": "wide", "nodes": [{"name": "x", "op": "input", "shape": [1048576]},'
                    ' {"name": "fc", "op": "dense", "out_features": 1048576, "bias": false}]}')
    import json
    r = cli("show", str(spec), "--batch", str(2**22), "--format", "json")
    assert r.returncode == 0, r.stderr
    totals = json.loads(r.stdout)["totals"]
    assert totals["ops"] == 2**63
    # Weights off-chip, activations on chip (thesis eq. 2.5): 2^63 ops over 2^40 fp32
    # weights of 4 bytes each = 2^21 ops/byte.
    assert totals["operational_intensity"] == 2**21


# --- Output that cannot be written ----------------------------------------------------

@needs_cli
def test_cli_output_to_a_full_device_fails():
    with open("/dev/full", "w") as full:
        r = subprocess.run([CLI, "zoo"], stdout=full, stderr=subprocess.PIPE, text=True)
    assert r.returncode == 2
    assert r.stderr == "qutibench: [qutibench.spec_error.508] standard output: cannot write: No space left on device\n"


@needs_cli
def test_cli_output_to_a_closed_stdout_fails():
    r = subprocess.run(["/bin/sh", "-c", '"$0" zoo >&-', CLI], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr == "qutibench: [qutibench.spec_error.508] standard output: cannot write: Bad file descriptor\n"


# --- Messages that name what they are about, on one line -----------------------------

@needs_cli
def test_cli_count_overflow_names_the_topology_and_the_batch(tmp_path):
    # 2^41 ops per input (a 2^20 x 2^20 dense layer) x batch 2^40 = 2^81 ops.
    spec = tmp_path / "wide.json"
    spec.write_text('{"name": "wide", "nodes": [{"name": "x", "op": "input", "shape": [1048576]},'
                    ' {"name": "fc", "op": "dense", "out_features": 1048576, "bias": false}]}')
    r = cli("show", str(spec), "--batch", str(2**40))
    assert r.returncode == 2
    assert r.stderr.startswith("qutibench: [qutibench.spec_error.206] topology 'wide', ")
    assert r.stderr.endswith("count exceeds 64 bits at batch 1099511627776\n")


@needs_cli
def test_cli_echoes_an_id_holding_a_newline_on_one_line():
    r = cli("show", "res\nnet50")
    assert r.returncode == 2
    assert r.stderr.startswith("qutibench: [qutibench.spec_error.301] topology 'res\\nnet50': not in the zoo")
    assert r.stderr.count("\n") == 1


@needs_cli
@pytest.mark.parametrize("args, call, message", [
    (("heatmap", "--task", "bogus"), lambda qb: qb.heatmap("bogus"),
     "[qutibench.spec_error.301] task 'bogus': valid: imagenet, cifar10, mnist"),
    (("pareto", "--task", "bogus", "--measurements", "LEVEL3"), lambda qb: qb.measured_pareto(LEVEL3, "bogus"),
     "[qutibench.spec_error.301] task 'bogus': valid: imagenet, cifar10, mnist"),
    (("validate", "--measurements", "absent.csv", "--model", "bogus"), lambda qb: qb.validate("absent.csv", "bogus"),
     "[qutibench.spec_error.301] model 'bogus'"),
    (("pareto", "--task", "mnist", "--x", "bogus"), lambda qb: qb.theoretical_pareto("mnist", "bogus"),
     "[qutibench.spec_error.301] figure of merit 'bogus'"),
    (("predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "int8", "--model", "bogus"),
     lambda qb: qb.predict("mlp", "tx2", "int8", model="bogus"), "[qutibench.spec_error.301] model 'bogus': valid: plain, realistic"),
    (("predict", "--topology", "mlp", "--platform", "tx2", "--datatype", "int8", "--memory-model", "bogus"),
     lambda qb: qb.predict("mlp", "tx2", "int8", memory_model="bogus"), "[qutibench.spec_error.301] memory model 'bogus'"),
    (("validate", "--measurements", "LEVEL3", "--model", "bogus"), lambda qb: qb.validate(LEVEL3, "bogus"),
     "[qutibench.spec_error.301] model 'bogus': valid: plain, refined, calibrated, realistic"),
    (("validate", "--measurements", "LEVEL3", "--metric", "bogus"), lambda qb: qb.validate(LEVEL3, "plain", "bogus"),
     "[qutibench.spec_error.301] metric 'bogus': valid: compute, system"),
])
def test_a_named_value_is_refused_alike_by_cli_and_python(args, call, message):
    # A task Python did not know used to give no cells and no error; the CLI's own checks
    # of these options worded their refusals otherwise.
    import qutibench
    r = cli(*(LEVEL3 if a == "LEVEL3" else a for a in args))
    assert r.returncode == 2 and message in r.stderr, r.stderr
    with pytest.raises(qutibench.SpecError) as e:
        call(qutibench)
    assert message in str(e.value) and str(e.value) in r.stderr


LEVEL3 = os.path.join(os.path.dirname(__file__), "..", "..", "data", "measurements", "level3_thesis.csv")


@needs_cli
def test_a_stray_byte_in_a_file_is_escaped_in_the_error_from_cli_and_python(tmp_path):
    # A Latin-1 byte echoed into a message made Python's error a UnicodeDecodeError.
    import qutibench
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"topology_id,platform_id,mode,datatype,batch,measured_inputs_per_s,measured_latency_ms,metric_kind\n"
                     b"resnet18,zcu102-dpu,,int8\xff,1,100,,system\n")
    r = subprocess.run([CLI, "validate", "--measurements", str(path)], capture_output=True)
    message = f"[qutibench.spec_error.401] {path}:2: [qutibench.spec_error.101] datatype 'int8\\xff'"
    assert r.returncode == 2 and message.encode() in r.stderr, r.stderr
    with pytest.raises(qutibench.SpecError) as e:
        qutibench.validate(str(path))
    assert message in str(e.value)


@needs_cli
def test_the_longest_prompt_and_output_are_a_request_that_does_not_fit():
    # A 1e9-token prompt is in range; its decode steps' mean context used to pass the
    # step's own 1e9 limit and fail as an internal "LLM step" error.
    import qutibench
    r = cli("llm", "--topology", "llama-3-8b", "--platform", "h100-sxm", "--prompt", "1000000000", "--output", "1000000000",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["status"] == "does-not-fit"
    assert qutibench.llm("llama-3-8b", "h100-sxm", prompt=10**9, output=10**9)["status"] == "does-not-fit"


@needs_cli
def test_validate_gives_the_thesis_coefficients_and_says_when_few_shot_has_nothing():
    import qutibench
    shown = json.loads(cli("validate", "--measurements", LEVEL3, "--format", "json").stdout)
    groups = qutibench.validate(LEVEL3)["groups"]
    assert [g["thesis_pearson"] for g in groups] == [g["thesis_pearson"] for g in shown["groups"]]
    # Table 7.1: TX2 on CIFAR-10, 0.96.
    assert next(g["thesis_pearson"] for g in groups if (g["platform"], g["task"]) == ("tx2", "cifar10")) == 0.96
    # The published file has system figures only: compute leaves every device empty.
    public = os.path.join(os.path.dirname(LEVEL3), "public_cnn_dev.csv")
    r = cli("validate", "--measurements", public, "--few-shot", "1")
    assert r.returncode == 0 and "no device has more networks with compute figures than any k given" in r.stderr


@pytest.mark.parametrize("call, message", [
    (lambda qb: qb.llm("llama-3-8b", "h100-sxm", weights=1), "argument 'weights': must be a string, got int 1"),
    (lambda qb: qb.llm("llama-3-8b", "h100-sxm", model=None), "argument 'model': must be a string, got NoneType None"),
    (lambda qb: qb.llm("llama-3-8b", "h100-sxm", fused_attention="no"),
     "argument 'fused_attention': must be True or False, got str 'no'"),
    (lambda qb: qb.llm_sweep("llama-3-8b", "h100-sxm", kv=8), "argument 'kv': must be a string, got int 8"),
    (lambda qb: qb.predict("mlp", "tx2", "int8", calibrate=1), "argument 'calibrate': must be a string, got int 1"),
    (lambda qb: qb.predict("mlp", "tx2", "int8", calibrate="mine.csv", metric=1), "argument 'metric': must be a string, got int 1"),
    (lambda qb: qb.predict("mlp", "tx2", "int8", per_layer="yes"), "argument 'per_layer': must be True or False, got str 'yes'"),
    (lambda qb: qb.validate(None), "argument 'path': must be a string, got NoneType None"),
    (lambda qb: qb.few_shot(1), "argument 'path': must be a string, got int 1"),
    (lambda qb: qb.llm_few_shot("h100-sxm", 1), "argument 'path': must be a string, got int 1"),
    (lambda qb: qb.heatmap(1), "argument 'task': must be a string, got int 1"),
    (lambda qb: qb.heatmap("mnist", model=1), "argument 'model': must be a string, got int 1"),
    (lambda qb: qb.sweep("mlp", "tx2", [1], ["int8"], per_layer="no"), "argument 'per_layer': must be True or False, got str 'no'"),
    (lambda qb: qb.load_measurements(None), "argument 'path': must be a string, got NoneType None"),
    (lambda qb: qb.measured_pareto(LEVEL3, 1), "argument 'task': must be a string, got int 1"),
    (lambda qb: qb.llm_parameters(5), "argument 'topology': must be a string, got int 5"),
    (lambda qb: qb.platform("h100-sxm")[0].peak(8), "argument 'datatype': must be a datatype name such as 'int8' or a Datatype, got int 8"),
    (lambda qb: qb.platform("h100-sxm")[0].carrier("int8", None), "argument 'mode': must be a string, got NoneType None"),
    (lambda qb: qb.platform("h100-sxm")[0].bandwidth(None), "argument 'mode': must be a string, got NoneType None"),
    (lambda qb: qb.platform("h100-sxm")[0].native_peaks(None), "argument 'mode': must be a string, got NoneType None"),
    (lambda qb: qb.platform("h100-sxm")[0].power_w(0), "argument 'mode': must be a string, got int 0"),
    (lambda qb: qb.platform("h100-sxm")[0].scaled(peak="2"), "argument 'peak': must be a number, got str '2'"),
    (lambda qb: qb.platform("h100-sxm")[0].scaled(id=3), "argument 'id': must be a string, got int 3"),
])
def test_an_argument_of_the_wrong_type_is_a_503_naming_it(call, message):
    # These were pybind's TypeErrors, which list the extension's whole signature.
    import qutibench
    with pytest.raises(qutibench.SpecError) as e:
        call(qutibench)
    assert str(e.value) == "[qutibench.spec_error.503] " + message


def test_paths_may_be_path_objects_and_flags_numpy_booleans():
    import pathlib

    import numpy

    import qutibench
    layers = qutibench.predict("mlp", "zcu102-dpu", "int8", per_layer=True)["layers"]
    assert layers and qutibench.predict("mlp", "zcu102-dpu", "int8", per_layer=numpy.True_)["layers"] == layers
    assert "layers" not in qutibench.predict("mlp", "zcu102-dpu", "int8", per_layer=numpy.False_)
    assert len(qutibench.load_measurements(pathlib.Path(LEVEL3))) == len(qutibench.load_measurements(LEVEL3))
    # repr: the figures hold NaN, which equals nothing.
    assert repr(list(qutibench.validate(pathlib.Path(LEVEL3))["groups"])) == repr(list(qutibench.validate(LEVEL3)["groups"]))
    assert repr(list(qutibench.few_shot(pathlib.Path(LEVEL3), 1))) == repr(list(qutibench.few_shot(LEVEL3, 1)))
