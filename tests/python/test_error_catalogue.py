"""docs/errors.md lists every error ID of include/qutibench/error.hpp, and every ID the code
throws is in both (and nothing else)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]


def declared():
    text = (ROOT / "include" / "qutibench" / "error.hpp").read_text()
    return {name: int(value) for name, value in re.findall(r"^\s*(\w+) = (\d+),", text, re.M)}


def documented():
    text = (ROOT / "docs" / "errors.md").read_text()
    return {name: int(value) for value, name in re.findall(r"^\| (\d+) \| (\w+) \|", text, re.M)}


def used():
    names = set()
    for path in list((ROOT / "include").rglob("*.hpp")) + list((ROOT / "bindings").rglob("*.cpp")):
        names |= set(re.findall(r"error_id::(\w+)", path.read_text()))
    return names


def test_every_declared_id_is_documented_and_vice_versa():
    assert declared() == documented()


def test_every_thrown_id_is_declared_and_every_declared_id_is_thrown():
    assert used() == set(declared())


def test_documented_examples_carry_their_own_id():
    text = (ROOT / "docs" / "errors.md").read_text()
    for value, name, example in re.findall(r"^\| (\d+) \| (\w+) \|[^|]*\| `\[qutibench\.\w+\.(\d+)\]", text, re.M):
        assert value == example, name
