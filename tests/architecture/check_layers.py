#!/usr/bin/python3
"""The layering rule of docs/architecture.md, checked on every header's includes.

The layer table is read from docs/architecture.md (its single home): each row names a
rank, a layer and the paths it holds. A header may include headers of its own layer and
of layers of lower rank, never of a higher rank or of another layer of the same rank; and
no header may exceed the line limit the page states.
Usage: check_layers.py [ROOT]          check ROOT (default: this checkout)
       check_layers.py --self-test     show that a wrong include is caught
"""
import pathlib
import re
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"](qutibench/[^>"]+)[>"]', re.M)
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*([a-z]+)\s*\|([^|]*)\|", re.M)
LIMIT = re.compile(r"no header over (\d+) lines")


def layer_table(root):
    """[(rank, layer, [path patterns])] from the architecture page, most specific first."""
    page = (root / "docs" / "architecture.md").read_text()
    rows = []
    for rank, layer, paths in ROW.findall(page):
        for pattern in re.findall(r"`([^`]+)`", paths):
            rows.append((int(rank), layer, pattern))
    if not rows:
        sys.exit("check_layers: docs/architecture.md has no layer table")
    # A file pattern (qutibench/qutibench.hpp) beats a folder (qutibench/testing/), which
    # beats the top-level wildcard (qutibench/*.hpp).
    rows.sort(key=lambda r: (r[2].endswith("*.hpp"), r[2].endswith("/"), -len(r[2])))
    return rows, int(LIMIT.search(page).group(1))


def layer_of(header, rows):
    for rank, layer, pattern in rows:
        if pattern.endswith("*.hpp"):
            folder = pattern[: -len("*.hpp")]
            if header.startswith(folder) and "/" not in header[len(folder):]:
                return rank, layer
        elif header == pattern or (pattern.endswith("/") and header.startswith(pattern)):
            return rank, layer
    return None


def problems(root):
    rows, max_lines = layer_table(root)
    found = []
    for path in sorted((root / "include").rglob("*.hpp")):
        header = path.relative_to(root / "include").as_posix()
        own = layer_of(header, rows)
        if own is None:
            found.append(f"{header}: in no layer of docs/architecture.md")
            continue
        text = path.read_text()
        if text.count("\n") > max_lines:
            found.append(f"{header}: {text.count(chr(10))} lines, over the limit of {max_lines}")
        for line_no, target in ((text[: m.start()].count("\n") + 1, m.group(1)) for m in INCLUDE.finditer(text)):
            theirs = layer_of(target, rows)
            if theirs is None:
                found.append(f"{header}:{line_no}: includes {target}, which is in no layer")
            elif theirs[1] != own[1] and theirs[0] >= own[0]:
                found.append(f"{header}:{line_no}: layer {own[1]} (rank {own[0]}) includes {target} "
                             f"of layer {theirs[1]} (rank {theirs[0]})")
    return found


def self_test():
    """A predictor that includes validation must be reported, and only it."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp)
        shutil.copytree(ROOT / "include", copy / "include")
        shutil.copytree(ROOT / "docs", copy / "docs")
        wrong = copy / "include" / "qutibench" / "predict" / "roofline.hpp"
        wrong.write_text(wrong.read_text() + '\n#include "qutibench/validation/dataset.hpp"\n')
        found = sorted(set(problems(copy)) - set(problems(ROOT)))
    expected = "qutibench/predict/roofline.hpp"
    ok = len(found) == 1 and found[0].startswith(expected) and "validation" in found[0]
    print("\n".join(found) or "nothing reported")
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    found = problems(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
    print("\n".join(found))
    print(f"{0 if found else 1} passed, {1 if found else 0} failed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
