"""Inputs that once crashed, hung or printed a wrong number (issue 13's reproductions),
through the CLI and Python. Reproductions that used to kill the process run in a
subprocess, so that a regression fails its test instead of ending pytest."""
import os
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
