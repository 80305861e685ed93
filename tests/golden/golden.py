#!/usr/bin/python3
"""Byte-for-byte behaviour check of the command line against committed golden files.

The golden files were written by the command line as it stood before the architecture
refactor (issue 12); a refactor must leave every one of these outputs unchanged.
Usage: golden.py QUTIBENCH_BINARY [--update]   (--update rewrites the golden files)
"""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = HERE / "outputs"
MEASUREMENTS = str(HERE.parents[1] / "data" / "measurements" / "level3_thesis.csv")
TASKS = ["imagenet", "cifar10", "mnist"]
# Five platforms with a datatype each runs natively (plus one it does not, for the status).
PREDICT_PLATFORMS = [("zcu104-dpu", "int8"), ("zcu104-finn", "int2"), ("tx2:maxn", "fp16"),
                     ("coral-tpu:fast", "int8"), ("a100-sxm", "fp32"), ("ncs2", "int2")]


def commands(cli):
    zoo_ids = subprocess.run([cli, "zoo", "--format", "csv"], check=True, capture_output=True,
                             text=True).stdout.splitlines()[1:]
    zoo_ids = [line.split(",")[0] for line in zoo_ids]
    for fmt in ("csv", "json"):
        yield f"zoo.{fmt}", ["zoo", "--format", fmt]
        yield f"platforms.{fmt}", ["platforms", "--format", fmt]
        for topology in zoo_ids:
            yield f"show.{topology}.{fmt}", ["show", topology, "--format", fmt]
        for task in TASKS:
            yield f"heatmap.{task}.{fmt}", ["heatmap", "--task", task, "--format", fmt]
            yield f"pareto.{task}.{fmt}", ["pareto", "--task", task, "--format", fmt]
            yield f"pareto_measured.{task}.{fmt}", ["pareto", "--task", task, "--measurements", MEASUREMENTS,
                                                    "--format", fmt]
        for topology in ("resnet50", "cnv", "mlp"):
            for platform, datatype in PREDICT_PLATFORMS:
                yield (f"predict.{topology}.{platform.replace(':', '_')}.{datatype}.{fmt}",
                       ["predict", "--topology", topology, "--platform", platform, "--datatype", datatype,
                        "--per-layer", "--format", fmt])
        for model in ("plain", "refined", "calibrated", "realistic"):
            for metric in ("compute", "system"):
                yield (f"validate.{model}.{metric}.{fmt}",
                       ["validate", "--measurements", MEASUREMENTS, "--model", model, "--metric", metric,
                        "--format", fmt])
        yield f"overheads.{fmt}", ["overheads", "--measurements", MEASUREMENTS, "--format", fmt]
        yield (f"orthogonality.{fmt}", ["orthogonality", "--topology", "cnv", "--pruned", "cnv-p50", "--platform",
                                        "zcu104-finn", "--original", "int4", "--quantized", "int2",
                                        "--measurements", MEASUREMENTS, "--format", fmt])
    yield "export.resnet50.json", ["export", "resnet50"]


def main():
    cli, update = sys.argv[1], "--update" in sys.argv[2:]
    GOLDEN.mkdir(exist_ok=True)
    differing, checked = [], 0
    for name, args in commands(cli):
        result = subprocess.run([cli, *args], capture_output=True)
        out = result.stdout + f"\n[exit {result.returncode}]\n".encode()
        path = GOLDEN / name
        if update:
            path.write_bytes(out)
        elif not path.exists() or path.read_bytes() != out:
            differing.append(f"{name}: qutibench {' '.join(args)}")
        checked += 1
    if differing:
        print("outputs that differ from tests/golden/outputs:\n  " + "\n  ".join(differing))
    print(f"{checked - len(differing)} passed, {len(differing)} failed")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
