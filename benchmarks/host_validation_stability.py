"""Is host level-1 validation stable? Runs `qutibench validate --topology resnet50 --platform
host --level 1` several times back to back (each run measures the host roofline, then every
kernel) and prints, per run, the plain and calibrated Spearman and median error with the
efficiency spread; then the range of each figure over the runs. Exit status 1 unless every
run has calibrated Spearman >= 0.95 and median error <= 10 % and the calibrated Spearman
values lie within 0.02 of each other. Run on an idle machine after building:
/usr/bin/python3 benchmarks/host_validation_stability.py [--cli build/bin/qutibench] [--runs 2]"""
import argparse
import json
import subprocess
import sys
import time

SPEARMAN_MIN, ERROR_MAX, SPEARMAN_SPREAD_MAX = 0.95, 0.10, 0.02


def one_run(cli: str, topology: str) -> dict:
    start = time.perf_counter()
    out = subprocess.run([cli, "validate", "--topology", topology, "--platform", "host", "--level", "1",
                          "--format", "json"], capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    result["seconds"] = time.perf_counter() - start
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default="build/bin/qutibench")
    parser.add_argument("--topology", default="resnet50")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    runs = [one_run(args.cli, args.topology) for _ in range(args.runs)]
    print("run  seconds  kernels  plain_spearman  plain_median_error  calibrated_spearman  "
          "calibrated_median_error  efficiency_iqr")
    for i, r in enumerate(runs, 1):
        s, c = r["summary"], r["calibrated"]
        print(f"{i:>3}  {r['seconds']:7.1f}  {s['n']:7d}  {s['spearman']:14.3f}  {s['median_abs_rel_error']:18.3f}  "
              f"{c['spearman']:19.3f}  {c['median_abs_rel_error']:23.3f}  "
              f"{s['efficiency_q1']:.3f}..{s['efficiency_q3']:.3f}")
    spearman = [r["calibrated"]["spearman"] for r in runs]
    errors = [r["calibrated"]["median_abs_rel_error"] for r in runs]
    plain = [r["summary"]["spearman"] for r in runs]
    print(f"calibrated spearman range {max(spearman) - min(spearman):.3f} (at most {SPEARMAN_SPREAD_MAX}), "
          f"plain spearman range {max(plain) - min(plain):.3f}")
    ok = (min(spearman) >= SPEARMAN_MIN and max(errors) <= ERROR_MAX
          and max(spearman) - min(spearman) <= SPEARMAN_SPREAD_MAX)
    print("stable" if ok else f"NOT stable: calibrated spearman >= {SPEARMAN_MIN}, median error <= {ERROR_MAX} "
          f"and a spearman range <= {SPEARMAN_SPREAD_MAX} are required")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
