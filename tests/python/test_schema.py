"""data/platforms/*.json against data/schema/platform.schema.json (JSON Schema 2020-12), and
the C++ loader's invalid fixtures rejected by the schema too: the two agree."""
import json
import pathlib

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "data" / "schema" / "platform.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("spec", sorted((ROOT / "data" / "platforms").glob("*.json")) + [ROOT / "examples" / "my_accelerator.json"],
                         ids=lambda p: p.name)
def test_shipped_specs_follow_the_schema(spec):
    data = json.loads(spec.read_text())
    assert [e.message for e in VALIDATOR.iter_errors(data)] == []
    if spec.parent.name == "platforms":
        assert data["id"] == spec.stem  # one file per platform, named by its id


# not_json.json does not parse; infinite_peak.json (1e999) is valid JSON that JSON Schema
# cannot reject (no finiteness keyword), nor full_below_idle.json (no keyword compares two
# values): only the C++ loader refuses them.
@pytest.mark.parametrize("spec", [p for p in sorted((ROOT / "tests" / "data" / "platforms_invalid").glob("*.json"))
                                  if p.name not in ("not_json.json", "infinite_peak.json", "full_below_idle.json")],
                         ids=lambda p: p.name)
def test_invalid_fixtures_break_the_schema(spec):
    assert list(VALIDATOR.iter_errors(json.loads(spec.read_text())))
